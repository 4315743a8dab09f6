package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// engine is what PostgreSQL gives internal/sqlstore: transactions that
// set the scope row-level security reads (scope.go), COPY (batch.go),
// advisory locks.
type engine struct{ db *DB }

func (e engine) Name() string { return "postgres" }

func (e engine) Begin(ctx context.Context) (sqlstore.Tx, error) {
	tx, err := e.db.begin(ctx)
	if err != nil {
		return nil, err
	}
	p := &pipe{tx: tx}
	return pgTx{conn{p}, p}, nil
}

// Scoped: every read of a table under row-level security goes through a
// scoped read-only transaction (a read on the bare pool would see no
// owned dataset's rows).
func (e engine) Scoped(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return e.db.scoped(ctx, func(tx pgx.Tx) error { return fn(conn{tx}) })
}

func (e engine) Reader() sqlstore.Conn { return conn{e.db.pool} }
func (e engine) Writer() sqlstore.Conn { return conn{e.db.pool} }

// Unique: SQLSTATE 23505, unique_violation.
func (e engine) Unique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Time: times are TIMESTAMPTZ.
func (e engine) Time(t time.Time) any { return t }

func (e engine) JSONText(column, key string) string { return column + "->>'" + key + "'" }

// querier is what both the pool and a transaction provide.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// conn runs statements on the pool or a transaction. pgx caches every
// statement it prepares, by its text, per connection.
type conn struct{ q querier }

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return c.q.QueryRow(ctx, q, args...)
}

// pgRows are pgx's rows as sqlstore.Rows.
type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// pgTx is a scoped read-write transaction, whose bulk writes run in the
// background (pipe.go).
type pgTx struct {
	conn
	p *pipe
}

// Prepare: pgx prepares and caches statements itself.
func (t pgTx) Prepare(ctx context.Context, q string) (sqlstore.Stmt, error) {
	return stmt{t.p, q}, nil
}

func (t pgTx) Bulk(table string, cols ...string) sqlstore.Bulk { return newBatch(t.p, table, cols...) }

// Lock takes the advisory lock of l until the transaction ends.
func (t pgTx) Lock(ctx context.Context, l sqlstore.Lock) error {
	_, err := t.p.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(l))
	return err
}

// Commit commits after the COPY under way, or rolls back when a COPY
// failed.
func (t pgTx) Commit(ctx context.Context) error {
	if err := t.p.Wait(); err != nil {
		t.p.tx.Rollback(ctx)
		return err
	}
	return t.p.tx.Commit(ctx)
}

func (t pgTx) Rollback(ctx context.Context) error {
	t.p.Wait() // its error is the reason for the rollback, reported already or not needed
	return t.p.tx.Rollback(ctx)
}

type stmt struct {
	tx querier
	q  string
}

func (s stmt) Exec(ctx context.Context, args ...any) (int64, error) {
	tag, err := s.tx.Exec(ctx, s.q, args...)
	return tag.RowsAffected(), err
}

func (s stmt) QueryRow(ctx context.Context, args ...any) sqlstore.Row {
	return s.tx.QueryRow(ctx, s.q, args...)
}
