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
		`DELETE FROM media WHERE dataset_id = ?`,
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

var _ tahqiq.MediaStore = (*DB)(nil)

// mediaColumns are the columns of a media row, in the order scanMedia
// reads and AddMedia writes them.
const mediaColumns = `f.name, m.file_id, m.name, m.status, m.detail, m.sha256, m.size, m.width, m.height, m.orientation,
	m.pdq, m.pdq_quality, m.pdq_dihedral, m.pdq_trimmed, m.dhash, m.object, m.distance, m.hashing`

func scanMedia(sc interface{ Scan(...any) error }) (tahqiq.MediaFile, error) {
	var m tahqiq.MediaFile
	var status string
	err := sc.Scan(&m.File, &m.FileID, &m.Name, &status, &m.Detail, &m.SHA256, &m.Size, &m.Width, &m.Height, &m.Orientation,
		&m.PDQ, &m.Quality, &m.Dihedral, &m.Trimmed, &m.DHash, &m.Object, &m.Distance, &m.Hashing)
	m.Status = tahqiq.MediaStatus(status)
	return m, err
}

// eachMedia calls fn for every media row of a dataset, in the order
// stored.
func eachMedia(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, dataset int64, fn func(tahqiq.MediaFile) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media m JOIN files f ON f.id = m.file_id WHERE m.dataset_id = ? ORDER BY m.id`, dataset)
	if err != nil {
		return fmt.Errorf("sqlite: media: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return fmt.Errorf("sqlite: media: %w", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindMedia returns the media files of a dataset in the order stored.
func (db *DB) FindMedia(ctx context.Context, dataset string) ([]tahqiq.MediaFile, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM datasets WHERE name = ?`, dataset).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", dataset)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: media of %q: %w", dataset, err)
	}
	out := []tahqiq.MediaFile{}
	err = eachMedia(ctx, db.read, id, func(m tahqiq.MediaFile) error {
		out = append(out, m)
		return nil
	})
	return out, err
}
