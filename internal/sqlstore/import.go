package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// cacheLimit bounds the entries of an import's in-memory caches (posts,
// accounts and shares together) so that their memory does not grow with
// the input (the filter's does, by about 1.6 bytes a key). At the bound, every buffered row is written and the caches evict
// part of their entries (evict): all of them are then in the database, and
// the import's filter of the keys it wrote tells a key never written (no
// lookup) from one that may be (the database answers). A variable for the
// tests.
var cacheLimit = 1 << 20

// BeginImport starts an import transaction into the named dataset,
// creating it if needed. Imports are serialised (LockImport; SQLite's
// single writer serialises them anyway), so the import assigns the ids of
// records, posts and accounts itself and writes rows in bulk.
func (s *Store) BeginImport(ctx context.Context, dataset string) (tahqiq.ImportTx, error) {
	if dataset == "" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "dataset name is empty")
	}
	tx, err := s.e.Begin(ctx)
	if err != nil {
		return nil, s.errorf("begin import: %w", err)
	}
	t := &importTx{s: s, tx: tx,
		posts: newPostCache(), accounts: map[string]int64{}, postRecSeen: map[[2]int64]struct{}{},
		postRows:    tx.Bulk("posts", "id", "dataset_id", "uid", "account_id", "created_at", "record_id", "data", "shares"),
		postRecs:    tx.Bulk("post_records", "post_id", "record_id"),
		accountRows: tx.Bulk("accounts", "id", "dataset_id", "uid", "record_id", "data"),
		shareRows:   tx.Bulk("shares", "dataset_id", "post_id", "account_id", "type", "object", "t", "precision"),
		blockRows:   tx.Bulk("record_blocks", "id", "file_id", "last_id", "records", "data"),
	}
	if err := t.init(ctx, dataset); err != nil {
		tx.Rollback(ctx)
		return nil, err
	}
	return t, nil
}

type importTx struct {
	caseTx    *caseTx // the same transaction as a tahqiq.CaseTx, made on first use
	s         *Store
	tx        Tx
	datasetID int64
	fileID    int64
	nrecords  int64
	nkept     int64 // records of the current file other than CSV header lines

	nextRecord, nextPost, nextAccount int64
	firstPost                         int64   // posts with smaller ids existed before this import
	hadPosts, hadAccounts             bool    // the dataset was not empty at the start
	before                            *filter // the posts the dataset held at the start (built once lookups of new posts add up: findPost)
	postsBefore                       int64   // an estimate of their number: the records its files kept
	missed                            int64   // database lookups of posts that found none
	written                           *filter // every post and account this import wrote
	evicted                           *filter // every post and account the caches dropped (nil until they drop one)
	lookups                           int64   // database lookups of posts, accounts and shares the caches and the filter left open (tests)

	posts       *postCache // posts written or looked up by this import, with their shares
	accounts    map[string]int64
	lastAccount string // the account uid asked last, and its id: a record names its author twice
	lastAccID   int64
	newPost     uint64 // the hash of the post findPost last found new by the filter (newOK)
	newOK       bool
	postRecSeen map[[2]int64]struct{} // (post, record) pairs of the current record: a post twice in a record is one occurrence

	// the posts the current record adds, written when the record is
	// done with their shares packed in their row (packed.go)
	pending []pendingPost
	found   []foundPost // the posts of the dataset the current record found
	packed  int64       // shares packed in posts and not yet added to the dataset's packed_shares

	block                                      blockWriter                   // the raw records of the current file not yet written
	zip                                        *compressor                   // compresses full blocks beside the inserts (nil until the first)
	blockEdits                                 map[int64]map[int64]blockEdit // re-deriving: changes to records of written blocks
	postRows, postRecs, accountRows, shareRows Bulk
	blockRows                                  Bulk   // blocks of raw records, written blockBatch at a time
	nblocks                                    int    // blocks in blockRows not yet written
	row                                        []any  // the row given to a Bulk, reused
	slab                                       []byte // the JSON of posts is cut from it (postJSON)

	selPost, findAccount, findShare, insReject Stmt
	done                                       bool
}

func (t *importTx) init(ctx context.Context, dataset string) error {
	if err := t.tx.Lock(ctx, LockImport); err != nil {
		return t.s.errorf("begin import %q: %w", dataset, err)
	}
	err := t.tx.QueryRow(ctx, `SELECT id FROM datasets WHERE name = $1`, dataset).Scan(&t.datasetID)
	if errors.Is(err, sql.ErrNoRows) {
		err = t.tx.QueryRow(ctx, `INSERT INTO datasets (name, created_at) VALUES ($1, $2) RETURNING id`, dataset, t.s.stamp(t.s.Now())).Scan(&t.datasetID)
	}
	if err != nil {
		return t.s.errorf("begin import %q: %w", dataset, err)
	}
	var lastInBlocks int64
	err = t.tx.QueryRow(ctx, `SELECT
		(SELECT coalesce(max(id), 0) FROM records),
		(SELECT coalesce(max(last_id), 0) FROM record_blocks),
		(SELECT coalesce(max(id), 0) FROM posts),
		(SELECT coalesce(max(id), 0) FROM accounts),
		EXISTS (SELECT 1 FROM posts WHERE dataset_id = $1),
		EXISTS (SELECT 1 FROM accounts WHERE dataset_id = $1)`, t.datasetID).
		Scan(&t.nextRecord, &lastInBlocks, &t.nextPost, &t.nextAccount, &t.hadPosts, &t.hadAccounts)
	if err != nil {
		return t.s.errorf("begin import %q: %w", dataset, err)
	}
	t.nextRecord = max(t.nextRecord, lastInBlocks)
	t.firstPost = t.nextPost + 1
	if t.hadPosts {
		if err := t.tx.QueryRow(ctx, `SELECT coalesce(sum(kept), 0) FROM files WHERE dataset_id = $1`, t.datasetID).Scan(&t.postsBefore); err != nil {
			return t.s.errorf("begin import %q: %w", dataset, err)
		}
	}
	t.written = newFilter()
	for _, st := range []struct {
		dst *Stmt
		q   string
	}{
		{&t.selPost, `SELECT p.id, p.account_id, a.uid, p.shares FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.dataset_id = $1 AND p.uid = $2`},
		{&t.findAccount, `SELECT id FROM accounts WHERE dataset_id = $1 AND uid = $2`},
		{&t.findShare, `SELECT EXISTS (SELECT 1 FROM shares WHERE dataset_id = $1 AND post_id = $2 AND type = $3 AND object = $4)`},
		{&t.insReject, `INSERT INTO rejects (file_id, line, reason, raw, record_id) VALUES ($1, $2, $3, $4, $5)`},
	} {
		if *st.dst, err = t.tx.Prepare(ctx, st.q); err != nil {
			return t.s.errorf("prepare: %w", err)
		}
	}
	return nil
}

// FindFile returns the file of the dataset with this SHA-256, after
// writing the counts of the current one (it may be the same file given
// twice).
func (t *importTx) FindFile(ctx context.Context, sha256 string) (tahqiq.ImportFile, bool, error) {
	var f tahqiq.ImportFile
	if err := t.finishFile(ctx); err != nil {
		return f, false, err
	}
	err := t.tx.QueryRow(ctx, `SELECT name, sha256, size, format, imported_at, records, kept,
		(SELECT count(*) FROM rejects WHERE file_id = files.id) FROM files WHERE dataset_id = $1 AND sha256 = $2`, t.datasetID, sha256).
		Scan(&f.Name, &f.SHA256, &f.Size, &f.Format, timeValue{&f.ImportedAt}, &f.Records, &f.Kept, &f.Rejects)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, t.s.errorf("find file: %w", err)
	}
	return f, true, nil
}

func (t *importTx) AddFile(ctx context.Context, f tahqiq.ImportFile) error {
	if err := t.finishFile(ctx); err != nil {
		return err
	}
	if err := t.replaceFile(ctx, f); err != nil {
		return err
	}
	at := f.ImportedAt
	if at.IsZero() {
		at = t.s.Now()
	}
	opts, err := encodeOptions(f.Options)
	if err != nil {
		return t.s.errorf("add file %s: %w", f.Name, err)
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO files (dataset_id, name, sha256, size, format, imported_at, options) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.datasetID, f.Name, f.SHA256, f.Size, f.Format, t.s.stamp(at), opts).Scan(&t.fileID)
	if err != nil {
		return t.s.errorf("add file %s: %w", f.Name, err)
	}
	t.nrecords, t.nkept = 0, 0
	return nil
}

// Derivation returns the derivation recorded for the dataset and
// whether it holds files.
func (t *importTx) Derivation(ctx context.Context) (string, bool, error) {
	var d string
	var files bool
	err := t.tx.QueryRow(ctx, `SELECT derivation, EXISTS (SELECT 1 FROM files WHERE dataset_id = $1) FROM datasets WHERE id = $1`, t.datasetID).Scan(&d, &files)
	if err != nil {
		return "", false, t.s.errorf("derivation: %w", err)
	}
	return d, files, nil
}

// SetDerivation records the derivation of the dataset.
func (t *importTx) SetDerivation(ctx context.Context, derivation string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE datasets SET derivation = $1 WHERE id = $2`, derivation, t.datasetID); err != nil {
		return t.s.errorf("set derivation: %w", err)
	}
	return nil
}

// replaceFile removes an earlier import of f that kept nothing (its
// header records and its rejects); one that kept something is a
// conflict.
func (t *importTx) replaceFile(ctx context.Context, f tahqiq.ImportFile) error {
	var id, kept int64
	err := t.tx.QueryRow(ctx, `SELECT id, kept FROM files WHERE dataset_id = $1 AND sha256 = $2`, t.datasetID, f.SHA256).Scan(&id, &kept)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return t.s.errorf("add file %s: %w", f.Name, err)
	}
	if kept > 0 {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "%s: already imported into the dataset", f.Name)
	}
	for _, q := range []string{`DELETE FROM records WHERE file_id = $1`, `DELETE FROM record_blocks WHERE file_id = $1`, `DELETE FROM rejects WHERE file_id = $1`, `DELETE FROM media WHERE file_id = $1`, `DELETE FROM files WHERE id = $1`} {
		if _, err := t.tx.Exec(ctx, q, id); err != nil {
			return t.s.errorf("replace file %s: %w", f.Name, err)
		}
	}
	return nil
}

// finishFile writes what is buffered and the record count of the current
// file.
func (t *importTx) finishFile(ctx context.Context) error {
	if t.fileID == 0 {
		return nil
	}
	if err := t.writeBlock(ctx); err != nil {
		return err
	}
	if err := t.insertBlocks(ctx); err != nil {
		return err
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `UPDATE files SET records = $1, kept = $2 WHERE id = $3`, t.nrecords, t.nkept, t.fileID); err != nil {
		return t.s.errorf("finish file: %w", err)
	}
	return nil
}

// flush writes every buffered row, and the changes re-deriving made to
// written blocks (the block being filled stays: no reader needs it
// before its file ends).
func (t *importTx) flush(ctx context.Context) error {
	if len(t.blockEdits) > 0 {
		if err := t.insertBlocks(ctx); err != nil { // the blocks edited are written
			return err
		}
	}
	for _, b := range []Bulk{t.accountRows, t.postRows, t.postRecs, t.shareRows, t.blockRows} {
		if err := b.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err() // an interrupt closes the transaction's statements: say it was the interrupt
			}
			return t.s.errorf("%w", err)
		}
	}
	t.nblocks = 0
	if t.packed != 0 {
		if _, err := t.tx.Exec(ctx, `UPDATE datasets SET packed_shares = packed_shares + $1 WHERE id = $2`, t.packed, t.datasetID); err != nil {
			return t.s.errorf("count packed shares: %w", err)
		}
		t.packed = 0
	}
	if len(t.blockEdits) > 0 {
		if err := editBlocks(ctx, t.tx, t.blockEdits); err != nil {
			return t.s.errorf("re-derive records: %w", err)
		}
	}
	return nil
}

// writeBlock hands the block of raw records being filled, if any, to the
// compressor, and inserts a block it compressed when as many as it takes
// are out (compress.go).
func (t *importTx) writeBlock(ctx context.Context) error {
	if t.block.n == 0 {
		return nil
	}
	if t.zip == nil {
		t.zip = newCompressor()
	}
	j := t.zip.job()
	j.first, j.last, j.n, j.file = t.block.first, t.block.prev, t.block.n, t.fileID
	j.buf, t.block.buf = t.block.buf, j.buf // the block's bytes go with the job, the job's buffers come back
	j.sums, t.block.sums = t.block.sums, j.sums
	t.block.reset()
	if back := t.zip.send(j); back != nil {
		return t.insertBlock(ctx, back)
	}
	return nil
}

// writeErr is the error of a write of the import's rows: the interrupt,
// when ctx is done (an interrupt closes the transaction's statements, and
// the error would otherwise name a closed statement).
func (t *importTx) writeErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return t.s.errorf("%w", err)
}

// blockBatch is how many blocks of raw records one multi-row INSERT or
// COPY writes (about 1 MiB of them: a block's row is up to 64 KiB of
// records compressed).
const blockBatch = 32

// insertBlock buffers a block the compressor compressed for the blocks'
// Bulk, writing them blockBatch at a time.
func (t *importTx) insertBlock(ctx context.Context, j *blockJob) error {
	if j.err != nil {
		return t.s.errorf("block of raw records: %w", j.err)
	}
	err := t.blockRows.Add(ctx, t.values(j.first, j.file, j.last, j.n, bytes.Clone(j.z.Bytes())))
	if err == nil {
		if t.nblocks++; t.nblocks == blockBatch {
			err = t.blockRows.Flush(ctx)
			t.nblocks = 0
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // an interrupt closes the transaction's statements: say it was the interrupt
		}
		return t.s.errorf("block of raw records: %w", err)
	}
	t.zip.release(j)
	return nil
}

// insertBlocks inserts every block out at the compressor.
func (t *importTx) insertBlocks(ctx context.Context) error {
	if t.zip == nil {
		return nil
	}
	for j := t.zip.receive(); j != nil; j = t.zip.receive() {
		if err := t.insertBlock(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// stopCompressor ends the compressor's goroutine, if started.
func (t *importTx) stopCompressor() {
	if t.zip != nil {
		t.zip.stop()
		t.zip = nil
	}
}

// evict keeps the caches within cacheLimit. At the bound it writes every
// buffered row, so that an entry it drops is in the database (an entry not
// yet written is always in its cache: a miss never needs a flush), then
// each cache holding more than a quarter of the bound drops half its
// entries, chosen by map order (no order of use is kept: the posts that
// fill the caches are mostly written once and not looked up again, while
// the accounts, which repeat, are seldom more than a quarter and stay).
func (t *importTx) evict(ctx context.Context) error {
	if t.posts.len()+len(t.accounts) < cacheLimit {
		return nil
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if t.evicted == nil {
		t.evicted = &filter{seeds: t.written.seeds} // the same hashes
	}
	t.posts.halve(t.evicted.add)
	halve(t.accounts, func(uid string) { t.evicted.add(t.written.hashUID(tagAccount, uid)) })
	return nil
}

// cachePost caches post uid of hash h. Another post of the same hash that
// the cache drops for it is written and becomes an evicted key: asked of
// the database when it is seen again.
func (t *importTx) cachePost(ctx context.Context, h uint64, uid string, p postRef) error {
	if other := t.posts.put(h, uid, p); other != "" {
		if err := t.flush(ctx); err != nil {
			return err
		}
		if t.evicted == nil {
			t.evicted = &filter{seeds: t.written.seeds}
		}
		t.evicted.add(h)
	}
	return nil
}

// halve drops half the entries of m when it holds more than a quarter of
// cacheLimit, calling dropped with the key of each.
func halve[V any](m map[string]V, dropped func(string)) {
	if len(m) <= cacheLimit/4 {
		return
	}
	drop := len(m) / 2
	for k := range m {
		if drop == 0 {
			return
		}
		delete(m, k)
		dropped(k)
		drop--
	}
}

// mayBeEvicted reports whether a key that the filter of written keys lets
// through (hash h in it) and that is not in its cache may be in the
// database: only if the caches dropped it (every key written and not
// dropped is in its cache). Asking the filter of dropped keys too makes a
// false positive of both, at their rates multiplied, what sends a new key
// to the database: none before the caches reach their bound.
func (t *importTx) mayBeEvicted(h uint64) bool {
	return t.evicted != nil && t.evicted.has(h)
}

// add stores what record recID of the current file derives (through
// storeimport, which decides it), counting it in the file.
func (t *importTx) add(ctx context.Context, recID int64, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	t.nrecords++
	if rec.Kind != tahqiq.RecordHeader {
		t.nkept++
	}
	clear(t.postRecSeen) // pairs hold the record id: only this record's can repeat
	t.found = t.found[:0]
	r, err := storeimport.Add(ctx, rows{t}, recID, rec, posts, accounts, shares)
	if err != nil {
		t.pending = t.pending[:0]
		return r, err
	}
	return r, t.writePending(ctx)
}

// noShares is the packed shares of a post with none.
var noShares = []byte{}

// pendingPost is a post the current record adds, with its shares packed.
type pendingPost struct {
	id, account, created, record int64
	h                            uint64 // the hash of its UID
	fresh                        bool   // no post of hash h was cached when findPost found it new
	uid, author                  string
	data, shares                 []byte
}

// writePending gives the posts the current record added, with their
// packed shares, to the posts' Bulk.
func (t *importTx) writePending(ctx context.Context) error {
	for i := range t.pending {
		p := &t.pending[i]
		if p.shares == nil {
			p.shares = noShares // the column is NOT NULL: empty, not NULL
		}
		if err := t.postRows.Add(ctx, t.values(p.id, t.datasetID, p.uid, p.account, p.created, p.record, p.data, p.shares)); err != nil {
			t.pending = t.pending[:0]
			return t.writeErr(ctx, err)
		}
		// the cache holds the post with its shares
		ref := postRef{id: p.id, account: p.account, author: p.author, shares: p.shares}
		if p.fresh {
			t.posts.putNew(p.h, p.uid, ref) // no post of its hash is cached (findPost looked)
		} else if err := t.cachePost(ctx, p.h, p.uid, ref); err != nil {
			t.pending = t.pending[:0]
			return err
		}
		*p = pendingPost{}
	}
	t.pending = t.pending[:0]
	return nil
}

func (t *importTx) AddRecord(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	if t.fileID == 0 {
		return tahqiq.RecordResult{}, t.s.errorf("add record: no current file")
	}
	if err := t.evict(ctx); err != nil {
		return tahqiq.RecordResult{}, err
	}
	if t.block.full() {
		if err := t.writeBlock(ctx); err != nil {
			return tahqiq.RecordResult{}, err
		}
	}
	t.nextRecord++
	recID := t.nextRecord
	t.block.add(recID, rec)
	return t.add(ctx, recID, rec, posts, accounts, shares)
}

// values returns vals in t.row, for a Bulk's Add (a slice made by the
// call would escape through the interface, one allocation per row).
func (t *importTx) values(vals ...any) []any {
	t.row = append(t.row[:0], vals...)
	return t.row
}

// rows is the import's side of storeimport.Rows.
type rows struct{ t *importTx }

func (r rows) Account(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (int64, bool, error) {
	return r.t.account(ctx, uid, recID, a)
}

func (r rows) FindPost(ctx context.Context, uid string) (int64, int64, string, bool, error) {
	return r.t.findPost(ctx, uid)
}

func (r rows) AddPost(ctx context.Context, p *tahqiq.Post, accID, recID int64) (int64, error) {
	return r.t.addPost(ctx, p, accID, recID)
}

func (r rows) AddOccurrence(ctx context.Context, post, recID int64) error {
	return r.t.addOccurrence(ctx, post, recID)
}

func (r rows) AddRecordReject(ctx context.Context, recID, line int64, reason string, raw []byte) error {
	return r.t.addReject(ctx, line, reason, raw, recID)
}

func (r rows) ShareExists(ctx context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error) {
	return r.t.shareExists(ctx, post, typ, object)
}

func (r rows) AddShare(ctx context.Context, post, account int64, s tahqiq.Share) error {
	t := r.t
	if p := t.pendingPost(post); p != nil {
		p.shares = addPacked(p.shares, &s, p.created)
		t.packed++
		return nil
	}
	// a share a later record adds to a post already written: a row
	if err := t.shareRows.Add(ctx, t.values(t.datasetID, post, account, string(s.Type), s.Object, s.Time, string(s.Precision))); err != nil {
		return t.writeErr(ctx, err)
	}
	if f := t.foundPost(post); f != nil {
		f.ref.shares = addPacked(f.ref.shares, &s, 0) // only type and object are read back
		return t.cachePost(ctx, f.h, f.uid, f.ref)
	}
	return nil
}

// pendingPost returns the post id that the current record adds, or nil.
func (t *importTx) pendingPost(id int64) *pendingPost {
	for i := range t.pending {
		if t.pending[i].id == id {
			return &t.pending[i]
		}
	}
	return nil
}

// pendingPostOfHash returns the post the current record adds whose UID
// has hash h, or nil.
func (t *importTx) pendingPostOfHash(h uint64) *pendingPost {
	for i := range t.pending {
		if t.pending[i].h == h {
			return &t.pending[i]
		}
	}
	return nil
}

// foundPost is a post of the dataset that the current record found, with
// the hash of its UID.
type foundPost struct {
	h   uint64
	uid string
	ref postRef
}

// foundPost returns post id, which the current record found in the
// dataset, or nil.
func (t *importTx) foundPost(id int64) *foundPost {
	for i := range t.found {
		if t.found[i].ref.id == id {
			return &t.found[i]
		}
	}
	return nil
}

// shareExists reports whether post, which the current record added or
// found in the dataset, has a share of typ and object: from the post's
// shares the import knows (every one, for a post it wrote), and for a post
// it read from the database, from the share rows.
func (t *importTx) shareExists(ctx context.Context, post int64, typ tahqiq.ObjectType, object string) (bool, error) {
	var known []byte
	rows := true
	if p := t.pendingPost(post); p != nil {
		known, rows = p.shares, false
	} else if f := t.foundPost(post); f != nil {
		known, rows = f.ref.shares, f.ref.rows
	}
	if ok, err := hasPacked(known, typ, object); err != nil || ok {
		if err != nil {
			err = t.s.errorf("post %d: %w", post, err)
		}
		return ok, err
	}
	if !rows {
		return false, nil
	}
	t.lookups++ // a post read from the database: a share row of it?
	var ok bool
	if err := t.findShare.QueryRow(ctx, t.datasetID, post, string(typ), object).Scan(&ok); err != nil {
		return false, t.s.errorf("find share: %w", err)
	}
	return ok, nil
}

// account returns the id of the account uid, adding it when absent. a may
// be nil (an author known only by its UID).
func (t *importTx) account(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (int64, bool, error) {
	if uid == t.lastAccount && t.lastAccID != 0 { // an events row names its account, then the post's author
		return t.lastAccID, false, nil
	}
	id, isNew, err := t.findAccount1(ctx, uid, recID, a)
	if err == nil {
		t.lastAccount, t.lastAccID = uid, id // an account's id never changes: kept past evict too
	}
	return id, isNew, err
}

// findAccount1 is account without its memo of the last uid.
func (t *importTx) findAccount1(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (int64, bool, error) {
	if id, ok := t.accounts[uid]; ok {
		return id, false, nil
	}
	h := t.written.hashUID(tagAccount, uid)
	if t.hadAccounts || t.written.has(h) && t.mayBeEvicted(h) {
		t.lookups++ // written and evicted, a false positive of both filters, or the dataset had accounts
		var id int64
		err := t.findAccount.QueryRow(ctx, t.datasetID, uid).Scan(&id)
		if err == nil {
			t.accounts[uid] = id
			return id, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, t.s.errorf("account %s: %w", uid, err)
		}
	}
	if a == nil {
		a = &tahqiq.Account{UID: uid, Followers: -1, Following: -1, PostsCount: -1}
	}
	data, err := json.Marshal(a)
	if err != nil {
		return 0, false, t.s.errorf("account %s: %w", uid, err)
	}
	t.nextAccount++
	id := t.nextAccount
	if err := t.accountRows.Add(ctx, t.values(id, t.datasetID, uid, recID, data)); err != nil {
		return 0, false, t.writeErr(ctx, err)
	}
	t.accounts[uid] = id
	t.written.add(h)
	return id, true, nil
}

// postRef is a post of the dataset: its id, its author's account id and
// UID, and the shares of it the import knows, packed (only their type and
// object are read: for a post the import wrote, every share it has; for
// one read from the database, its packed shares, and rows is set: share
// rows of it may be in the database).
type postRef struct {
	id, account int64
	author      string
	shares      []byte
	rows        bool
}

// findPost returns the post uid of the dataset with its author, from the
// cache or the database.
func (t *importTx) findPost(ctx context.Context, uid string) (int64, int64, string, bool, error) {
	t.newOK = false            // only the answer of this call may tell addPost its post's hash is new
	for i := range t.pending { // a post twice in one record
		if p := &t.pending[i]; p.uid == uid {
			return p.id, p.account, p.author, true, nil
		}
	}
	h := t.written.hashUID(tagPost, uid)
	p, ok, taken := t.posts.lookup(h, uid)
	if ok {
		t.found = append(t.found, foundPost{h, uid, p})
		return p.id, p.account, p.author, true, nil
	}
	if (t.evicted == nil || !t.written.has(h) || !t.evicted.has(h)) && (!t.hadPosts || t.before != nil && !t.before.has(h)) {
		// new: every post this import wrote is in the cache until the
		// cache drops it, when it goes into the filter of evicted keys
		// (the common case, one read of the cache's table; the filters
		// are asked only once the cache has dropped posts), and the
		// dataset held no post of this UID when the import began
		t.newPost, t.newOK = h, !taken // no post of this hash is cached: addPost's put needs no lookup
		return 0, 0, "", false, nil
	}
	t.lookups++ // written and evicted, a false positive of both filters, or the dataset had posts
	p = postRef{rows: true}
	err := t.selPost.QueryRow(ctx, t.datasetID, uid).Scan(&p.id, &p.account, &p.author, &p.shares)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.missed++
		return 0, 0, "", false, t.filterBefore(ctx)
	case err != nil:
		return 0, 0, "", false, t.s.errorf("post %s: %w", uid, err)
	}
	if err := t.cachePost(ctx, h, uid, p); err != nil {
		return 0, 0, "", false, err
	}
	t.found = append(t.found, foundPost{h, uid, p})
	return p.id, p.account, p.author, true, nil
}

// missedFirst is how many new posts an import into a dataset that held
// posts looks up before it reads the dataset's UIDs into a filter: a
// variable for the tests.
var missedFirst int64 = 4096

// filterBefore reads the UIDs of the posts the dataset held when the
// import began into a filter (before), once the database lookups of posts
// that found none cost about what reading them does: a lookup took about
// 15 µs of the import's goroutine and the inserting strand's wait for it
// (an import of 1M new posts into a dataset of 100,000: 2.5 times the CPU
// of the same into an empty one), a UID read about 0.5 µs. From then on a
// new post that the filter has never seen needs no lookup. The estimate of
// the posts held is the records its files kept.
func (t *importTx) filterBefore(ctx context.Context) error {
	if t.before != nil || t.missed < missedFirst || t.missed < t.postsBefore/32 {
		return nil
	}
	f := &filter{seeds: t.written.seeds}
	rows, err := t.tx.Query(ctx, `SELECT uid FROM posts WHERE dataset_id = $1 AND id < $2`, t.datasetID, t.firstPost)
	if err != nil {
		return t.s.errorf("read the dataset's posts: %w", err)
	}
	defer rows.Close()
	var uid string
	for rows.Next() {
		if err := rows.Scan(&uid); err != nil {
			return t.s.errorf("read the dataset's posts: %w", err)
		}
		f.add(f.hashUID(tagPost, uid))
	}
	if err := rows.Err(); err != nil {
		return t.s.errorf("read the dataset's posts: %w", err)
	}
	t.before = f
	return nil
}

// addPost adds p by account accID, first seen in record recID.
func (t *importTx) addPost(ctx context.Context, p *tahqiq.Post, accID, recID int64) (int64, error) {
	data, err := t.postJSON(p)
	if err != nil {
		return 0, t.s.errorf("post %s: %w", p.UID, err)
	}
	t.nextPost++
	id := t.nextPost
	h := t.written.hashUID(tagPost, p.UID)
	fresh := t.newOK && t.newPost == h && t.pendingPostOfHash(h) == nil
	t.newOK = false
	t.pending = append(t.pending, pendingPost{id: id, account: accID, created: p.CreatedAt.Unix(), record: recID, h: h, fresh: fresh, uid: p.UID, author: p.AuthorUID, data: data})
	t.written.add(h)
	return id, nil
}

// postJSON returns the JSON of p in bytes of their own, cut from a slab
// that is never written again (the rows' Bulk holds them until it writes
// them): one allocation for many posts.
func (t *importTx) postJSON(p *tahqiq.Post) ([]byte, error) {
	if cap(t.slab)-len(t.slab) < 4096 {
		t.slab = make([]byte, 0, 256<<10)
	}
	start := len(t.slab)
	b, err := appendPostJSON(t.slab, p)
	if err != nil {
		return nil, err
	}
	if &b[0] != &t.slab[:1][0] { // grew out of the slab: b is a slice of its own
		return b[start:], nil
	}
	t.slab = b
	return b[start:len(b):len(b)], nil
}

// addOccurrence records recID as another occurrence of post, once.
func (t *importTx) addOccurrence(ctx context.Context, post, recID int64) error {
	k := [2]int64{post, recID}
	if _, seen := t.postRecSeen[k]; seen {
		return nil
	}
	t.postRecSeen[k] = struct{}{}
	if err := t.postRecs.Add(ctx, t.values(post, recID)); err != nil {
		return t.writeErr(ctx, err)
	}
	return nil
}

func (t *importTx) AddReject(ctx context.Context, r tahqiq.Reject, raw []byte) error {
	return t.addReject(ctx, r.Line, r.Reason, raw, 0)
}

// addReject stores a reject of the current file; recID is the stored
// record it rejects a part of (a post-id conflict), or 0 for a record the
// parser rejected.
func (t *importTx) addReject(ctx context.Context, line int64, reason string, raw []byte, recID int64) error {
	if t.fileID == 0 {
		return t.s.errorf("add reject: no current file")
	}
	var rec any
	if recID != 0 {
		rec = recID
	}
	if _, err := t.insReject.Exec(ctx, t.fileID, line, reason, raw, rec); err != nil {
		return t.s.errorf("add reject: %w", err)
	}
	return nil
}

func (t *importTx) Commit(ctx context.Context) error {
	if t.done {
		return t.s.errorf("import already finished")
	}
	if err := t.finishFile(ctx); err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	t.stopCompressor()
	if err := t.tx.Commit(ctx); err != nil {
		return t.s.errorf("commit import: %w", err)
	}
	return nil
}

func (t *importTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	t.stopCompressor()
	return t.tx.Rollback(context.Background())
}

// CaseTx returns the import's transaction as a tahqiq.CaseTx, for the
// import's custody-log entry (the log lock is taken on its first use,
// after the import's own lock: one order for every transaction).
func (t *importTx) CaseTx() tahqiq.CaseTx {
	if t.caseTx == nil {
		t.caseTx = t.s.caseTx(t.tx)
	}
	return t.caseTx
}

// AddMedia stores a media file the posts of the current file name.
func (t *importTx) AddMedia(ctx context.Context, m tahqiq.MediaFile) error {
	if t.fileID == 0 {
		return t.s.errorf("add media: no current file")
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO media (dataset_id, file_id, name, status, detail, sha256, size, width, height, orientation,
		pdq, pdq_quality, pdq_dihedral, pdq_trimmed, dhash, object, distance, hashing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		t.datasetID, t.fileID, m.Name, string(m.Status), m.Detail, m.SHA256, m.Size, m.Width, m.Height, m.Orientation,
		m.PDQ, m.Quality, m.Dihedral, m.Trimmed, m.DHash, m.Object, m.Distance, m.Hashing)
	if err != nil {
		return t.s.errorf("add media %s: %w", m.Name, err)
	}
	return nil
}

// EachMedia calls fn for every media file of the dataset, in the order
// stored.
func (t *importTx) EachMedia(ctx context.Context, fn func(tahqiq.MediaFile) error) error {
	return t.s.eachMedia(ctx, t.tx, t.datasetID, fn)
}
