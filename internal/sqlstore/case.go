package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tahqiq/tahqiq"
)

// InTx runs fn in one write transaction: the state change and its log
// entry commit together; the log lock, taken by the first read of the
// log's end, makes sure two changes never get the same log index.
func (s *Store) InTx(ctx context.Context, fn func(tx tahqiq.CaseTx) error) error {
	tx, err := s.e.Begin(ctx)
	if err != nil {
		return s.errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(s.caseTx(tx)); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.errorf("commit: %w", err)
	}
	return nil
}

// caseTx is a write transaction seen as a tahqiq.CaseTx.
type caseTx struct {
	logRows
	s  *Store
	tx Tx
}

func (s *Store) caseTx(tx Tx) *caseTx {
	return &caseTx{logRows: logRows{s: s, q: tx, tx: tx, locked: new(bool)}, s: s, tx: tx}
}

func (t *caseTx) CreateOrganisation(ctx context.Context, o tahqiq.Organisation) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO organisations (id, name) VALUES ($1, $2)`, o.ID, o.Name)
	return t.s.conflict(err, "organisation "+o.Name)
}

func (t *caseTx) CreateUser(ctx context.Context, u tahqiq.User) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO users (id, org_id, name, role) VALUES ($1, $2, $3, $4)`, u.ID, u.OrgID, u.Name, string(u.Role))
	return t.s.conflict(err, "user "+u.Name)
}

// FindUserByID reads a user through the transaction, so it sees a
// disabling committed before the log's lock was taken.
func (t *caseTx) FindUserByID(ctx context.Context, id string) (tahqiq.User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, t.s.notFound(err, "no user %q", id)
	}
	return u, nil
}

func (t *caseTx) CreateCase(ctx context.Context, c tahqiq.Case) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO cases (`+caseCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, c.OrgID, c.Title, c.Description, string(c.TLP), c.CreatedBy, ts(c.CreatedAt), c.ClosedBy, tsOrEmpty(c.ClosedAt))
	return t.s.conflict(err, "case "+c.ID)
}

// PutCase replaces the case with c's ID (closing or reopening it);
// ENOTFOUND when there is none.
func (t *caseTx) PutCase(ctx context.Context, c tahqiq.Case) error {
	n, err := t.tx.Exec(ctx, `UPDATE cases SET org_id = $1, title = $2, description = $3, tlp = $4, created_by = $5, created_at = $6, closed_by = $7, closed_at = $8 WHERE id = $9`,
		c.OrgID, c.Title, c.Description, string(c.TLP), c.CreatedBy, ts(c.CreatedAt), c.ClosedBy, tsOrEmpty(c.ClosedAt), c.ID)
	return t.s.exactlyOne(n, err, "put case", "no case %q", c.ID)
}

// CreateShare shares a case or an item; sharing it again with the same
// organisation changes the share's TLP and keeps its row.
func (t *caseTx) CreateShare(ctx context.Context, s tahqiq.CaseShare) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO case_shares (case_id, item_id, org_id, tlp) VALUES ($1, $2, $3, $4)
		ON CONFLICT (case_id, item_id, org_id) DO UPDATE SET tlp = excluded.tlp`, s.CaseID, s.ItemID, s.OrgID, string(s.TLP))
	return t.s.conflict(err, "share")
}

func (t *caseTx) CreateItem(ctx context.Context, it tahqiq.Item) error {
	it.AddedAt = it.AddedAt.UTC()
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO items (id, case_id, seq, data) VALUES ($1, $2, (SELECT count(*) FROM items), $3)`, it.ID, it.CaseID, b)
	if err := t.s.conflict(err, "item "+it.ID); err != nil {
		return err
	}
	for _, bl := range it.Blobs {
		if _, err := t.tx.Exec(ctx, `INSERT INTO item_blobs (item_id, sha256, dhash) VALUES ($1, $2, $3)`, it.ID, bl.SHA256, bl.DHash); err != nil {
			return t.s.errorf("item blobs: %w", err)
		}
	}
	return nil
}

// record adds a case record (the JSON of v) after the others; replace
// lets it replace the record of the same id, which keeps its place.
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
	return t.s.conflict(err, kind+" "+id)
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
	n, err := t.tx.Exec(ctx, `UPDATE case_records SET data = $1 WHERE id = $2 AND kind = 'task' AND case_id = $3`, b, k.ID, k.CaseID)
	if err != nil {
		return t.s.errorf("task %s: %w", k.ID, err)
	}
	if n != 1 {
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
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.tx.Exec(ctx, `INSERT INTO dataset_orgs (dataset, org_id) VALUES ($1, $2)`, dataset, orgID)
		return t.s.conflict(err, "dataset owner "+dataset)
	case err != nil:
		return t.s.errorf("dataset owner %q: %w", dataset, err)
	case cur != orgID:
		return tahqiq.Errorf(tahqiq.EFORBIDDEN, "dataset %q belongs to another organisation", dataset)
	}
	return nil
}

// FindDatasetOrgs returns the owning organisation of every owned dataset.
func (s *Store) FindDatasetOrgs(ctx context.Context) (map[string]string, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT dataset, org_id FROM dataset_orgs`)
	if err != nil {
		return nil, s.errorf("dataset owners: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var d, o string
		if err := rows.Scan(&d, &o); err != nil {
			return nil, s.errorf("dataset owners: %w", err)
		}
		out[d] = o
	}
	return out, rows.Err()
}

const caseCols = `id, org_id, title, description, tlp, created_by, created_at, closed_by, closed_at`

func scanCase(sc Row) (tahqiq.Case, error) {
	var c tahqiq.Case
	var tlp, at, closed string
	if err := sc.Scan(&c.ID, &c.OrgID, &c.Title, &c.Description, &tlp, &c.CreatedBy, &at, &c.ClosedBy, &closed); err != nil {
		return c, err
	}
	c.TLP = tahqiq.TLP(tlp)
	c.CreatedAt, _ = time.Parse(time.RFC3339Nano, at)
	c.ClosedAt = parseTime(closed)
	return c, nil
}

// FindCaseByID returns a case.
func (s *Store) FindCaseByID(ctx context.Context, id string) (tahqiq.Case, error) {
	var c tahqiq.Case
	err := s.e.Scoped(ctx, func(q Conn) error {
		var err error
		c, err = scanCase(q.QueryRow(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return c, s.notFound(err, "no case %q", id)
	}
	return c, nil
}

// FindCases returns all cases, oldest first; access is filtered above.
func (s *Store) FindCases(ctx context.Context) ([]tahqiq.Case, error) {
	var out []tahqiq.Case
	err := s.e.Scoped(ctx, func(q Conn) error {
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
		return nil, s.errorf("find cases: %w", err)
	}
	return out, nil
}

// FindShares returns the shares of a case by organisation and item.
func (s *Store) FindShares(ctx context.Context, caseID string) ([]tahqiq.CaseShare, error) {
	rows, err := s.e.Reader().Query(ctx, `SELECT case_id, item_id, org_id, tlp FROM case_shares WHERE case_id = $1 ORDER BY org_id, item_id`, caseID)
	if err != nil {
		return nil, s.errorf("find shares: %w", err)
	}
	defer rows.Close()
	var out []tahqiq.CaseShare
	for rows.Next() {
		var sh tahqiq.CaseShare
		var tlp string
		if err := rows.Scan(&sh.CaseID, &sh.ItemID, &sh.OrgID, &tlp); err != nil {
			return nil, err
		}
		sh.TLP = tahqiq.TLP(tlp)
		out = append(out, sh)
	}
	return out, rows.Err()
}

// scopedRows returns the JSON of q's rows (one column) decoded, read
// through Scoped.
func scopedRows[T any](ctx context.Context, s *Store, q string, args ...any) ([]T, error) {
	var out []T
	err := s.e.Scoped(ctx, func(c Conn) error {
		rows, err := c.Query(ctx, q, args...)
		if err != nil {
			return s.errorf("query: %w", err)
		}
		defer rows.Close()
		var b []byte
		dest := []any{&b}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return s.errorf("scan: %w", err)
			}
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return s.errorf("decode row: %w", err)
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// scopedOne returns the JSON of q's row decoded (ENOTFOUND naming what
// and args[0] when there is none), read through Scoped.
func scopedOne[T any](ctx context.Context, s *Store, q, what string, args ...any) (T, error) {
	var v T
	var b []byte
	err := s.e.Scoped(ctx, func(c Conn) error { return c.QueryRow(ctx, q, args...).Scan(&b) })
	if err != nil {
		return v, s.notFound(err, "no %s %q", what, args[0])
	}
	err = json.Unmarshal(b, &v)
	return v, err
}

// FindItems returns a case's items in the order attached.
func (s *Store) FindItems(ctx context.Context, caseID string) ([]tahqiq.Item, error) {
	return scopedRows[tahqiq.Item](ctx, s, `SELECT data FROM items WHERE case_id = $1 ORDER BY seq`, caseID)
}

// FindItemByID returns one item.
func (s *Store) FindItemByID(ctx context.Context, id string) (tahqiq.Item, error) {
	return scopedOne[tahqiq.Item](ctx, s, `SELECT data FROM items WHERE id = $1`, "item", id)
}

// FindItemsByDHash returns the items (any case) with an image of this
// dHash, each once, in the order attached.
func (s *Store) FindItemsByDHash(ctx context.Context, dhash string) ([]tahqiq.Item, error) {
	return scopedRows[tahqiq.Item](ctx, s, `SELECT data FROM items WHERE id IN (SELECT item_id FROM item_blobs WHERE dhash = $1) ORDER BY seq`, dhash)
}

func findRecords[T any](ctx context.Context, s *Store, caseID, kind string) ([]T, error) {
	return scopedRows[T](ctx, s, `SELECT data FROM case_records WHERE case_id = $1 AND kind = $2 ORDER BY seq`, caseID, kind)
}

// FindFindings returns a case's findings.
func (s *Store) FindFindings(ctx context.Context, caseID string) ([]tahqiq.Finding, error) {
	return findRecords[tahqiq.Finding](ctx, s, caseID, "finding")
}

// FindRecommendations returns a case's recommendations.
func (s *Store) FindRecommendations(ctx context.Context, caseID string) ([]tahqiq.Recommendation, error) {
	return findRecords[tahqiq.Recommendation](ctx, s, caseID, "recommendation")
}

// FindRecommendation returns one recommendation.
func (s *Store) FindRecommendation(ctx context.Context, id string) (tahqiq.Recommendation, error) {
	return scopedOne[tahqiq.Recommendation](ctx, s, `SELECT data FROM case_records WHERE id = $1 AND kind = 'recommendation'`, "recommendation", id)
}

// FindTask returns a task by ID.
func (s *Store) FindTask(ctx context.Context, id string) (tahqiq.Task, error) {
	return scopedOne[tahqiq.Task](ctx, s, `SELECT data FROM case_records WHERE id = $1 AND kind = 'task'`, "task", id)
}

// FindTasks returns a case's tasks.
func (s *Store) FindTasks(ctx context.Context, caseID string) ([]tahqiq.Task, error) {
	return findRecords[tahqiq.Task](ctx, s, caseID, "task")
}

// FindNotes returns a case's notes.
func (s *Store) FindNotes(ctx context.Context, caseID string) ([]tahqiq.Note, error) {
	return findRecords[tahqiq.Note](ctx, s, caseID, "note")
}
