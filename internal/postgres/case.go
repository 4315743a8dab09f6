package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tahqiq/tahqiq"
)

var _ tahqiq.CaseStore = (*DB)(nil)

// InTx runs fn in one transaction: the state change and its log entry
// commit together; the log lock, taken by the first read of the log's end,
// makes sure two changes never get the same log index.
func (db *DB) InTx(ctx context.Context, fn func(tx tahqiq.CaseTx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(&caseTx{logRows: logRows{q: tx, locked: new(bool)}, tx: tx, db: db}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

type caseTx struct {
	logRows
	tx pgx.Tx
	db *DB
}

func conflict(err error, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "%s exists already", what)
	}
	if err != nil {
		return fmt.Errorf("postgres: create %s: %w", what, err)
	}
	return nil
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (t *caseTx) CreateOrganisation(ctx context.Context, o tahqiq.Organisation) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO organisations (id, name) VALUES ($1, $2)`, o.ID, o.Name)
	return conflict(err, "organisation "+o.Name)
}

func (t *caseTx) CreateUser(ctx context.Context, u tahqiq.User) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO users (id, org_id, name, role) VALUES ($1, $2, $3, $4)`, u.ID, u.OrgID, u.Name, string(u.Role))
	return conflict(err, "user "+u.Name)
}

func (t *caseTx) CreateCase(ctx context.Context, c tahqiq.Case) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO cases (id, org_id, title, description, tlp, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		c.ID, c.OrgID, c.Title, c.Description, string(c.TLP), c.CreatedBy, ts(c.CreatedAt))
	return conflict(err, "case "+c.ID)
}

func (t *caseTx) CreateShare(ctx context.Context, s tahqiq.CaseShare) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO case_shares (case_id, item_id, org_id, tlp) VALUES ($1,$2,$3,$4)
		ON CONFLICT (case_id, item_id, org_id) DO UPDATE SET tlp = excluded.tlp`, s.CaseID, s.ItemID, s.OrgID, string(s.TLP))
	return conflict(err, "share")
}

func (t *caseTx) CreateItem(ctx context.Context, it tahqiq.Item) error {
	it.AddedAt = it.AddedAt.UTC()
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO items (id, case_id, seq, data) VALUES ($1, $2, (SELECT count(*) FROM items), $3)`, it.ID, it.CaseID, b)
	if err := conflict(err, "item "+it.ID); err != nil {
		return err
	}
	for _, bl := range it.Blobs {
		if _, err := t.tx.Exec(ctx, `INSERT INTO item_blobs (item_id, sha256, dhash) VALUES ($1, $2, $3)`, it.ID, bl.SHA256, bl.DHash); err != nil {
			return fmt.Errorf("postgres: item blobs: %w", err)
		}
	}
	return nil
}

func (t *caseTx) record(ctx context.Context, id, caseID, kind string, v any, replace bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	q := `INSERT INTO case_records (id, case_id, kind, seq, data) VALUES ($1, $2, $3, (SELECT count(*) FROM case_records), $4)`
	if replace {
		q += ` ON CONFLICT (id) DO UPDATE SET data = excluded.data`
	}
	_, err = t.tx.Exec(ctx, q, id, caseID, kind, b)
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

func (t *caseTx) PutTask(ctx context.Context, k tahqiq.Task) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `UPDATE case_records SET data = $1 WHERE id = $2 AND kind = 'task' AND case_id = $3`, b, k.ID, k.CaseID)
	if err != nil {
		return fmt.Errorf("postgres: task %s: %w", k.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no task %q in case %s", k.ID, k.CaseID)
	}
	return nil
}

func (t *caseTx) CreateNote(ctx context.Context, n tahqiq.Note) error {
	return t.record(ctx, n.ID, n.CaseID, "note", n, false)
}

func (t *caseTx) PutDatasetOrg(ctx context.Context, dataset, orgID string) error {
	var cur string
	err := t.tx.QueryRow(ctx, `SELECT org_id FROM dataset_orgs WHERE dataset = $1`, dataset).Scan(&cur)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		_, err = t.tx.Exec(ctx, `INSERT INTO dataset_orgs (dataset, org_id) VALUES ($1, $2)`, dataset, orgID)
		return conflict(err, "dataset owner "+dataset)
	case err != nil:
		return fmt.Errorf("postgres: dataset owner %q: %w", dataset, err)
	case cur != orgID:
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "dataset %q belongs to another organisation", dataset)
	}
	return nil
}

func notFound(err error, f string, a ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, f, a...)
	}
	return fmt.Errorf("postgres: %s: %w", fmt.Sprintf(f, a...), err)
}

func (db *DB) findUser(ctx context.Context, col, v string) (tahqiq.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE `+col+` = $1`, v))
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

const caseCols = `id, org_id, title, description, tlp, created_by, created_at`

func scanCase(sc pgx.Row) (tahqiq.Case, error) {
	var c tahqiq.Case
	var tlp, at string
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Title, &c.Description, &tlp, &c.CreatedBy, &at); err != nil {
		return c, err
	}
	c.TLP = tahqiq.TLP(tlp)
	c.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
	return c, nil
}

// FindCaseByID returns a case.
func (db *DB) FindCaseByID(ctx context.Context, id string) (tahqiq.Case, error) {
	var c tahqiq.Case
	err := db.scoped(ctx, func(q querier) error {
		var err error
		c, err = scanCase(q.QueryRow(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return c, notFound(err, "no case %q", id)
	}
	return c, nil
}

// FindCases returns all cases, oldest first; access is filtered above.
func (db *DB) FindCases(ctx context.Context) ([]tahqiq.Case, error) {
	var out []tahqiq.Case
	err := db.scoped(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+caseCols+` FROM cases ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: find cases: %w", err)
	}
	return out, nil
}

// FindShares returns the shares of a case by organisation and item.
func (db *DB) FindShares(ctx context.Context, caseID string) ([]tahqiq.CaseShare, error) {
	rows, err := db.pool.Query(ctx, `SELECT case_id, item_id, org_id, tlp FROM case_shares WHERE case_id = $1 ORDER BY org_id, item_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("postgres: find shares: %w", err)
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

// scopedRows runs a query returning one JSON column under db.scoped.
func scopedRows[T any](db *DB, ctx context.Context, sql string, args ...any) ([]T, error) {
	var out []T
	err := db.scoped(ctx, func(q querier) error {
		var err error
		out, err = decodeRows[T](q.Query(ctx, sql, args...))
		return err
	})
	return out, err
}

func decodeRows[T any](rows pgx.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("postgres: query: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: scan: %w", err)
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("postgres: decode row: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func decodeOne[T any](db *DB, ctx context.Context, q, what string, args ...any) (T, error) {
	var v T
	var b []byte
	err := db.scoped(ctx, func(qr querier) error { return qr.QueryRow(ctx, q, args...).Scan(&b) })
	if err != nil {
		return v, notFound(err, "no %s %q", what, args[0])
	}
	err = json.Unmarshal(b, &v)
	return v, err
}

// FindItems returns a case's items in the order attached.
func (db *DB) FindItems(ctx context.Context, caseID string) ([]tahqiq.Item, error) {
	return scopedRows[tahqiq.Item](db, ctx, `SELECT data FROM items WHERE case_id = $1 ORDER BY seq`, caseID)
}

// FindItemByID returns one item.
func (db *DB) FindItemByID(ctx context.Context, id string) (tahqiq.Item, error) {
	return decodeOne[tahqiq.Item](db, ctx, `SELECT data FROM items WHERE id = $1`, "item", id)
}

// FindItemsByDHash returns items (any case) with an image of this dHash.
func (db *DB) FindItemsByDHash(ctx context.Context, dhash string) ([]tahqiq.Item, error) {
	return scopedRows[tahqiq.Item](db, ctx, `SELECT i.data FROM items i WHERE i.id IN (SELECT item_id FROM item_blobs WHERE dhash = $1) ORDER BY i.seq`, dhash)
}

func findRecords[T any](ctx context.Context, db *DB, caseID, kind string) ([]T, error) {
	return scopedRows[T](db, ctx, `SELECT data FROM case_records WHERE case_id = $1 AND kind = $2 ORDER BY seq`, caseID, kind)
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
	return decodeOne[tahqiq.Recommendation](db, ctx, `SELECT data FROM case_records WHERE id = $1 AND kind = 'recommendation'`, "recommendation", id)
}

// FindTask returns a task by ID.
func (db *DB) FindTask(ctx context.Context, id string) (tahqiq.Task, error) {
	return decodeOne[tahqiq.Task](db, ctx, `SELECT data FROM case_records WHERE id = $1 AND kind = 'task'`, "task", id)
}

// FindTasks returns a case's tasks.
func (db *DB) FindTasks(ctx context.Context, caseID string) ([]tahqiq.Task, error) {
	return findRecords[tahqiq.Task](ctx, db, caseID, "task")
}

// FindNotes returns a case's notes.
func (db *DB) FindNotes(ctx context.Context, caseID string) ([]tahqiq.Note, error) {
	return findRecords[tahqiq.Note](ctx, db, caseID, "note")
}

// FindDatasetOrgs returns the owning organisation of every owned dataset.
func (db *DB) FindDatasetOrgs(ctx context.Context) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT dataset, org_id FROM dataset_orgs`)
	if err != nil {
		return nil, fmt.Errorf("postgres: dataset owners: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, o string
		if err := rows.Scan(&d, &o); err != nil {
			return nil, fmt.Errorf("postgres: dataset owners: %w", err)
		}
		out[d] = o
	}
	return out, rows.Err()
}
