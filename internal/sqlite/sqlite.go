// Package sqlite is the embedded default store: SQLite through the pure-Go
// modernc.org/sqlite driver (no cgo), in WAL mode, with its schema migrations
// embedded. Its SQL is internal/sqlstore's; this package opens the file
// and gives the core its connections (one writer, a pool of readers) and
// its bulk writes (multi-row INSERTs). It holds no business rules: what
// may be stored is decided above it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store: internal/sqlstore's Store over the file. Writes
// go through one connection (SQLite has one writer, which serialises
// write transactions); reads use a pool.
type DB struct {
	*sqlstore.Store
	write *sql.DB
	read  *sql.DB
	path  string
}

// FileName is the name of the database file inside a data directory.
const FileName = "tahqiq.db"

// OpenDir opens (creating if needed) the store in directory dir.
func OpenDir(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, &tahqiq.Error{Code: tahqiq.EINVALID, Op: "sqlite: open", Message: fmt.Sprintf("cannot create data directory %s", dir), Err: err}
	}
	return Open(ctx, filepath.Join(dir, FileName))
}

// Open opens the database file at path, or an in-memory database when path
// is ":memory:", and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	pragmas := []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
		"cache_size(-131072)", // 128 MiB page cache
		"temp_store(MEMORY)",
	}
	var dsn string
	if path == ":memory:" {
		// A named shared-cache in-memory database so both pools see it.
		dsn = fmt.Sprintf("file:mem%d?mode=memory&cache=shared", time.Now().UnixNano())
	} else {
		// Larger pages mean fewer, larger writes on bulk imports; the page
		// size takes effect only when the file is created.
		pragmas = append([]string{"page_size(16384)"}, pragmas...)
		pragmas = append(pragmas, "journal_mode(WAL)")
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	}
	q := ""
	for _, p := range pragmas {
		q += "&_pragma=" + url.QueryEscape(p)
	}
	if path == ":memory:" {
		dsn += q
	} else {
		dsn += strings.TrimPrefix(q, "&")
	}
	if path != ":memory:" {
		if err := private(path); err != nil {
			return nil, err
		}
	}
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db := &DB{write: w, read: r, path: path}
	db.Store, err = sqlstore.New(ctx, engine{db}, sqlstore.Schema{FS: migrations,
		Table: `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// private makes the database file, and its WAL and shared-memory files
// when they exist, readable and writable by their owner only (they hold
// password hashes and every organisation's cases), creating the file
// empty when it does not exist. SQLite creates the WAL and shared-memory
// files with the database file's mode.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return &tahqiq.Error{Code: tahqiq.EINVALID, Op: "sqlite: open", Message: fmt.Sprintf("cannot open %s", path), Err: err}
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("sqlite: make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// ReadDB returns the reader pool, for tools that read every table as it is
// (internal/storecopy moving a store to PostgreSQL). Writes must not go
// through it.
func (db *DB) ReadDB() *sql.DB { return db.read }

// IntegrityCheck runs SQLite's integrity check and returns an error naming
// the first problems it reports.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("sqlite: integrity check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return &tahqiq.Error{Code: tahqiq.EVERIFY, Message: "database integrity check failed: " + strings.Join(problems, "; ")}
	}
	return nil
}
