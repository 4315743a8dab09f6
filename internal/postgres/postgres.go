// Package postgres is the server store: PostgreSQL through
// github.com/jackc/pgx/v5 (native pool, COPY for bulk imports), with its
// schema migrations embedded. Its SQL is internal/sqlstore's, the same as
// internal/sqlite's; this package connects and gives the core its
// connections, row-level security's scope in every transaction
// (scope.go), COPY through staging tables (batch.go), advisory locks and
// its errors. It passes the same conformance suite (internal/storetest)
// and holds no business rules.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store: internal/sqlstore's Store over the database.
type DB struct {
	*sqlstore.Store
	pool *pgxpool.Pool
	url  string // without password
}

// Open connects to the database at the postgres:// URL and applies pending
// migrations.
func Open(ctx context.Context, dbURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, &tahqiq.Error{Code: tahqiq.EINVALID, Op: "postgres: open", Message: fmt.Sprintf("bad PostgreSQL URL %s", Redact(dbURL)), Err: err}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &tahqiq.Error{Code: tahqiq.EINVALID, Op: "postgres: open", Message: fmt.Sprintf("cannot open PostgreSQL at %s", Redact(dbURL)), Err: err}
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, &tahqiq.Error{Code: tahqiq.EINVALID, Op: "postgres: open", Message: fmt.Sprintf("cannot connect to PostgreSQL at %s: %v", Redact(dbURL), err), Err: err}
	}
	db := &DB{pool: pool, url: Redact(dbURL)}
	db.Store, err = sqlstore.New(ctx, engine{db}, sqlstore.Schema{FS: migrations,
		Table: `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Redact returns u with any password replaced by "xxxxx".
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Path returns the database URL without its password.
func (db *DB) Path() string { return db.url }

// Pool returns the connection pool (for migration tools and tests).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }
