// Package sqlstore is the SQL of tahqiq's store engines, written once:
// imports and re-derivations, datasets, shares and posts, summaries,
// cases, the custody log's rows, accounts and sessions. An engine
// (internal/sqlite, internal/postgres) opens its database and gives the
// core an Engine: its connections and the few things its SQL does its
// own way (bulk writes, locks, scoping, unique violations, times). The
// queries use $1, $2 … placeholders, which both drivers bind by number,
// and SQL both engines run alike (ON CONFLICT … DO UPDATE, RETURNING,
// EXISTS, IN lists).
//
// Like the engines, the core holds no business rules: what may be
// stored is decided above it (internal/casework, internal/storeimport).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Conn runs statements: a pool or a transaction.
type Conn interface {
	// Exec runs q and returns the number of rows it changed.
	Exec(ctx context.Context, q string, args ...any) (int64, error)
	Query(ctx context.Context, q string, args ...any) (Rows, error)
	// QueryRow's Scan returns an error that errors.Is sql.ErrNoRows
	// when there is no row.
	QueryRow(ctx context.Context, q string, args ...any) Row
}

// Snapshotter is a Conn that can run several reads in one snapshot: a
// pool, which runs fn in a read transaction of one of its connections
// (SQLite's reader pool). A Conn that is a transaction already is one
// snapshot and need not implement it.
type Snapshotter interface {
	Snapshot(ctx context.Context, fn func(Conn) error) error
}

// snapshot runs fn on q in one snapshot.
func snapshot(ctx context.Context, q Conn, fn func(Conn) error) error {
	if sn, ok := q.(Snapshotter); ok {
		return sn.Snapshot(ctx, fn)
	}
	return fn(q)
}

// Rows is the result of a query, as database/sql's.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Row is the first row of a query.
type Row interface {
	Scan(dest ...any) error
}

// Stmt is a statement prepared in a transaction.
type Stmt interface {
	Exec(ctx context.Context, args ...any) (int64, error)
	QueryRow(ctx context.Context, args ...any) Row
}

// Lock names a lock held until the end of a transaction.
type Lock int64

// The locks, by the keys of PostgreSQL's advisory locks (arbitrary
// constants, the same in every version of tahqiq).
const (
	LockMigrate Lock = 0x7461687169710001 // migrations
	LockImport  Lock = 0x7461687169710002 // imports and re-derivations, which assign row ids themselves
	LockLog     Lock = 0x7461687169710003 // the custody log's end, from its first read in a transaction
)

// Tx is a read-write transaction.
type Tx interface {
	Conn
	// Prepare returns q prepared for many executions in the transaction.
	Prepare(ctx context.Context, q string) (Stmt, error)
	// Bulk returns a buffered writer of rows of table's columns cols,
	// whose rows are written by Flush or when its buffer is full.
	Bulk(table string, cols ...string) Bulk
	// Lock takes a lock until the transaction ends.
	Lock(ctx context.Context, l Lock) error
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Bulk writes many rows of one table.
type Bulk interface {
	// Add adds a row: a value per column. The caller reuses row after
	// Add returns, so Add copies what it keeps.
	Add(ctx context.Context, row []any) error
	Flush(ctx context.Context) error
}

// Engine is what an engine gives the core.
type Engine interface {
	// Name names the engine in errors ("sqlite", "postgres").
	Name() string
	// Begin starts a read-write transaction that sees and writes what
	// ctx is scoped to (tahqiq.WithOrg; an unscoped ctx: everything).
	Begin(ctx context.Context) (Tx, error)
	// Scoped runs fn on a reader that sees what ctx is scoped to: every
	// read of cases, items, case records, datasets and their content
	// goes through it.
	Scoped(ctx context.Context, fn func(Conn) error) error
	// Reader and Writer run single statements on the tables that are
	// not scoped (users, organisations, case shares, dataset owners,
	// credentials, sessions, the custody log).
	Reader() Conn
	Writer() Conn
	// Unique reports whether err is the violation of a unique key.
	Unique(err error) bool
	// Time is the value of a time to the second in a timestamp column
	// (datasets, files, migrations).
	Time(t time.Time) any
	// JSONText is the SQL expression of the text field key of the JSON
	// in column (a post's or an account's data).
	JSONText(column, key string) string
}

// Schema is an engine's migrations: migrations/*.sql in fs, applied in
// name order, each recorded by its path in schema_migrations, which
// Table creates when absent.
type Schema struct {
	FS    fs.FS
	Table string
}

// Store implements the store interfaces of package tahqiq over an
// engine. Engines embed it.
type Store struct {
	e    Engine
	name string
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

var (
	_ tahqiq.ImportStore   = (*Store)(nil)
	_ tahqiq.RederiveStore = (*Store)(nil)
	_ tahqiq.DatasetStore  = (*Store)(nil)
	_ tahqiq.ShareStore    = (*Store)(nil)
	_ tahqiq.PostStore     = (*Store)(nil)
	_ tahqiq.PostScanner   = (*Store)(nil)
	_ tahqiq.SummaryStore  = (*Store)(nil)
	_ tahqiq.CaseStore     = (*Store)(nil)
	_ tahqiq.AuthStore     = (*Store)(nil)
)

// New returns the store over e after applying the migrations of s not
// yet applied, in one transaction under LockMigrate.
func New(ctx context.Context, e Engine, s Schema) (*Store, error) {
	st := &Store{e: e, name: e.Name(), Now: func() time.Time { return time.Now().UTC() }}
	if err := st.migrate(ctx, s); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Store) migrate(ctx context.Context, sc Schema) error {
	ctx = tahqiq.WithOrg(ctx, "") // the system scope: every row
	fail := func(name string, err error) error { return s.errorf("migrate %s: %w", name, err) }
	tx, err := s.e.Begin(ctx)
	if err != nil {
		return fail("", err)
	}
	defer tx.Rollback(ctx)
	if err := tx.Lock(ctx, LockMigrate); err != nil {
		return fail("", err)
	}
	if _, err := tx.Exec(ctx, sc.Table); err != nil {
		return fail("", err)
	}
	names, err := fs.Glob(sc.FS, "migrations/*.sql")
	if err != nil {
		return fail("", err)
	}
	sort.Strings(names)
	for _, name := range names {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)`, name).Scan(&done); err != nil {
			return fail(name, err)
		}
		if done {
			continue
		}
		body, err := fs.ReadFile(sc.FS, name)
		if err != nil {
			return fail(name, err)
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fail(name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.stamp(s.Now())); err != nil {
			return fail(name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail("", err)
	}
	return nil
}

// errorf is an error of the store, naming the engine.
func (s *Store) errorf(format string, a ...any) error {
	return fmt.Errorf(s.name+": "+format, a...)
}

// notFound turns a missing row into ENOTFOUND with the message f.
func (s *Store) notFound(err error, f string, a ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, f, a...)
	}
	return s.errorf("%s: %w", fmt.Sprintf(f, a...), err)
}

// conflict turns a unique violation into ECONFLICT.
func (s *Store) conflict(err error, what string) error {
	if err != nil && s.e.Unique(err) {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "%s exists already", what)
	}
	if err != nil {
		return s.errorf("create %s: %w", what, err)
	}
	return nil
}

// stamp is a time of a timestamp column: UTC, to the second.
func (s *Store) stamp(t time.Time) any { return s.e.Time(t.UTC().Truncate(time.Second)) }

// timeValue scans a timestamp column: RFC 3339 text (SQLite) or a time
// (PostgreSQL), in UTC.
type timeValue struct{ t *time.Time }

func (v timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		*v.t = x.UTC()
	case string:
		*v.t, _ = time.Parse(time.RFC3339, x)
	case []byte:
		*v.t, _ = time.Parse(time.RFC3339, string(x))
	case nil:
		*v.t = time.Time{}
	default:
		return fmt.Errorf("want a time, got %T", src)
	}
	return nil
}

// ts writes a time kept as text (cases, case records, credentials,
// sessions): RFC 3339 in UTC with nanoseconds.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// tsOrEmpty is ts, the zero time as the empty string.
func tsOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return ts(t)
}

// parseTime reads a time kept as text; the empty string is the zero time.
func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// placeholders returns "$from, $from+1, … " for n values.
func placeholders(from, n int) string {
	b := make([]byte, 0, n*6)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "$%d", from+i)
	}
	return string(b)
}
