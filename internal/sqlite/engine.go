package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// engine is what SQLite gives internal/sqlstore. Its reads need no
// scoping (an embedded store has no row-level security: access is
// casework's), and its locks are the single writer connection, which
// holds SQLite's write lock for the whole of a write transaction.
type engine struct{ db *DB }

func (e engine) Name() string { return "sqlite" }

func (e engine) Begin(ctx context.Context) (sqlstore.Tx, error) {
	c, err := e.db.write.Conn(ctx) // held by the transaction: its bulk writes use the driver's connection (batch.go)
	if err != nil {
		return nil, err
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	p := &pipe{tx: tx, conn: c}
	return sqlTx{conn{q: p, p: p}, p}, nil
}

func (e engine) Scoped(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return fn(conn{q: e.db.read})
}

func (e engine) Reader() sqlstore.Conn { return conn{q: e.db.read} }
func (e engine) Writer() sqlstore.Conn { return conn{q: e.db.write} }

// Unique: SQLite reports a violated primary key or unique index as
// "UNIQUE constraint failed".
func (e engine) Unique(err error) bool { return strings.Contains(err.Error(), "UNIQUE") }

// Time: times are RFC 3339 text.
func (e engine) Time(t time.Time) any { return t.Format(time.RFC3339) }

func (e engine) JSONText(column, key string) string {
	return "json_extract(" + column + ", '$." + key + "')"
}

// conn runs statements on a pool or a transaction of database/sql; on a
// write transaction, after the INSERTs queued (p, pipe.go).
type conn struct {
	q interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
	p *pipe // nil but on a write transaction
}

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := c.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if c.p != nil {
		if err := c.p.Wait(); err != nil {
			return errRow{err}
		}
		return c.p.tx.QueryRowContext(ctx, q, args...)
	}
	return c.q.(interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}).QueryRowContext(ctx, q, args...)
}

// Snapshot runs fn in one snapshot: in a read transaction when c is a
// pool (reads on a pool may each take a connection and a snapshot of
// their own), else on c, a transaction already.
func (c conn) Snapshot(ctx context.Context, fn func(sqlstore.Conn) error) error {
	db, ok := c.q.(*sql.DB)
	if !ok { // a transaction
		return fn(c)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // read only: nothing to commit
	return fn(conn{q: tx})
}

// sqlTx is a write transaction on the writer connection, whose bulk
// writes run on a goroutine of their own (pipe.go).
type sqlTx struct {
	conn
	p *pipe
}

func (t sqlTx) Prepare(ctx context.Context, q string) (sqlstore.Stmt, error) {
	if err := t.p.Wait(); err != nil {
		return nil, err
	}
	st, err := t.p.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return stmt{st, t.p}, nil
}

func (t sqlTx) Bulk(table string, cols ...string) sqlstore.Bulk {
	return newBatch(t.p, table, cols...)
}

// Lock: the transaction holds SQLite's only write lock already.
func (t sqlTx) Lock(context.Context, sqlstore.Lock) error { return nil }

// Commit commits after the INSERT under way, or rolls back when an
// INSERT failed.
func (t sqlTx) Commit(context.Context) error {
	defer t.p.conn.Close()
	if err := t.p.stop(); err != nil {
		t.p.tx.Rollback()
		return err
	}
	return t.p.tx.Commit()
}

func (t sqlTx) Rollback(context.Context) error {
	defer t.p.conn.Close()
	t.p.stop() // its error is the reason for the rollback, reported already or not needed
	return t.p.tx.Rollback()
}

type stmt struct {
	st *sql.Stmt
	p  *pipe
}

func (s stmt) Exec(ctx context.Context, args ...any) (int64, error) {
	if err := s.p.Wait(); err != nil {
		return 0, err
	}
	res, err := s.st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s stmt) QueryRow(ctx context.Context, args ...any) sqlstore.Row {
	if err := s.p.Wait(); err != nil {
		return errRow{err}
	}
	return s.st.QueryRowContext(ctx, args...)
}
