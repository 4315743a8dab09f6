package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

var (
	_ tahqiq.DatasetStore = (*DB)(nil)
	_ tahqiq.ShareStore   = (*DB)(nil)
	_ tahqiq.PostStore    = (*DB)(nil)
	_ tahqiq.PostScanner  = (*DB)(nil)
)

// FindDatasets returns every dataset with its counts and sources, by name.
func (db *DB) FindDatasets(ctx context.Context) ([]tahqiq.Dataset, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, created_at, derivation FROM datasets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find datasets: %w", err)
	}
	var out []tahqiq.Dataset
	for rows.Next() {
		var d tahqiq.Dataset
		var created string
		if err := rows.Scan(&d.ID, &d.Name, &created, &d.Derivation); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: find datasets: %w", err)
		}
		d.CreatedAt, _ = time.Parse(time.RFC3339, created)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find datasets: %w", err)
	}
	for i := range out {
		if err := db.fillDataset(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindDatasetByName returns the named dataset, or ENOTFOUND.
func (db *DB) FindDatasetByName(ctx context.Context, name string) (tahqiq.Dataset, error) {
	var d tahqiq.Dataset
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, created_at, derivation FROM datasets WHERE name = ?`, name).Scan(&d.ID, &d.Name, &created, &d.Derivation)
	if errors.Is(err, sql.ErrNoRows) {
		return d, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", name)
	}
	if err != nil {
		return d, fmt.Errorf("sqlite: find dataset %q: %w", name, err)
	}
	d.CreatedAt, _ = time.Parse(time.RFC3339, created)
	return d, db.fillDataset(ctx, &d)
}

func (db *DB) fillDataset(ctx context.Context, d *tahqiq.Dataset) error {
	c := &d.Counts
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM records r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = ?1),
		(SELECT count(*) FROM posts WHERE dataset_id = ?1),
		(SELECT count(*) FROM accounts WHERE dataset_id = ?1),
		(SELECT count(*) FROM shares WHERE dataset_id = ?1),
		(SELECT count(*) FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = ?1)`, d.ID).
		Scan(&c.Records, &c.Posts, &c.Accounts, &c.Shares, &c.Rejects)
	if err != nil {
		return fmt.Errorf("sqlite: dataset %q counts: %w", d.Name, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT name, sha256, size, format, imported_at, records, options FROM files WHERE dataset_id = ? ORDER BY id`, d.ID)
	if err != nil {
		return fmt.Errorf("sqlite: dataset %q files: %w", d.Name, err)
	}
	defer rows.Close()
	d.Sources = nil
	for rows.Next() {
		var f tahqiq.ImportFile
		var at, opts string
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size, &f.Format, &at, &f.Records, &opts); err != nil {
			return fmt.Errorf("sqlite: dataset %q files: %w", d.Name, err)
		}
		if f.Options, err = decodeOptions(opts); err != nil {
			return fmt.Errorf("sqlite: dataset %q file %s: %w", d.Name, f.Name, err)
		}
		f.ImportedAt, _ = time.Parse(time.RFC3339, at)
		d.Sources = append(d.Sources, f)
	}
	return rows.Err()
}

// DeleteDataset removes the dataset and everything imported into it, in one
// transaction, and returns what it removed.
func (db *DB) DeleteDataset(ctx context.Context, name string) (tahqiq.DatasetCounts, error) {
	var n tahqiq.DatasetCounts
	err := db.InTx(ctx, func(tx tahqiq.CaseTx) error {
		var err error
		n, err = tx.DeleteDataset(ctx, name)
		return err
	})
	return n, err
}

// DeleteDataset removes a dataset, its content and its owner in the
// transaction.
func (t *caseTx) DeleteDataset(ctx context.Context, name string) (tahqiq.DatasetCounts, error) {
	d, err := t.db.FindDatasetByName(ctx, name)
	if err != nil {
		return tahqiq.DatasetCounts{}, err
	}
	for _, q := range []string{
		`DELETE FROM shares WHERE dataset_id = ?`,
		`DELETE FROM post_records WHERE post_id IN (SELECT id FROM posts WHERE dataset_id = ?)`,
		`DELETE FROM posts WHERE dataset_id = ?`,
		`DELETE FROM accounts WHERE dataset_id = ?`,
		`DELETE FROM records WHERE file_id IN (SELECT id FROM files WHERE dataset_id = ?)`,
		`DELETE FROM rejects WHERE file_id IN (SELECT id FROM files WHERE dataset_id = ?)`,
		`DELETE FROM files WHERE dataset_id = ?`,
		`DELETE FROM datasets WHERE id = ?`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, d.ID); err != nil {
			return tahqiq.DatasetCounts{}, fmt.Errorf("sqlite: delete dataset %q: %w", name, err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM dataset_orgs WHERE dataset = ?`, name); err != nil {
		return tahqiq.DatasetCounts{}, fmt.Errorf("sqlite: delete dataset %q: %w", name, err)
	}
	return d.Counts, nil
}

// ScanShares calls fn for every share of the dataset, in import order.
func (db *DB) ScanShares(ctx context.Context, f tahqiq.ShareFilter, fn func(tahqiq.Share) error) error {
	d, err := db.FindDatasetByName(ctx, f.Dataset)
	if err != nil {
		return err
	}
	q := `SELECT s.type, s.object, a.uid, p.uid, s.t, s.precision FROM shares s
		JOIN posts p ON p.id = s.post_id JOIN accounts a ON a.id = s.account_id
		WHERE s.dataset_id = ?`
	args := []any{d.ID}
	if len(f.Types) > 0 {
		q += ` AND s.type IN (?` + strings.Repeat(`, ?`, len(f.Types)-1) + `)`
		for _, t := range f.Types {
			args = append(args, string(t))
		}
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlite: scan shares: %w", err)
	}
	defer rows.Close()
	var s tahqiq.Share
	var typ, prec string
	for rows.Next() {
		if err := rows.Scan(&typ, &s.Object, &s.AccountID, &s.PostID, &s.Time, &prec); err != nil {
			return fmt.Errorf("sqlite: scan shares: %w", err)
		}
		s.Type, s.Precision = tahqiq.ObjectType(typ), tahqiq.Precision(prec)
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ScanPosts calls fn for every post of the dataset, streamed from one
// query.
func (db *DB) ScanPosts(ctx context.Context, dataset string, fn func(tahqiq.Post) error) error {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT uid, data FROM posts WHERE dataset_id = ?`, d.ID)
	if err != nil {
		return fmt.Errorf("sqlite: scan posts: %w", err)
	}
	defer rows.Close()
	var uid string
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&uid, &data); err != nil {
			return fmt.Errorf("sqlite: scan posts: %w", err)
		}
		var p tahqiq.Post
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("sqlite: post %s of dataset %q: %w", uid, dataset, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindPost returns a post of a dataset with all its raw occurrences.
func (db *DB) FindPost(ctx context.Context, dataset, uid string) (tahqiq.PostRecord, error) {
	var pr tahqiq.PostRecord
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return pr, err
	}
	var id, first int64
	var data []byte
	err = db.read.QueryRowContext(ctx, `SELECT id, record_id, data FROM posts WHERE dataset_id = ? AND uid = ?`, d.ID, uid).Scan(&id, &first, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return pr, tahqiq.Errorf(tahqiq.ENOTFOUND, "no post %q in dataset %q", uid, dataset)
	}
	if err != nil {
		return pr, fmt.Errorf("sqlite: find post: %w", err)
	}
	if err := json.Unmarshal(data, &pr.Post); err != nil {
		return pr, fmt.Errorf("sqlite: find post %s: %w", uid, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT f.name, f.format, r.line, r.offset, r.locator, r.kind, r.sha256, r.raw, r.collected_at
		FROM records r JOIN files f ON f.id = r.file_id
		WHERE r.id = ? OR r.id IN (SELECT record_id FROM post_records WHERE post_id = ?) ORDER BY r.id`, first, id)
	if err != nil {
		return pr, fmt.Errorf("sqlite: find post records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r tahqiq.RawRecord
		var kind string
		var sum []byte
		var collected sql.NullInt64
		if err := rows.Scan(&r.SourceFile, &r.Format, &r.Line, &r.Offset, &r.Locator, &kind, &sum, &r.Raw, &collected); err != nil {
			return pr, fmt.Errorf("sqlite: find post records: %w", err)
		}
		r.Kind = tahqiq.RecordKind(kind)
		copy(r.SHA256[:], sum)
		if collected.Valid {
			r.CollectedAt = time.Unix(collected.Int64, 0).UTC()
		}
		pr.Records = append(pr.Records, r)
	}
	return pr, rows.Err()
}

// encodeOptions writes the format options of a file as JSON ("" for none
// recorded).
func encodeOptions(o map[string]string) (string, error) {
	if o == nil {
		return "", nil
	}
	b, err := json.Marshal(o)
	return string(b), err
}

func decodeOptions(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	o := map[string]string{}
	return o, json.Unmarshal([]byte(s), &o)
}

// FindPosts returns the posts of a dataset with the given UIDs, by UID,
// 500 to a query.
func (db *DB) FindPosts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Post, error) {
	id, err := db.datasetID(ctx, dataset)
	if err != nil {
		return nil, err
	}
	out := make(map[string]tahqiq.Post, len(uids))
	for len(uids) > 0 {
		n := min(len(uids), 500)
		args := make([]any, 0, n+1)
		args = append(args, id)
		q := make([]byte, 0, 2*n)
		for i, u := range uids[:n] {
			if i > 0 {
				q = append(q, ',')
			}
			q = append(q, '?')
			args = append(args, u)
		}
		uids = uids[n:]
		if err := db.findPosts(ctx, `SELECT data FROM posts WHERE dataset_id = ? AND uid IN (`+string(q)+`)`, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) findPosts(ctx context.Context, query string, args []any, out map[string]tahqiq.Post) error {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlite: find posts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		var p tahqiq.Post
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("sqlite: find posts: %w", err)
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("sqlite: find posts: %w", err)
		}
		out[p.UID] = p
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: find posts: %w", err)
	}
	return nil
}

// datasetID returns the id of the dataset named name, without the counts
// FindDatasetByName adds (a count of every record of the dataset: tens of
// milliseconds on a dataset of 35,000 records, on every read of a page).
func (db *DB) datasetID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM datasets WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", name)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: find dataset %q: %w", name, err)
	}
	return id, nil
}
