package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	var out []tahqiq.Dataset
	err := db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT id, name, created_at, derivation FROM datasets ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d tahqiq.Dataset
			if err := rows.Scan(&d.ID, &d.Name, &d.CreatedAt, &d.Derivation); err != nil {
				return err
			}
			d.CreatedAt = d.CreatedAt.UTC()
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if err := fillDataset(ctx, q, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: find datasets: %w", err)
	}
	return out, nil
}

// FindDatasetByName returns the named dataset, or ENOTFOUND.
func (db *DB) FindDatasetByName(ctx context.Context, name string) (tahqiq.Dataset, error) {
	var d tahqiq.Dataset
	err := db.scoped(ctx, func(q querier) error {
		err := q.QueryRow(ctx, `SELECT id, name, created_at, derivation FROM datasets WHERE name = $1`, name).Scan(&d.ID, &d.Name, &d.CreatedAt, &d.Derivation)
		if errors.Is(err, pgx.ErrNoRows) {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", name)
		}
		if err != nil {
			return fmt.Errorf("postgres: find dataset %q: %w", name, err)
		}
		d.CreatedAt = d.CreatedAt.UTC()
		return fillDataset(ctx, q, &d)
	})
	return d, err
}

// fillDataset reads d's counts and files through q (a scoped transaction:
// the content tables are under row-level security).
func fillDataset(ctx context.Context, q querier, d *tahqiq.Dataset) error {
	c := &d.Counts
	err := q.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM records r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = $1),
		(SELECT count(*) FROM posts WHERE dataset_id = $1),
		(SELECT count(*) FROM accounts WHERE dataset_id = $1),
		(SELECT count(*) FROM shares WHERE dataset_id = $1),
		(SELECT count(*) FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = $1)`, d.ID).
		Scan(&c.Records, &c.Posts, &c.Accounts, &c.Shares, &c.Rejects)
	if err != nil {
		return fmt.Errorf("postgres: dataset %q counts: %w", d.Name, err)
	}
	rows, err := q.Query(ctx, `SELECT name, sha256, size, format, imported_at, records, options FROM files WHERE dataset_id = $1 ORDER BY id`, d.ID)
	if err != nil {
		return fmt.Errorf("postgres: dataset %q files: %w", d.Name, err)
	}
	defer rows.Close()
	d.Sources = nil
	for rows.Next() {
		var f tahqiq.ImportFile
		var opts string
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size, &f.Format, &f.ImportedAt, &f.Records, &opts); err != nil {
			return fmt.Errorf("postgres: dataset %q files: %w", d.Name, err)
		}
		f.ImportedAt = f.ImportedAt.UTC()
		if f.Options, err = decodeOptions(opts); err != nil {
			return fmt.Errorf("postgres: dataset %q file %s: %w", d.Name, f.Name, err)
		}
		d.Sources = append(d.Sources, f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: dataset %q files: %w", d.Name, err)
	}
	return nil
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
		`DELETE FROM shares WHERE dataset_id = $1`,
		`DELETE FROM post_records WHERE post_id IN (SELECT id FROM posts WHERE dataset_id = $1)`,
		`DELETE FROM posts WHERE dataset_id = $1`,
		`DELETE FROM accounts WHERE dataset_id = $1`,
		`DELETE FROM records WHERE file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`DELETE FROM rejects WHERE file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`DELETE FROM media WHERE dataset_id = $1`,
		`DELETE FROM files WHERE dataset_id = $1`,
		`DELETE FROM datasets WHERE id = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, d.ID); err != nil {
			return tahqiq.DatasetCounts{}, fmt.Errorf("postgres: delete dataset %q: %w", name, err)
		}
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM dataset_orgs WHERE dataset = $1`, name); err != nil {
		return tahqiq.DatasetCounts{}, fmt.Errorf("postgres: delete dataset %q: %w", name, err)
	}
	return d.Counts, nil
}

// ScanShares calls fn for every share of the dataset, streamed from one
// query.
func (db *DB) ScanShares(ctx context.Context, f tahqiq.ShareFilter, fn func(tahqiq.Share) error) error {
	d, err := db.FindDatasetByName(ctx, f.Dataset)
	if err != nil {
		return err
	}
	q := `SELECT s.type, s.object, a.uid, p.uid, s.t, s.precision FROM shares s
		JOIN posts p ON p.id = s.post_id JOIN accounts a ON a.id = s.account_id
		WHERE s.dataset_id = $1`
	args := []any{d.ID}
	if len(f.Types) > 0 {
		types := make([]string, len(f.Types))
		for i, t := range f.Types {
			types[i] = string(t)
		}
		q += ` AND s.type = ANY($2)`
		args = append(args, types)
	}
	// one read-only transaction: the policies need its scope, and the scan
	// sees one snapshot
	return db.scoped(ctx, func(tx querier) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("postgres: scan shares: %w", err)
		}
		defer rows.Close()
		var s tahqiq.Share
		var typ, prec string
		for rows.Next() {
			if err := rows.Scan(&typ, &s.Object, &s.AccountID, &s.PostID, &s.Time, &prec); err != nil {
				return fmt.Errorf("postgres: scan shares: %w", err)
			}
			s.Type, s.Precision = tahqiq.ObjectType(typ), tahqiq.Precision(prec)
			if err := fn(s); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: scan shares: %w", err)
		}
		return nil
	})
}

// ScanPosts calls fn for every post of the dataset, streamed from one
// query in a scoped read-only transaction.
func (db *DB) ScanPosts(ctx context.Context, dataset string, fn func(tahqiq.Post) error) error {
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return err
	}
	return db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT uid, data::text FROM posts WHERE dataset_id = $1`, d.ID)
		if err != nil {
			return fmt.Errorf("postgres: scan posts: %w", err)
		}
		defer rows.Close()
		var uid, data string
		for rows.Next() {
			if err := rows.Scan(&uid, &data); err != nil {
				return fmt.Errorf("postgres: scan posts: %w", err)
			}
			var p tahqiq.Post
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("postgres: post %s of dataset %q: %w", uid, dataset, err)
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// FindPost returns a post of a dataset with all its raw occurrences.
func (db *DB) FindPost(ctx context.Context, dataset, uid string) (tahqiq.PostRecord, error) {
	var pr tahqiq.PostRecord
	d, err := db.FindDatasetByName(ctx, dataset)
	if err != nil {
		return pr, err
	}
	err = db.scoped(ctx, func(q querier) error {
		var id, first int64
		var data []byte
		err := q.QueryRow(ctx, `SELECT id, record_id, data::text FROM posts WHERE dataset_id = $1 AND uid = $2`, d.ID, uid).Scan(&id, &first, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "no post %q in dataset %q", uid, dataset)
		}
		if err != nil {
			return fmt.Errorf("postgres: find post: %w", err)
		}
		if err := json.Unmarshal(data, &pr.Post); err != nil {
			return fmt.Errorf("postgres: find post %s: %w", uid, err)
		}
		rows, err := q.Query(ctx, `SELECT f.name, f.format, r.line, r."offset", r.locator, r.kind, r.sha256, r.raw, r.collected_at
			FROM records r JOIN files f ON f.id = r.file_id
			WHERE r.id = $1 OR r.id IN (SELECT record_id FROM post_records WHERE post_id = $2) ORDER BY r.id`, first, id)
		if err != nil {
			return fmt.Errorf("postgres: find post records: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r tahqiq.RawRecord
			var kind string
			var sum []byte
			var collected *int64
			if err := rows.Scan(&r.SourceFile, &r.Format, &r.Line, &r.Offset, &r.Locator, &kind, &sum, &r.Raw, &collected); err != nil {
				return fmt.Errorf("postgres: find post records: %w", err)
			}
			r.Kind = tahqiq.RecordKind(kind)
			copy(r.SHA256[:], sum)
			if collected != nil {
				r.CollectedAt = time.Unix(*collected, 0).UTC()
			}
			pr.Records = append(pr.Records, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: find post records: %w", err)
		}
		return nil
	})
	return pr, err
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

// eachMedia calls fn for every media row of a dataset, in the order
// stored, through q (scoped: media rows are under row-level security).
func eachMedia(ctx context.Context, q querier, dataset int64, fn func(tahqiq.MediaFile) error) error {
	rows, err := q.Query(ctx, `SELECT `+mediaColumns+` FROM media m JOIN files f ON f.id = m.file_id WHERE m.dataset_id = $1 ORDER BY m.id`, dataset)
	if err != nil {
		return fmt.Errorf("postgres: media: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m tahqiq.MediaFile
		var status string
		if err := rows.Scan(&m.File, &m.FileID, &m.Name, &status, &m.Detail, &m.SHA256, &m.Size, &m.Width, &m.Height, &m.Orientation,
			&m.PDQ, &m.Quality, &m.Dihedral, &m.Trimmed, &m.DHash, &m.Object, &m.Distance, &m.Hashing); err != nil {
			return fmt.Errorf("postgres: media: %w", err)
		}
		m.Status = tahqiq.MediaStatus(status)
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FindMedia returns the media files of a dataset in the order stored.
func (db *DB) FindMedia(ctx context.Context, dataset string) ([]tahqiq.MediaFile, error) {
	out := []tahqiq.MediaFile{}
	err := db.scoped(ctx, func(q querier) error {
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM datasets WHERE name = $1`, dataset).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", dataset)
		}
		if err != nil {
			return fmt.Errorf("postgres: media of %q: %w", dataset, err)
		}
		return eachMedia(ctx, q, id, func(m tahqiq.MediaFile) error {
			out = append(out, m)
			return nil
		})
	})
	return out, err
}
