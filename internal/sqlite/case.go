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

var _ tahqiq.CaseStore = (*DB)(nil)

// InTx runs fn in one write transaction: the state change and its log entry
// commit together.
func (db *DB) InTx(ctx context.Context, fn func(tx tahqiq.CaseTx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(&caseTx{logRows: logRows{tx}, tx: tx, db: db}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

type caseTx struct {
	logRows
	tx *sql.Tx
	db *DB
}

func conflict(err error, what string) error {
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "%s exists already", what)
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", what, err)
	}
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (t *caseTx) CreateOrganisation(ctx context.Context, o tahqiq.Organisation) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO organisations (id, name) VALUES (?, ?)`, o.ID, o.Name)
	return conflict(err, "organisation "+o.Name)
}

func (t *caseTx) CreateUser(ctx context.Context, u tahqiq.User) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO users (id, org_id, name, role) VALUES (?, ?, ?, ?)`, u.ID, u.OrgID, u.Name, string(u.Role))
	return conflict(err, "user "+u.Name)
}

func (t *caseTx) CreateCase(ctx context.Context, c tahqiq.Case) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO cases (id, org_id, title, description, tlp, created_by, created_at) VALUES (?,?,?,?,?,?,?)`,
		c.ID, c.OrgID, c.Title, c.Description, string(c.TLP), c.CreatedBy, ts(c.CreatedAt))
	return conflict(err, "case "+c.ID)
}

func (t *caseTx) CreateShare(ctx context.Context, s tahqiq.CaseShare) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO case_shares (case_id, item_id, org_id, tlp) VALUES (?,?,?,?)
		ON CONFLICT (case_id, item_id, org_id) DO UPDATE SET tlp = excluded.tlp`, s.CaseID, s.ItemID, s.OrgID, string(s.TLP))
	return conflict(err, "share")
}

func (t *caseTx) CreateItem(ctx context.Context, it tahqiq.Item) error {
	it.AddedAt = it.AddedAt.UTC()
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO items (id, case_id, seq, data) VALUES (?, ?, (SELECT count(*) FROM items), ?)`, it.ID, it.CaseID, b)
	if err := conflict(err, "item "+it.ID); err != nil {
		return err
	}
	for _, bl := range it.Blobs {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO item_blobs (item_id, sha256, dhash) VALUES (?, ?, ?)`, it.ID, bl.SHA256, bl.DHash); err != nil {
			return fmt.Errorf("sqlite: item blobs: %w", err)
		}
	}
	return nil
}

func (t *caseTx) record(ctx context.Context, id, caseID, kind string, v any, replace bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	q := `INSERT INTO case_records (id, case_id, kind, seq, data) VALUES (?, ?, ?, (SELECT count(*) FROM case_records), ?)`
	if replace {
		// the record keeps its row and so its place (INSERT OR REPLACE
		// would delete it and append it, moving it to the end)
		q += ` ON CONFLICT (id) DO UPDATE SET data = excluded.data`
	}
	_, err = t.tx.ExecContext(ctx, q, id, caseID, kind, b)
	return conflict(err, kind+" "+id)
}

func (t *caseTx) CreateFinding(ctx context.Context, f tahqiq.Finding) error {
	return t.record(ctx, f.ID, f.CaseID, "finding", f, false)
}

func (t *caseTx) PutRecommendation(ctx context.Context, r tahqiq.Recommendation) error {
	return t.record(ctx, r.ID, r.CaseID, "recommendation", r, true)
}

func (t *caseTx) CreateTask(ctx context.Context, k tahqiq.Task) error {
	return t.record(ctx, k.ID, k.CaseID, "task", k, false)
}

// PutTask replaces a task's data in place (its position among the case's
// records is kept).
func (t *caseTx) PutTask(ctx context.Context, k tahqiq.Task) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE case_records SET data = ? WHERE id = ? AND kind = 'task' AND case_id = ?`, b, k.ID, k.CaseID)
	if err != nil {
		return fmt.Errorf("sqlite: task %s: %w", k.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no task %q in case %s", k.ID, k.CaseID)
	}
	return nil
}

func (t *caseTx) CreateNote(ctx context.Context, n tahqiq.Note) error {
	return t.record(ctx, n.ID, n.CaseID, "note", n, false)
}

func notFound(err error, f string, a ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, f, a...)
	}
	return fmt.Errorf("sqlite: %s: %w", fmt.Sprintf(f, a...), err)
}

func (db *DB) findUser(ctx context.Context, col, v string) (tahqiq.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+col+` = ?`, v))
	if err != nil {
		return u, notFound(err, "no user %q", v)
	}
	return u, nil
}

// FindUserByName returns the user called name.
func (db *DB) FindUserByName(ctx context.Context, name string) (tahqiq.User, error) {
	return db.findUser(ctx, "name", name)
}

// FindUserByID returns the user with id.
func (db *DB) FindUserByID(ctx context.Context, id string) (tahqiq.User, error) {
	return db.findUser(ctx, "id", id)
}

func scanCase(sc interface{ Scan(...any) error }) (tahqiq.Case, error) {
	var c tahqiq.Case
	var tlp, at string
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Title, &c.Description, &tlp, &c.CreatedBy, &at); err != nil {
		return c, err
	}
	c.TLP = tahqiq.TLP(tlp)
	c.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
	return c, nil
}

const caseCols = `id, org_id, title, description, tlp, created_by, created_at`

// FindCaseByID returns a case.
func (db *DB) FindCaseByID(ctx context.Context, id string) (tahqiq.Case, error) {
	c, err := scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = ?`, id))
	if err != nil {
		return c, notFound(err, "no case %q", id)
	}
	return c, nil
}

// FindCases returns all cases, oldest first; access is filtered above.
func (db *DB) FindCases(ctx context.Context) ([]tahqiq.Case, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+caseCols+` FROM cases ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find cases: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: find cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindShares returns the shares of a case by organisation and item.
func (db *DB) FindShares(ctx context.Context, caseID string) ([]tahqiq.CaseShare, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT case_id, item_id, org_id, tlp FROM case_shares WHERE case_id = ? ORDER BY org_id, item_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find shares: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.CaseShare
	for rows.Next() {
		var s tahqiq.CaseShare
		var tlp string
		if err := rows.Scan(&s.CaseID, &s.ItemID, &s.OrgID, &tlp); err != nil {
			return nil, err
		}
		s.TLP = tahqiq.TLP(tlp)
		out = append(out, s)
	}
	return out, rows.Err()
}

func decodeRows[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlite: query: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("sqlite: decode row: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindItems returns a case's items in the order attached.
func (db *DB) FindItems(ctx context.Context, caseID string) ([]tahqiq.Item, error) {
	return decodeRows[tahqiq.Item](db.read.QueryContext(ctx, `SELECT data FROM items WHERE case_id = ? ORDER BY seq`, caseID))
}

// FindItemByID returns one item.
func (db *DB) FindItemByID(ctx context.Context, id string) (tahqiq.Item, error) {
	var it tahqiq.Item
	var b []byte
	if err := db.read.QueryRowContext(ctx, `SELECT data FROM items WHERE id = ?`, id).Scan(&b); err != nil {
		return it, notFound(err, "no item %q", id)
	}
	err := json.Unmarshal(b, &it)
	return it, err
}

// FindItemsByDHash returns items (any case) with an image of this dHash.
func (db *DB) FindItemsByDHash(ctx context.Context, dhash string) ([]tahqiq.Item, error) {
	return decodeRows[tahqiq.Item](db.read.QueryContext(ctx, `SELECT DISTINCT i.data FROM items i JOIN item_blobs b ON b.item_id = i.id WHERE b.dhash = ? ORDER BY i.seq`, dhash))
}

func findRecords[T any](ctx context.Context, db *DB, caseID, kind string) ([]T, error) {
	return decodeRows[T](db.read.QueryContext(ctx, `SELECT data FROM case_records WHERE case_id = ? AND kind = ? ORDER BY seq`, caseID, kind))
}

// FindFindings returns a case's findings.
func (db *DB) FindFindings(ctx context.Context, caseID string) ([]tahqiq.Finding, error) {
	return findRecords[tahqiq.Finding](ctx, db, caseID, "finding")
}

// FindRecommendations returns a case's recommendations.
func (db *DB) FindRecommendations(ctx context.Context, caseID string) ([]tahqiq.Recommendation, error) {
	return findRecords[tahqiq.Recommendation](ctx, db, caseID, "recommendation")
}

// FindRecommendation returns one recommendation.
func (db *DB) FindRecommendation(ctx context.Context, id string) (tahqiq.Recommendation, error) {
	var r tahqiq.Recommendation
	var b []byte
	if err := db.read.QueryRowContext(ctx, `SELECT data FROM case_records WHERE id = ? AND kind = 'recommendation'`, id).Scan(&b); err != nil {
		return r, notFound(err, "no recommendation %q", id)
	}
	err := json.Unmarshal(b, &r)
	return r, err
}

// FindTask returns a task by ID.
func (db *DB) FindTask(ctx context.Context, id string) (tahqiq.Task, error) {
	var k tahqiq.Task
	var b []byte
	if err := db.read.QueryRowContext(ctx, `SELECT data FROM case_records WHERE id = ? AND kind = 'task'`, id).Scan(&b); err != nil {
		return k, notFound(err, "no task %q", id)
	}
	err := json.Unmarshal(b, &k)
	return k, err
}

// FindTasks returns a case's tasks.
func (db *DB) FindTasks(ctx context.Context, caseID string) ([]tahqiq.Task, error) {
	return findRecords[tahqiq.Task](ctx, db, caseID, "task")
}

// FindNotes returns a case's notes.
func (db *DB) FindNotes(ctx context.Context, caseID string) ([]tahqiq.Note, error) {
	return findRecords[tahqiq.Note](ctx, db, caseID, "note")
}

func (t *caseTx) PutDatasetOrg(ctx context.Context, dataset, orgID string) error {
	var cur string
	err := t.tx.QueryRowContext(ctx, `SELECT org_id FROM dataset_orgs WHERE dataset = ?`, dataset).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.tx.ExecContext(ctx, `INSERT INTO dataset_orgs (dataset, org_id) VALUES (?, ?)`, dataset, orgID)
		return conflict(err, "dataset owner "+dataset)
	case err != nil:
		return fmt.Errorf("sqlite: dataset owner %q: %w", dataset, err)
	case cur != orgID:
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "dataset %q belongs to another organisation", dataset)
	}
	return nil
}

func (db *DB) FindDatasetOrgs(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT dataset, org_id FROM dataset_orgs`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dataset owners: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, o string
		if err := rows.Scan(&d, &o); err != nil {
			return nil, fmt.Errorf("sqlite: dataset owners: %w", err)
		}
		out[d] = o
	}
	return out, rows.Err()
}
