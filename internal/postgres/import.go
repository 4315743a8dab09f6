package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

var _ tahqiq.ImportStore = (*DB)(nil)

// cacheLimit bounds the in-memory caches of an import; past it the caches
// are dropped and the database answers.
const cacheLimit = 1 << 20

// BeginImport starts an import transaction into the named dataset. Imports
// are serialised by a transaction-scoped advisory lock (as SQLite's single
// writer serialises them), so the import assigns the ids of records, posts
// and accounts itself and writes rows with COPY.
func (db *DB) BeginImport(ctx context.Context, dataset string) (tahqiq.ImportTx, error) {
	if dataset == "" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "dataset name is empty")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: begin import: %w", err)
	}
	t := &importTx{db: db, tx: tx,
		posts: map[string]postRef{}, accounts: map[string]int64{}, shares: map[shareKey]struct{}{}, postRecSeen: map[[2]int64]struct{}{},
		records:     newBatch("records", "id", "file_id", "line", "offset", "locator", "kind", "sha256", "raw", "collected_at"),
		postRows:    newBatch("posts", "id", "dataset_id", "uid", "account_id", "created_at", "record_id", "data"),
		postRecs:    newBatch("post_records", "post_id", "record_id"),
		accountRows: newBatch("accounts", "id", "dataset_id", "uid", "record_id", "data"),
		shareRows:   newBatch("shares", "dataset_id", "post_id", "account_id", "type", "object", "t", "precision"),
	}
	if err := t.init(ctx, dataset); err != nil {
		tx.Rollback(ctx)
		return nil, err
	}
	return t, nil
}

type shareKey struct {
	post   int64
	typ    tahqiq.ObjectType
	object string
}

type importTx struct {
	caseTx    *caseTx // the same transaction as a tahqiq.CaseTx, made on first use
	db        *DB
	tx        pgx.Tx
	datasetID int64
	fileID    int64
	nrecords  int64
	nkept     int64 // records of the current file other than CSV header lines

	nextRecord, nextPost, nextAccount int64
	firstPost                         int64
	hadPosts, hadAccounts             bool
	complete                          bool

	posts       map[string]postRef
	accounts    map[string]int64
	shares      map[shareKey]struct{}
	postRecSeen map[[2]int64]struct{} // (post, record) pairs of the current record, as COPY cannot skip conflicts

	records, postRows, postRecs, accountRows, shareRows *batch
	done                                                bool
}

func (t *importTx) init(ctx context.Context, dataset string) error {
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(importLock)); err != nil {
		return fmt.Errorf("postgres: begin import %q: %w", dataset, err)
	}
	err := t.tx.QueryRow(ctx, `SELECT id FROM datasets WHERE name = $1`, dataset).Scan(&t.datasetID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = t.tx.QueryRow(ctx, `INSERT INTO datasets (name, created_at) VALUES ($1, $2) RETURNING id`, dataset, t.db.Now()).Scan(&t.datasetID)
	}
	if err != nil {
		return fmt.Errorf("postgres: begin import %q: %w", dataset, err)
	}
	err = t.tx.QueryRow(ctx, `SELECT
		(SELECT coalesce(max(id), 0) FROM records),
		(SELECT coalesce(max(id), 0) FROM posts),
		(SELECT coalesce(max(id), 0) FROM accounts),
		EXISTS (SELECT 1 FROM posts WHERE dataset_id = $1),
		EXISTS (SELECT 1 FROM accounts WHERE dataset_id = $1)`, t.datasetID).
		Scan(&t.nextRecord, &t.nextPost, &t.nextAccount, &t.hadPosts, &t.hadAccounts)
	if err != nil {
		return fmt.Errorf("postgres: begin import %q: %w", dataset, err)
	}
	t.firstPost = t.nextPost + 1
	t.complete = true
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
		Scan(&f.Name, &f.SHA256, &f.Size, &f.Format, &f.ImportedAt, &f.Records, &f.Kept, &f.Rejects)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("postgres: find file: %w", err)
	}
	f.ImportedAt = f.ImportedAt.UTC()
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
		at = t.db.Now()
	}
	opts, err := encodeOptions(f.Options)
	if err != nil {
		return fmt.Errorf("postgres: add file %s: %w", f.Name, err)
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO files (dataset_id, name, sha256, size, format, imported_at, options) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.datasetID, f.Name, f.SHA256, f.Size, f.Format, at.UTC().Truncate(1e9), opts).Scan(&t.fileID)
	if err != nil {
		return fmt.Errorf("postgres: add file %s: %w", f.Name, err)
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
		return "", false, fmt.Errorf("postgres: derivation: %w", err)
	}
	return d, files, nil
}

// SetDerivation records the derivation of the dataset.
func (t *importTx) SetDerivation(ctx context.Context, derivation string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE datasets SET derivation = $1 WHERE id = $2`, derivation, t.datasetID); err != nil {
		return fmt.Errorf("postgres: set derivation: %w", err)
	}
	return nil
}

// replaceFile removes an earlier import of f that kept nothing (its
// header records and its rejects); one that kept something is a
// conflict.
func (t *importTx) replaceFile(ctx context.Context, f tahqiq.ImportFile) error {
	var id, kept int64
	err := t.tx.QueryRow(ctx, `SELECT id, kept FROM files WHERE dataset_id = $1 AND sha256 = $2`, t.datasetID, f.SHA256).Scan(&id, &kept)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("postgres: add file %s: %w", f.Name, err)
	}
	if kept > 0 {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "%s: already imported into the dataset", f.Name)
	}
	for _, q := range []string{`DELETE FROM records WHERE file_id = $1`, `DELETE FROM rejects WHERE file_id = $1`, `DELETE FROM media WHERE file_id = $1`, `DELETE FROM files WHERE id = $1`} {
		if _, err := t.tx.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("postgres: replace file %s: %w", f.Name, err)
		}
	}
	return nil
}

func (t *importTx) finishFile(ctx context.Context) error {
	if t.fileID == 0 {
		return nil
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `UPDATE files SET records = $1, kept = $2 WHERE id = $3`, t.nrecords, t.nkept, t.fileID); err != nil {
		return fmt.Errorf("postgres: finish file: %w", err)
	}
	return nil
}

func (t *importTx) flush(ctx context.Context) error {
	for _, b := range []*batch{t.records, t.accountRows, t.postRows, t.postRecs, t.shareRows} {
		if err := b.flush(ctx, t.tx); err != nil {
			return err
		}
	}
	return nil
}

func (t *importTx) forget(ctx context.Context) error {
	if len(t.posts)+len(t.accounts)+len(t.shares) < cacheLimit {
		return nil
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	clear(t.posts)
	clear(t.accounts)
	clear(t.shares)
	t.complete = false
	return nil
}

func (t *importTx) AddRecord(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	var r tahqiq.RecordResult
	if t.fileID == 0 {
		return r, errors.New("postgres: add record: no current file")
	}
	if err := t.forget(ctx); err != nil {
		return r, err
	}
	var collected *int64
	if !rec.CollectedAt.IsZero() {
		c := rec.CollectedAt.Unix()
		collected = &c
	}
	t.nextRecord++
	recID := t.nextRecord
	clear(t.postRecSeen) // pairs hold the record id: only this record's can repeat
	raw := rec.Raw
	if raw == nil {
		raw = []byte{}
	}
	if err := t.records.add(ctx, t.tx, recID, t.fileID, rec.Line, rec.Offset, rec.Locator, string(rec.Kind), rec.SHA256[:], raw, collected); err != nil {
		return r, err
	}
	t.nrecords++
	if rec.Kind != tahqiq.RecordHeader {
		t.nkept++
	}

	return storeimport.Add(ctx, rows{t}, recID, rec, posts, accounts, shares)
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
	return r.t.shareExists(ctx, shareKey{post, typ, object})
}

func (r rows) AddShare(ctx context.Context, post, account int64, s tahqiq.Share) error {
	r.t.shares[shareKey{post, s.Type, s.Object}] = struct{}{}
	return r.t.shareRows.add(ctx, r.t.tx, r.t.datasetID, post, account, string(s.Type), s.Object, s.Time, string(s.Precision))
}

func (t *importTx) shareExists(ctx context.Context, k shareKey) (bool, error) {
	if _, ok := t.shares[k]; ok {
		return true, nil
	}
	if k.post >= t.firstPost && t.complete {
		return false, nil
	}
	if err := t.shareRows.flush(ctx, t.tx); err != nil {
		return false, err
	}
	var ok bool
	if err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM shares WHERE post_id = $1 AND type = $2 AND object = $3)`, k.post, string(k.typ), k.object).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres: find share: %w", err)
	}
	return ok, nil
}

func (t *importTx) account(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (int64, bool, error) {
	if id, ok := t.accounts[uid]; ok {
		return id, false, nil
	}
	if t.hadAccounts || !t.complete {
		var id int64
		err := t.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE dataset_id = $1 AND uid = $2`, t.datasetID, uid).Scan(&id)
		if err == nil {
			t.accounts[uid] = id
			return id, false, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, fmt.Errorf("postgres: account %s: %w", uid, err)
		}
	}
	if a == nil {
		a = &tahqiq.Account{UID: uid, Followers: -1, Following: -1, PostsCount: -1}
	}
	data, err := json.Marshal(a)
	if err != nil {
		return 0, false, fmt.Errorf("postgres: account %s: %w", uid, err)
	}
	t.nextAccount++
	id := t.nextAccount
	if err := t.accountRows.add(ctx, t.tx, id, t.datasetID, uid, recID, string(data)); err != nil {
		return 0, false, err
	}
	t.accounts[uid] = id
	return id, true, nil
}

// postRef is a post of the dataset: its id, and its author's account id
// and UID.
type postRef struct {
	id, account int64
	author      string
}

func (t *importTx) findPost(ctx context.Context, uid string) (int64, int64, string, bool, error) {
	if p, ok := t.posts[uid]; ok {
		return p.id, p.account, p.author, true, nil
	}
	if !t.hadPosts && t.complete {
		return 0, 0, "", false, nil
	}
	var p postRef
	err := t.tx.QueryRow(ctx, `SELECT p.id, p.account_id, a.uid FROM posts p JOIN accounts a ON a.id = p.account_id
		WHERE p.dataset_id = $1 AND p.uid = $2`, t.datasetID, uid).Scan(&p.id, &p.account, &p.author)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, 0, "", false, nil
	case err != nil:
		return 0, 0, "", false, fmt.Errorf("postgres: post %s: %w", uid, err)
	}
	t.posts[uid] = p
	return p.id, p.account, p.author, true, nil
}

func (t *importTx) addPost(ctx context.Context, p *tahqiq.Post, accID, recID int64) (int64, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("postgres: post %s: %w", p.UID, err)
	}
	t.nextPost++
	id := t.nextPost
	if err := t.postRows.add(ctx, t.tx, id, t.datasetID, p.UID, accID, p.CreatedAt.Unix(), recID, string(data)); err != nil {
		return 0, err
	}
	t.posts[p.UID] = postRef{id: id, account: accID, author: p.AuthorUID}
	return id, nil
}

func (t *importTx) addOccurrence(ctx context.Context, post, recID int64) error {
	k := [2]int64{post, recID}
	if _, seen := t.postRecSeen[k]; seen {
		return nil
	}
	t.postRecSeen[k] = struct{}{}
	return t.postRecs.add(ctx, t.tx, post, recID)
}

func (t *importTx) AddReject(ctx context.Context, r tahqiq.Reject, raw []byte) error {
	return t.addReject(ctx, r.Line, r.Reason, raw, 0)
}

// addReject stores a reject of the current file; recID is the stored
// record it rejects a part of (a post-id conflict), or 0 for a record the
// parser rejected.
func (t *importTx) addReject(ctx context.Context, line int64, reason string, raw []byte, recID int64) error {
	if t.fileID == 0 {
		return errors.New("postgres: add reject: no current file")
	}
	var rec *int64
	if recID != 0 {
		rec = &recID
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO rejects (file_id, line, reason, raw, record_id) VALUES ($1, $2, $3, $4, $5)`, t.fileID, line, reason, raw, rec); err != nil {
		return fmt.Errorf("postgres: add reject: %w", err)
	}
	return nil
}

func (t *importTx) Commit(ctx context.Context) error {
	if t.done {
		return errors.New("postgres: import already finished")
	}
	if err := t.finishFile(ctx); err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit import: %w", err)
	}
	return nil
}

func (t *importTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	return t.tx.Rollback(context.Background())
}

// CaseTx returns the import's transaction as a tahqiq.CaseTx, for the
// import's custody-log entry (the log lock is taken on its first use,
// after the import's own lock: one order for every transaction).
func (t *importTx) CaseTx() tahqiq.CaseTx {
	if t.caseTx == nil {
		t.caseTx = &caseTx{logRows: logRows{q: t.tx, locked: new(bool)}, tx: t.tx, db: t.db}
	}
	return t.caseTx
}

// AddMedia stores a media file the posts of the current file name.
func (t *importTx) AddMedia(ctx context.Context, m tahqiq.MediaFile) error {
	if t.fileID == 0 {
		return errors.New("postgres: add media: no current file")
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO media (dataset_id, file_id, name, status, detail, sha256, size, width, height, orientation,
		pdq, pdq_quality, pdq_dihedral, pdq_trimmed, dhash, object, distance, hashing) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		t.datasetID, t.fileID, m.Name, string(m.Status), m.Detail, m.SHA256, m.Size, m.Width, m.Height, m.Orientation,
		m.PDQ, m.Quality, m.Dihedral, m.Trimmed, m.DHash, m.Object, m.Distance, m.Hashing)
	if err != nil {
		return fmt.Errorf("postgres: add media %s: %w", m.Name, err)
	}
	return nil
}

// EachMedia calls fn for every media file of the dataset, in the order
// stored.
func (t *importTx) EachMedia(ctx context.Context, fn func(tahqiq.MediaFile) error) error {
	return eachMedia(ctx, t.tx, t.datasetID, fn)
}
