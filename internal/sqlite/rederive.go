package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

var _ tahqiq.RederiveStore = (*DB)(nil)

// BeginRederive opens a re-derivation of the named dataset: an import
// transaction on it (holding the write lock) that reads its records and
// rebuilds its posts, accounts and shares.
func (db *DB) BeginRederive(ctx context.Context, dataset string) (tahqiq.RederiveTx, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM datasets WHERE name = ?`, dataset).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no dataset named %q", dataset)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: rederive %q: %w", dataset, err)
	}
	tx, err := db.BeginImport(ctx, dataset)
	if err != nil {
		return nil, err
	}
	return &rederiveTx{tx.(*importTx)}, nil
}

type rederiveTx struct{ *importTx }

func (t *rederiveTx) Files(ctx context.Context) ([]tahqiq.StoredFile, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, name, sha256, size, format, imported_at, records, kept, options FROM files WHERE dataset_id = ? ORDER BY id`, t.datasetID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rederive files: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.StoredFile
	for rows.Next() {
		var f tahqiq.StoredFile
		var at, opts string
		if err := rows.Scan(&f.ID, &f.Name, &f.SHA256, &f.Size, &f.Format, &at, &f.Records, &f.Kept, &opts); err != nil {
			return nil, fmt.Errorf("sqlite: rederive files: %w", err)
		}
		f.ImportedAt, _ = time.Parse(time.RFC3339, at)
		if f.Options, err = decodeOptions(opts); err != nil {
			return nil, fmt.Errorf("sqlite: rederive file %s: %w", f.Name, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (t *rederiveTx) Records(ctx context.Context, file, after int64, limit int) ([]tahqiq.StoredRecord, error) {
	var format, name string
	if err := t.tx.QueryRowContext(ctx, `SELECT format, name FROM files WHERE id = ? AND dataset_id = ?`, file, t.datasetID).Scan(&format, &name); err != nil {
		return nil, fmt.Errorf("sqlite: rederive records of file %d: %w", file, err)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT id, line, offset, locator, kind, sha256, raw, collected_at FROM records
		WHERE file_id = ? AND id > ? ORDER BY id LIMIT ?`, file, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rederive records: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.StoredRecord
	for rows.Next() {
		r := tahqiq.StoredRecord{RawRecord: tahqiq.RawRecord{Format: format, SourceFile: name}}
		var kind string
		var sum []byte
		var collected sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Line, &r.Offset, &r.Locator, &kind, &sum, &r.Raw, &collected); err != nil {
			return nil, fmt.Errorf("sqlite: rederive records: %w", err)
		}
		r.Kind = tahqiq.RecordKind(kind)
		copy(r.SHA256[:], sum)
		if collected.Valid {
			r.CollectedAt = time.Unix(collected.Int64, 0).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *rederiveTx) EachPost(ctx context.Context, fn func(record int64, uid, author string, data []byte) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT p.record_id, p.uid, a.uid, p.data FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.dataset_id = ?`, t.datasetID)
	if err != nil {
		return fmt.Errorf("sqlite: rederive posts: %w", err)
	}
	defer rows.Close()
	var rec int64
	var uid, author string
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&rec, &uid, &author, &data); err != nil {
			return fmt.Errorf("sqlite: rederive posts: %w", err)
		}
		if err := fn(rec, uid, author, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *rederiveTx) EachShare(ctx context.Context, fn func(post string, typ tahqiq.ObjectType, object string) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT p.uid, s.type, s.object FROM shares s JOIN posts p ON p.id = s.post_id WHERE s.dataset_id = ?`, t.datasetID)
	if err != nil {
		return fmt.Errorf("sqlite: rederive shares: %w", err)
	}
	defer rows.Close()
	var post, typ, object string
	for rows.Next() {
		if err := rows.Scan(&post, &typ, &object); err != nil {
			return fmt.Errorf("sqlite: rederive shares: %w", err)
		}
		if err := fn(post, tahqiq.ObjectType(typ), object); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *rederiveTx) EachReject(ctx context.Context, fn func(tahqiq.Reject) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT f.name, r.line, r.reason FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = ? ORDER BY r.id`, t.datasetID)
	if err != nil {
		return fmt.Errorf("sqlite: rederive rejects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r tahqiq.Reject
		if err := rows.Scan(&r.File, &r.Line, &r.Reason); err != nil {
			return fmt.Errorf("sqlite: rederive rejects: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *rederiveTx) Counts(ctx context.Context) (tahqiq.DatasetCounts, error) {
	var c tahqiq.DatasetCounts
	if err := t.flush(ctx); err != nil {
		return c, err
	}
	err := t.tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM records r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = ?1),
		(SELECT count(*) FROM posts WHERE dataset_id = ?1),
		(SELECT count(*) FROM accounts WHERE dataset_id = ?1),
		(SELECT count(*) FROM shares WHERE dataset_id = ?1),
		(SELECT count(*) FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = ?1)`, t.datasetID).
		Scan(&c.Records, &c.Posts, &c.Accounts, &c.Shares, &c.Rejects)
	if err != nil {
		return c, fmt.Errorf("sqlite: rederive counts: %w", err)
	}
	return c, nil
}

func (t *rederiveTx) Reset(ctx context.Context) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM shares WHERE dataset_id = ?`,
		`DELETE FROM post_records WHERE post_id IN (SELECT id FROM posts WHERE dataset_id = ?)`,
		`DELETE FROM posts WHERE dataset_id = ?`,
		`DELETE FROM accounts WHERE dataset_id = ?`,
		`DELETE FROM rejects WHERE record_id IS NOT NULL AND file_id IN (SELECT id FROM files WHERE dataset_id = ?)`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, t.datasetID); err != nil {
			return fmt.Errorf("sqlite: rederive reset: %w", err)
		}
	}
	clear(t.posts)
	clear(t.accounts)
	clear(t.shares)
	t.hadPosts, t.hadAccounts, t.complete = false, false, true
	t.firstPost = t.nextPost + 1
	return nil
}

func (t *rederiveTx) SetFile(ctx context.Context, file int64) error {
	if err := t.finishFile(ctx); err != nil {
		return err
	}
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE id = ? AND dataset_id = ?`, file, t.datasetID).Scan(&n); err != nil || n == 0 {
		return fmt.Errorf("sqlite: rederive: no file %d in the dataset (%v)", file, err)
	}
	t.fileID, t.nrecords, t.nkept = file, 0, 0
	return nil
}

func (t *rederiveTx) Rederive(ctx context.Context, rec *tahqiq.StoredRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	var r tahqiq.RecordResult
	if t.fileID == 0 {
		return r, errors.New("sqlite: rederive record: no current file")
	}
	if err := t.forget(ctx); err != nil {
		return r, err
	}
	// rec.Kind is the kind the record derives now; a no-op when unchanged
	if _, err := t.tx.ExecContext(ctx, `UPDATE records SET kind = ?1 WHERE id = ?2 AND file_id = ?3 AND kind <> ?1`, string(rec.Kind), rec.ID, t.fileID); err != nil {
		return r, fmt.Errorf("sqlite: rederive record %d: %w", rec.ID, err)
	}
	t.nrecords++
	if rec.Kind != tahqiq.RecordHeader {
		t.nkept++
	}
	return storeimport.Add(ctx, rows{t.importTx}, rec.ID, &rec.RawRecord, posts, accounts, shares)
}

func (t *rederiveTx) DropRecord(ctx context.Context, rec *tahqiq.StoredRecord, reason string) error {
	if t.fileID == 0 {
		return errors.New("sqlite: drop record: no current file")
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM records WHERE id = ? AND file_id = ?`, rec.ID, t.fileID); err != nil {
		return fmt.Errorf("sqlite: drop record %d: %w", rec.ID, err)
	}
	return t.addReject(ctx, rec.Line, reason, rec.Raw, 0)
}
