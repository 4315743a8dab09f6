// Package postgres is the server store: PostgreSQL through
// github.com/jackc/pgx/v5 (native pool, COPY for bulk imports), with its
// schema migrations embedded. It implements the same store interfaces of
// package tahqiq as internal/sqlite, passes the same conformance suite
// (internal/storetest) and holds no business rules. Driver errors are
// translated at this boundary: missing things are tahqiq.ENOTFOUND.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tahqiq/tahqiq"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock and importLock are advisory lock keys (arbitrary constants).
const (
	migrateLock = 0x7461687169710001
	importLock  = 0x7461687169710002
)

// DB is an open store.
type DB struct {
	pool *pgxpool.Pool
	url  string // without password

	// Now returns the current time; tests replace it.
	Now func() time.Time
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
	db := &DB{pool: pool, url: Redact(dbURL), Now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
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

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, all in one transaction under an advisory lock so that
// concurrent starts do not race.
func (db *DB) migrate(ctx context.Context) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(migrations, name)
		if err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, db.Now()); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
