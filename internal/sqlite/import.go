package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tahqiq/tahqiq"
)

var _ tahqiq.ImportStore = (*DB)(nil)

// cacheLimit bounds the in-memory id caches of an import so that memory
// does not grow with the input; past it the caches are dropped and the
// unique indexes answer.
const cacheLimit = 1 << 20

// BeginImport starts an import transaction into the named dataset.
func (db *DB) BeginImport(ctx context.Context, dataset string) (tahqiq.ImportTx, error) {
	if dataset == "" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "dataset name is empty")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin import: %w", err)
	}
	t := &importTx{db: db, tx: tx, posts: map[string]int64{}, accounts: map[string]int64{}}
	err = tx.QueryRowContext(ctx, `SELECT id FROM datasets WHERE name = ?`, dataset).Scan(&t.datasetID)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = tx.ExecContext(ctx, `INSERT INTO datasets (name, created_at) VALUES (?, ?)`, dataset, db.Now().Format(time.RFC3339))
		if err == nil {
			t.datasetID, err = res.LastInsertId()
		}
	}
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("sqlite: begin import %q: %w", dataset, err)
	}
	if err := t.prepare(ctx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return t, nil
}

type importTx struct {
	db        *DB
	tx        *sql.Tx
	datasetID int64
	fileID    int64
	nrecords  int64

	insRecord, insPost, findPost, insPostRec, insAccount, findAccount, insShare, insReject *sql.Stmt

	posts    map[string]int64 // uid -> posts.id, bounded by cacheLimit
	accounts map[string]int64 // uid -> accounts.id
	done     bool
}

func (t *importTx) prepare(ctx context.Context) error {
	stmts := []struct {
		dst **sql.Stmt
		q   string
	}{
		{&t.insRecord, `INSERT INTO records (file_id, line, offset, locator, kind, sha256, raw, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&t.insPost, `INSERT INTO posts (dataset_id, uid, account_id, created_at, record_id, data) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&t.findPost, `SELECT id FROM posts WHERE dataset_id = ? AND uid = ?`},
		{&t.insPostRec, `INSERT OR IGNORE INTO post_records (post_id, record_id) VALUES (?, ?)`},
		{&t.insAccount, `INSERT INTO accounts (dataset_id, uid, record_id, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&t.findAccount, `SELECT id FROM accounts WHERE dataset_id = ? AND uid = ?`},
		{&t.insShare, `INSERT OR IGNORE INTO shares (dataset_id, type, object, post_id, account_id, t, precision) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&t.insReject, `INSERT INTO rejects (file_id, line, reason, raw) VALUES (?, ?, ?, ?)`},
	}
	for _, s := range stmts {
		st, err := t.tx.PrepareContext(ctx, s.q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare: %w", err)
		}
		*s.dst = st
	}
	return nil
}

func (t *importTx) HasFile(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM files WHERE dataset_id = ? AND sha256 = ?`, t.datasetID, sha256).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: has file: %w", err)
	}
	return n > 0, nil
}

func (t *importTx) AddFile(ctx context.Context, f tahqiq.ImportFile) error {
	if err := t.finishFile(ctx); err != nil {
		return err
	}
	at := f.ImportedAt
	if at.IsZero() {
		at = t.db.Now()
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO files (dataset_id, name, sha256, size, format, imported_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.datasetID, f.Name, f.SHA256, f.Size, f.Format, at.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("sqlite: add file %s: %w", f.Name, err)
	}
	t.fileID, err = res.LastInsertId()
	t.nrecords = 0
	return err
}

// finishFile stores the record count of the current file.
func (t *importTx) finishFile(ctx context.Context) error {
	if t.fileID == 0 {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE files SET records = ? WHERE id = ?`, t.nrecords, t.fileID); err != nil {
		return fmt.Errorf("sqlite: finish file: %w", err)
	}
	return nil
}

func (t *importTx) AddRecord(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, error) {
	var r tahqiq.RecordResult
	if t.fileID == 0 {
		return r, errors.New("sqlite: add record: no current file")
	}
	var collected any
	if !rec.CollectedAt.IsZero() {
		collected = rec.CollectedAt.Unix()
	}
	res, err := t.insRecord.ExecContext(ctx, t.fileID, rec.Line, rec.Offset, rec.Locator, string(rec.Kind), rec.SHA256[:], rec.Raw, collected)
	if err != nil {
		return r, fmt.Errorf("sqlite: add record %s: %w", rec.Locator, err)
	}
	recID, err := res.LastInsertId()
	if err != nil {
		return r, err
	}
	t.nrecords++

	for i := range accounts {
		a := &accounts[i]
		_, isNew, err := t.account(ctx, a.UID, recID, a)
		if err != nil {
			return r, err
		}
		if isNew {
			r.NewAccounts++
		}
	}
	type postRef struct {
		id, account int64
		isNew       bool
		newShares   int
	}
	refs := make(map[string]*postRef, len(posts))
	for i := range posts {
		p := &posts[i]
		accID, isNew, err := t.account(ctx, p.AuthorUID, recID, nil)
		if err != nil {
			return r, err
		}
		if isNew {
			r.NewAccounts++
		}
		id, isNewPost, err := t.post(ctx, p, accID, recID)
		if err != nil {
			return r, err
		}
		if isNewPost {
			r.NewPosts++
		}
		refs[p.UID] = &postRef{id: id, account: accID, isNew: isNewPost}
	}
	for _, s := range shares {
		ref, ok := refs[s.PostID]
		if !ok {
			return r, fmt.Errorf("sqlite: add record %s: share of post %s not in the record", rec.Locator, s.PostID)
		}
		res, err := t.insShare.ExecContext(ctx, t.datasetID, string(s.Type), s.Object, ref.id, ref.account, s.Time, string(s.Precision))
		if err != nil {
			return r, fmt.Errorf("sqlite: add share: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			r.NewShares++
			ref.newShares++
		}
	}
	for _, ref := range refs {
		if !ref.isNew && ref.newShares == 0 {
			r.Duplicates++
		}
	}
	return r, nil
}

// account returns the id of the account uid, inserting it when absent.
// a may be nil (an author known only by its UID).
func (t *importTx) account(ctx context.Context, uid string, recID int64, a *tahqiq.Account) (int64, bool, error) {
	if id, ok := t.accounts[uid]; ok {
		return id, false, nil
	}
	if a == nil {
		a = &tahqiq.Account{UID: uid, Followers: -1, Following: -1, PostsCount: -1}
	}
	data, err := json.Marshal(a)
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: account %s: %w", uid, err)
	}
	res, err := t.insAccount.ExecContext(ctx, t.datasetID, uid, recID, data)
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: account %s: %w", uid, err)
	}
	var id int64
	isNew := false
	if n, _ := res.RowsAffected(); n > 0 {
		id, err = res.LastInsertId()
		isNew = true
	} else {
		err = t.findAccount.QueryRowContext(ctx, t.datasetID, uid).Scan(&id)
	}
	if err != nil {
		return 0, false, fmt.Errorf("sqlite: account %s: %w", uid, err)
	}
	if len(t.accounts) >= cacheLimit {
		clear(t.accounts)
	}
	t.accounts[uid] = id
	return id, isNew, nil
}

// post stores p or, when its UID is already in the dataset, records recID
// as another occurrence.
func (t *importTx) post(ctx context.Context, p *tahqiq.Post, accID, recID int64) (int64, bool, error) {
	id, ok := t.posts[p.UID]
	if !ok {
		data, err := json.Marshal(p)
		if err != nil {
			return 0, false, fmt.Errorf("sqlite: post %s: %w", p.UID, err)
		}
		res, err := t.insPost.ExecContext(ctx, t.datasetID, p.UID, accID, p.CreatedAt.Unix(), recID, data)
		if err != nil {
			return 0, false, fmt.Errorf("sqlite: post %s: %w", p.UID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			id, err = res.LastInsertId()
			if err != nil {
				return 0, false, err
			}
			if len(t.posts) >= cacheLimit {
				clear(t.posts)
			}
			t.posts[p.UID] = id
			return id, true, nil
		}
		if err := t.findPost.QueryRowContext(ctx, t.datasetID, p.UID).Scan(&id); err != nil {
			return 0, false, fmt.Errorf("sqlite: post %s: %w", p.UID, err)
		}
		if len(t.posts) >= cacheLimit {
			clear(t.posts)
		}
		t.posts[p.UID] = id
	}
	if _, err := t.insPostRec.ExecContext(ctx, id, recID); err != nil {
		return 0, false, fmt.Errorf("sqlite: post %s occurrence: %w", p.UID, err)
	}
	return id, false, nil
}

func (t *importTx) AddReject(ctx context.Context, r tahqiq.Reject, raw []byte) error {
	if t.fileID == 0 {
		return errors.New("sqlite: add reject: no current file")
	}
	if _, err := t.insReject.ExecContext(ctx, t.fileID, r.Line, r.Reason, raw); err != nil {
		return fmt.Errorf("sqlite: add reject: %w", err)
	}
	return nil
}

func (t *importTx) Commit(ctx context.Context) error {
	if t.done {
		return errors.New("sqlite: import already finished")
	}
	if err := t.finishFile(ctx); err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit import: %w", err)
	}
	return nil
}

func (t *importTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	return t.tx.Rollback()
}
