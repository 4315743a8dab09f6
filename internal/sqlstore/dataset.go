package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/tahqiq/tahqiq"
)

// FindDatasets returns every dataset with its counts and sources, by name.
func (s *Store) FindDatasets(ctx context.Context) ([]tahqiq.Dataset, error) {
	var out []tahqiq.Dataset
	err := s.e.Scoped(ctx, func(q Conn) error {
		rows, err := q.Query(ctx, `SELECT id, name, created_at, derivation FROM datasets ORDER BY name`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d tahqiq.Dataset
			if err := rows.Scan(&d.ID, &d.Name, timeValue{&d.CreatedAt}, &d.Derivation); err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if err := s.fillDataset(ctx, q, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.errorf("find datasets: %w", err)
	}
	return out, nil
}

// FindDatasetByName returns the named dataset, or ENOTFOUND.
func (s *Store) FindDatasetByName(ctx context.Context, name string) (tahqiq.Dataset, error) {
	var d tahqiq.Dataset
	err := s.e.Scoped(ctx, func(q Conn) error {
		var err error
		d, err = s.findDataset(ctx, q, name)
		return err
	})
	return d, err
}

// findDataset reads the named dataset with its counts and files through q.
func (s *Store) findDataset(ctx context.Context, q Conn, name string) (tahqiq.Dataset, error) {
	var d tahqiq.Dataset
	err := q.QueryRow(ctx, `SELECT id, name, created_at, derivation FROM datasets WHERE name = $1`, name).Scan(&d.ID, &d.Name, timeValue{&d.CreatedAt}, &d.Derivation)
	if errors.Is(err, sql.ErrNoRows) {
		return d, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", name)
	}
	if err != nil {
		return d, s.errorf("find dataset %q: %w", name, err)
	}
	return d, s.fillDataset(ctx, q, &d)
}

// datasetID returns the row id of the named dataset, or ENOTFOUND.
func (s *Store) datasetID(ctx context.Context, q Conn, name string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM datasets WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", name)
	}
	if err != nil {
		return 0, s.errorf("find dataset %q: %w", name, err)
	}
	return id, nil
}

// countsQuery counts a dataset's records, posts, accounts, shares and
// rejects ($1: its id).
const countsQuery = `SELECT
	(SELECT count(*) FROM records r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = $1) +
		(SELECT coalesce(sum(b.records), 0) FROM record_blocks b JOIN files f ON f.id = b.file_id WHERE f.dataset_id = $1),
	(SELECT count(*) FROM posts WHERE dataset_id = $1),
	(SELECT count(*) FROM accounts WHERE dataset_id = $1),
	(SELECT count(*) FROM shares WHERE dataset_id = $1) + (SELECT packed_shares FROM datasets WHERE id = $1),
	(SELECT count(*) FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = $1)`

// fillDataset reads d's counts and files through q.
func (s *Store) fillDataset(ctx context.Context, q Conn, d *tahqiq.Dataset) error {
	c := &d.Counts
	if err := q.QueryRow(ctx, countsQuery, d.ID).Scan(&c.Records, &c.Posts, &c.Accounts, &c.Shares, &c.Rejects); err != nil {
		return s.errorf("dataset %q counts: %w", d.Name, err)
	}
	rows, err := q.Query(ctx, `SELECT name, sha256, size, format, imported_at, records, options FROM files WHERE dataset_id = $1 ORDER BY id`, d.ID)
	if err != nil {
		return s.errorf("dataset %q files: %w", d.Name, err)
	}
	defer rows.Close()
	d.Sources = nil
	for rows.Next() {
		var f tahqiq.ImportFile
		var opts string
		if err := rows.Scan(&f.Name, &f.SHA256, &f.Size, &f.Format, timeValue{&f.ImportedAt}, &f.Records, &opts); err != nil {
			return s.errorf("dataset %q files: %w", d.Name, err)
		}
		if f.Options, err = decodeOptions(opts); err != nil {
			return s.errorf("dataset %q file %s: %w", d.Name, f.Name, err)
		}
		d.Sources = append(d.Sources, f)
	}
	if err := rows.Err(); err != nil {
		return s.errorf("dataset %q files: %w", d.Name, err)
	}
	return nil
}

// DeleteDataset removes the dataset and everything imported into it, in one
// transaction, and returns what it removed.
func (s *Store) DeleteDataset(ctx context.Context, name string) (tahqiq.DatasetCounts, error) {
	var n tahqiq.DatasetCounts
	err := s.InTx(ctx, func(tx tahqiq.CaseTx) error {
		var err error
		n, err = tx.DeleteDataset(ctx, name)
		return err
	})
	return n, err
}

// DeleteDataset removes a dataset, its content and its owner in the
// transaction.
func (t *caseTx) DeleteDataset(ctx context.Context, name string) (tahqiq.DatasetCounts, error) {
	// after any import into it: PostgreSQL's posts and shares have no
	// foreign key to datasets (0013_record_blocks.sql), so an import's
	// rows must not commit after the dataset is gone
	if err := t.tx.Lock(ctx, LockImport); err != nil {
		return tahqiq.DatasetCounts{}, t.s.errorf("delete dataset %q: %w", name, err)
	}
	d, err := t.s.findDataset(ctx, t.tx, name)
	if err != nil {
		return tahqiq.DatasetCounts{}, err
	}
	for _, q := range []string{
		`DELETE FROM shares WHERE dataset_id = $1`,
		`DELETE FROM post_records WHERE post_id IN (SELECT id FROM posts WHERE dataset_id = $1)`,
		`DELETE FROM posts WHERE dataset_id = $1`,
		`DELETE FROM accounts WHERE dataset_id = $1`,
		`DELETE FROM records WHERE file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`DELETE FROM record_blocks WHERE file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`DELETE FROM rejects WHERE file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`DELETE FROM media WHERE dataset_id = $1`,
		`DELETE FROM files WHERE dataset_id = $1`,
		`DELETE FROM datasets WHERE id = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, d.ID); err != nil {
			return tahqiq.DatasetCounts{}, t.s.errorf("delete dataset %q: %w", name, err)
		}
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM dataset_orgs WHERE dataset = $1`, name); err != nil {
		return tahqiq.DatasetCounts{}, t.s.errorf("delete dataset %q: %w", name, err)
	}
	return d.Counts, nil
}

// ScanShares calls fn for every share of the dataset, streamed from one
// query (in one snapshot where the engine scopes reads in a transaction).
func (s *Store) ScanShares(ctx context.Context, f tahqiq.ShareFilter, fn func(tahqiq.Share) error) error {
	return s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, f.Dataset)
		if err != nil {
			return err
		}
		return s.eachShare(ctx, q, id, f.Types, fn)
	})
}

// eachShare calls fn for every share of dataset id of one of types (any
// type when empty): the shares packed in their posts, then the share rows
// (packed.go), in one snapshot. The Share given to fn is reused from one
// call to the next. Two queries rather than one UNION: a row of the
// posts' query has four columns where a union's would have seven, and
// the column reads are most of a scan's time on SQLite.
func (s *Store) eachShare(ctx context.Context, q Conn, id int64, types []tahqiq.ObjectType, fn func(tahqiq.Share) error) error {
	return snapshot(ctx, q, func(q Conn) error {
		if err := s.eachPacked(ctx, q, id, types, fn); err != nil {
			return err
		}
		return s.eachShareRow(ctx, q, id, types, fn)
	})
}

// eachPacked calls fn for every share packed in a post of dataset id.
//
// The authors' UIDs are read first (a dataset has far fewer accounts than
// posts) so that a post costs no lookup in the accounts table. Where the
// dataset's posts lie together in the posts table (the usual case: one
// import writes them in a run of ids), they are read by a range of ids, in
// the order they were stored (an import's file order), which is SQLite's
// table in its own order; the (dataset_id, uid) index would visit them by
// UID, a seek into the table each (a 1M-post dataset read in half the
// time). Where other datasets' posts would be most of that range (imports
// into other datasets between this one's), the index finds them, in its
// order: sorting them by id would hold the dataset's rows in the sorter's
// memory.
func (s *Store) eachPacked(ctx context.Context, q Conn, id int64, types []tahqiq.ObjectType, fn func(tahqiq.Share) error) error {
	authors, err := s.accountUIDs(ctx, q, id)
	if err != nil {
		return s.errorf("scan shares: %w", err)
	}
	var n, lo, hi sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT count(*), min(id), max(id) FROM posts WHERE dataset_id = $1`, id).Scan(&n, &lo, &hi); err != nil {
		return s.errorf("scan shares: %w", err)
	}
	if n.Int64 == 0 {
		return nil
	}
	query, args := `SELECT account_id, uid, created_at, shares FROM posts
		WHERE dataset_id = $1 AND length(shares) > 0`, []any{id}
	if hi.Int64-lo.Int64+1 <= 2*n.Int64 {
		// dataset_id + 0: not through the index, the range is the plan
		query, args = `SELECT account_id, uid, created_at, shares FROM posts
		WHERE id BETWEEN $2 AND $3 AND dataset_id + 0 = $1 AND length(shares) > 0 ORDER BY id`, []any{id, lo.Int64, hi.Int64}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return s.errorf("scan shares: %w", err)
	}
	defer rows.Close()
	var sh tahqiq.Share
	var account, created int64
	var packed []byte
	dest := []any{&account, &sh.PostID, &created, &packed} // one slice for every row
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return s.errorf("scan shares: %w", err)
		}
		uid, ok := authors[account]
		if !ok {
			return s.errorf("scan shares: post %s: its author is not among the dataset's accounts (a damaged store: run tahqiq verify)", sh.PostID)
		}
		sh.AccountID = uid
		r, err := newPackedReader(packed, created)
		for err == nil {
			var ok bool
			if ok, err = r.next(&sh); !ok || err != nil {
				break
			}
			if len(types) > 0 && !slices.Contains(types, sh.Type) {
				continue
			}
			if err := fn(sh); err != nil {
				return err
			}
		}
		if err != nil {
			return s.errorf("scan shares: post %s: %w", sh.PostID, err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("scan shares: %w", err)
	}
	return nil
}

// accountUIDs returns the UIDs of dataset id's accounts by their ids.
func (s *Store) accountUIDs(ctx context.Context, q Conn, id int64) (map[int64]string, error) {
	rows, err := q.Query(ctx, `SELECT id, uid FROM accounts WHERE dataset_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	uids := map[int64]string{}
	var aid int64
	var uid string
	for rows.Next() {
		if err := rows.Scan(&aid, &uid); err != nil {
			return nil, err
		}
		uids[aid] = uid
	}
	return uids, rows.Err()
}

// eachShareRow calls fn for every share row of dataset id.
func (s *Store) eachShareRow(ctx context.Context, q Conn, id int64, types []tahqiq.ObjectType, fn func(tahqiq.Share) error) error {
	query := `SELECT a.uid, p.uid, s.t, s.type, s.object, s.precision FROM shares s
		JOIN posts p ON p.id = s.post_id JOIN accounts a ON a.id = s.account_id
		WHERE s.dataset_id = $1`
	args := []any{id}
	if len(types) > 0 {
		query += ` AND s.type IN (` + placeholders(2, len(types)) + `)`
		for _, t := range types {
			args = append(args, string(t))
		}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return s.errorf("scan shares: %w", err)
	}
	defer rows.Close()
	var sh tahqiq.Share
	var typ, prec string
	dest := []any{&sh.AccountID, &sh.PostID, &sh.Time, &typ, &sh.Object, &prec}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return s.errorf("scan shares: %w", err)
		}
		sh.Type, sh.Precision = tahqiq.ObjectType(typ), tahqiq.Precision(prec)
		if err := fn(sh); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("scan shares: %w", err)
	}
	return nil
}

// ScanPosts calls fn for every post of the dataset, streamed from one
// query.
func (s *Store) ScanPosts(ctx context.Context, dataset string, fn func(tahqiq.Post) error) error {
	return s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT uid, data FROM posts WHERE dataset_id = $1`, id)
		if err != nil {
			return s.errorf("scan posts: %w", err)
		}
		defer rows.Close()
		var uid string
		var data []byte
		dest := []any{&uid, &data}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return s.errorf("scan posts: %w", err)
			}
			var p tahqiq.Post
			if err := json.Unmarshal(data, &p); err != nil {
				return s.errorf("post %s of dataset %q: %w", uid, dataset, err)
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// FindPost returns a post of a dataset with all its raw occurrences.
func (s *Store) FindPost(ctx context.Context, dataset, uid string) (tahqiq.PostRecord, error) {
	var pr tahqiq.PostRecord
	err := s.e.Scoped(ctx, func(q Conn) error {
		ds, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		var id, first int64
		var data []byte
		err = q.QueryRow(ctx, `SELECT id, record_id, data FROM posts WHERE dataset_id = $1 AND uid = $2`, ds, uid).Scan(&id, &first, &data)
		if errors.Is(err, sql.ErrNoRows) {
			return tahqiq.Errorf(tahqiq.ENOTFOUND, "no post %q in dataset %q", uid, dataset)
		}
		if err != nil {
			return s.errorf("find post: %w", err)
		}
		if err := json.Unmarshal(data, &pr.Post); err != nil {
			return s.errorf("find post %s: %w", uid, err)
		}
		ids := []int64{first}
		rows, err := q.Query(ctx, `SELECT record_id FROM post_records WHERE post_id = $1`, id)
		if err != nil {
			return s.errorf("find post records: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				return s.errorf("find post records: %w", err)
			}
			ids = append(ids, r)
		}
		if err := rows.Err(); err != nil {
			return s.errorf("find post records: %w", err)
		}
		if pr.Records, err = s.recordsByID(ctx, q, ids); err != nil {
			return s.errorf("find post %s: its records: %w", uid, err)
		}
		return nil
	})
	return pr, err
}

// recordRow scans rows of raw records: the columns given to cols, then
// line, "offset", locator, kind, sha256, raw and collected_at.
type recordRow struct {
	id        int64
	r         tahqiq.RawRecord
	kind      string
	sum       []byte
	collected sql.NullInt64
	dest      []any // one slice for every row
}

func (x *recordRow) cols(pre ...any) {
	x.dest = append(pre, &x.r.Line, &x.r.Offset, &x.r.Locator, &x.kind, &x.sum, &x.r.Raw, &x.collected)
}

func (x *recordRow) scan(rows Rows) (tahqiq.RawRecord, error) {
	if err := rows.Scan(x.dest...); err != nil {
		return tahqiq.RawRecord{}, err
	}
	r := x.r
	r.Kind = tahqiq.RecordKind(x.kind)
	copy(r.SHA256[:], x.sum)
	if x.collected.Valid {
		r.CollectedAt = time.Unix(x.collected.Int64, 0).UTC()
	}
	return r, nil
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
