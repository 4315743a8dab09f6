package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tahqiq/tahqiq"
)

// BeginRederive opens a re-derivation of the named dataset: an import
// transaction on it (holding the import lock) that reads its records and
// rebuilds its posts, accounts and shares.
func (s *Store) BeginRederive(ctx context.Context, dataset string) (tahqiq.RederiveTx, error) {
	if err := s.e.Scoped(ctx, func(q Conn) error {
		_, err := s.datasetID(ctx, q, dataset)
		return err
	}); err != nil {
		return nil, err
	}
	tx, err := s.BeginImport(ctx, dataset)
	if err != nil {
		return nil, err
	}
	return &rederiveTx{importTx: tx.(*importTx), page: map[int64]pageRecord{}}, nil
}

type rederiveTx struct {
	*importTx
	page map[int64]pageRecord // the records the last call of Records returned
}

// pageRecord is a record Records returned: its kind as stored and its
// block (0: a row of the records table).
type pageRecord struct {
	kind  tahqiq.RecordKind
	block int64
}

// stored returns the stored kind and block of record id of the current
// file: from the last page of Records, else from its block; a record in
// no block is a row of the records table (block 0).
func (t *rederiveTx) stored(ctx context.Context, id int64) (pageRecord, error) {
	if p, ok := t.page[id]; ok {
		return p, nil
	}
	var block int64
	var data []byte
	err := t.tx.QueryRow(ctx, `SELECT id, data FROM record_blocks WHERE id = (SELECT max(id) FROM record_blocks WHERE id <= $1) AND last_id >= $1 AND file_id = $2`, id, t.fileID).Scan(&block, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return pageRecord{}, nil
	}
	if err != nil {
		return pageRecord{}, err
	}
	p := pageRecord{}
	err = decodeBlock(block, data, func(rid int64, r *tahqiq.RawRecord) error {
		if rid == id {
			p = pageRecord{kind: r.Kind, block: block}
		}
		return nil
	})
	return p, err
}

// edit records a change to record id of block.
func (t *rederiveTx) edit(block, id int64, e blockEdit) {
	if t.blockEdits == nil {
		t.blockEdits = map[int64]map[int64]blockEdit{}
	}
	if t.blockEdits[block] == nil {
		t.blockEdits[block] = map[int64]blockEdit{}
	}
	t.blockEdits[block][id] = e
}

func (t *rederiveTx) Files(ctx context.Context) ([]tahqiq.StoredFile, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, name, sha256, size, format, imported_at, records, kept, options FROM files WHERE dataset_id = $1 ORDER BY id`, t.datasetID)
	if err != nil {
		return nil, t.s.errorf("rederive files: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.StoredFile
	for rows.Next() {
		var f tahqiq.StoredFile
		var opts string
		if err := rows.Scan(&f.ID, &f.Name, &f.SHA256, &f.Size, &f.Format, timeValue{&f.ImportedAt}, &f.Records, &f.Kept, &opts); err != nil {
			return nil, t.s.errorf("rederive files: %w", err)
		}
		if f.Options, err = decodeOptions(opts); err != nil {
			return nil, t.s.errorf("rederive file %s: %w", f.Name, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (t *rederiveTx) Records(ctx context.Context, file, after int64, limit int) ([]tahqiq.StoredRecord, error) {
	var format, name string
	if err := t.tx.QueryRow(ctx, `SELECT format, name FROM files WHERE id = $1 AND dataset_id = $2`, file, t.datasetID).Scan(&format, &name); err != nil {
		return nil, t.s.errorf("rederive records of file %d: %w", file, err)
	}
	recs, err := recordsOfFile(ctx, t.tx, file, after, limit)
	if err != nil {
		return nil, t.s.errorf("rederive records: %w", err)
	}
	clear(t.page)
	out := make([]tahqiq.StoredRecord, len(recs))
	for i, r := range recs {
		r.rec.Format, r.rec.SourceFile = format, name
		out[i] = tahqiq.StoredRecord{ID: r.id, RawRecord: r.rec}
		t.page[r.id] = pageRecord{kind: r.rec.Kind, block: r.block}
	}
	return out, nil
}

func (t *rederiveTx) EachPost(ctx context.Context, fn func(record int64, uid, author string, data []byte) error) error {
	rows, err := t.tx.Query(ctx, `SELECT p.record_id, p.uid, a.uid, p.data FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.dataset_id = $1`, t.datasetID)
	if err != nil {
		return t.s.errorf("rederive posts: %w", err)
	}
	defer rows.Close()
	var rec int64
	var uid, author string
	var data []byte
	dest := []any{&rec, &uid, &author, &data}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return t.s.errorf("rederive posts: %w", err)
		}
		if err := fn(rec, uid, author, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *rederiveTx) EachShare(ctx context.Context, fn func(post string, typ tahqiq.ObjectType, object string) error) error {
	if err := t.flush(ctx); err != nil { // packed shares are in their posts' rows once written
		return err
	}
	return t.s.eachShare(ctx, t.tx, t.datasetID, nil, func(sh tahqiq.Share) error {
		return fn(sh.PostID, sh.Type, sh.Object)
	})
}

func (t *rederiveTx) EachReject(ctx context.Context, fn func(tahqiq.Reject) error) error {
	rows, err := t.tx.Query(ctx, `SELECT f.name, r.line, r.reason FROM rejects r JOIN files f ON f.id = r.file_id WHERE f.dataset_id = $1 ORDER BY r.id`, t.datasetID)
	if err != nil {
		return t.s.errorf("rederive rejects: %w", err)
	}
	defer rows.Close()
	var r tahqiq.Reject
	dest := []any{&r.File, &r.Line, &r.Reason}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return t.s.errorf("rederive rejects: %w", err)
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
	if err := t.tx.QueryRow(ctx, countsQuery, t.datasetID).Scan(&c.Records, &c.Posts, &c.Accounts, &c.Shares, &c.Rejects); err != nil {
		return c, t.s.errorf("rederive counts: %w", err)
	}
	return c, nil
}

func (t *rederiveTx) Reset(ctx context.Context) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM shares WHERE dataset_id = $1`,
		`DELETE FROM post_records WHERE post_id IN (SELECT id FROM posts WHERE dataset_id = $1)`,
		`DELETE FROM posts WHERE dataset_id = $1`,
		`DELETE FROM accounts WHERE dataset_id = $1`,
		`DELETE FROM rejects WHERE record_id IS NOT NULL AND file_id IN (SELECT id FROM files WHERE dataset_id = $1)`,
		`UPDATE datasets SET packed_shares = 0 WHERE id = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, t.datasetID); err != nil {
			return t.s.errorf("rederive reset: %w", err)
		}
	}
	t.posts.reset()
	clear(t.accounts)
	t.lastAccount, t.lastAccID, t.newOK = "", 0, false // the accounts are deleted: no memo of one
	t.hadPosts, t.hadAccounts = false, false
	t.before, t.missed = nil, 0
	t.written, t.evicted = newFilter(), nil // what the import wrote before is deleted
	t.firstPost = t.nextPost + 1
	return nil
}

func (t *rederiveTx) SetFile(ctx context.Context, file int64) error {
	if err := t.finishFile(ctx); err != nil {
		return err
	}
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM files WHERE id = $1 AND dataset_id = $2`, file, t.datasetID).Scan(&n); err != nil || n == 0 {
		return t.s.errorf("rederive: no file %d in the dataset (%v)", file, err)
	}
	t.fileID, t.nrecords, t.nkept = file, 0, 0
	return nil
}

func (t *rederiveTx) Rederive(ctx context.Context, rec *tahqiq.StoredRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	if t.fileID == 0 {
		return tahqiq.RecordResult{}, t.s.errorf("rederive record: no current file")
	}
	if err := t.evict(ctx); err != nil {
		return tahqiq.RecordResult{}, err
	}
	// rec.Kind is the kind the record derives now; a no-op when unchanged
	p, err := t.stored(ctx, rec.ID)
	if err != nil {
		return tahqiq.RecordResult{}, t.s.errorf("rederive record %d: %w", rec.ID, err)
	}
	if p.block != 0 {
		if p.kind != rec.Kind {
			t.edit(p.block, rec.ID, blockEdit{kind: rec.Kind})
		}
	} else if _, err := t.tx.Exec(ctx, `UPDATE records SET kind = $1 WHERE id = $2 AND file_id = $3 AND kind <> $1`, string(rec.Kind), rec.ID, t.fileID); err != nil {
		return tahqiq.RecordResult{}, t.s.errorf("rederive record %d: %w", rec.ID, err)
	}
	return t.add(ctx, rec.ID, &rec.RawRecord, posts, accounts, shares)
}

func (t *rederiveTx) DropRecord(ctx context.Context, rec *tahqiq.StoredRecord, reason string) error {
	if t.fileID == 0 {
		return t.s.errorf("drop record: no current file")
	}
	p, err := t.stored(ctx, rec.ID)
	if err != nil {
		return t.s.errorf("drop record %d: %w", rec.ID, err)
	}
	if p.block != 0 {
		t.edit(p.block, rec.ID, blockEdit{drop: true})
	} else if _, err := t.tx.Exec(ctx, `DELETE FROM records WHERE id = $1 AND file_id = $2`, rec.ID, t.fileID); err != nil {
		return t.s.errorf("drop record %d: %w", rec.ID, err)
	}
	return t.addReject(ctx, rec.Line, reason, rec.Raw, 0)
}
