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
	"io"
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
	if path != ":memory:" {
		if err := private(path); err != nil {
			return nil, err
		}
	}
	pages, err := filePageSize(path)
	if err != nil {
		return nil, err
	}
	pragmas := []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
		fmt.Sprintf("cache_size(%d)", -cacheKiB(pages)),
		"temp_store(MEMORY)",
	}
	var dsn string
	if path == ":memory:" {
		// A named shared-cache in-memory database so both pools see it.
		dsn = fmt.Sprintf("file:mem%d?mode=memory&cache=shared", time.Now().UnixNano())
	} else {
		// The page size and WAL mode are set once the writer is open
		// (setFile): the driver runs a DSN's pragmas in lexicographic
		// order, so journal_mode(WAL) there made the file, with 4 KiB
		// pages, before page_size could apply.
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
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if path != ":memory:" {
		if err := setFile(ctx, w); err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
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

// pageSize is the page size of a new database file (an existing file
// keeps its own). Larger pages mean fewer pages, B-tree levels, cells
// moved and WAL frames for the same rows: an import of 1M events costs
// a fifth less CPU with 16 KiB pages than with 4 KiB (docs/benchmarks.md,
// branch importq).
const pageSize = 16384

// cacheKiB is the page cache of each connection, in KiB of pages of the
// given size: 16 MiB of 16 KiB pages, 128 MiB of smaller ones (stores
// made before, with 4 KiB pages, as they had). The driver's allocator
// gives each page a region of a size class (16 KiB and its header take a
// 64 KiB region, 4 KiB and its header 8 KiB), so that 16 MiB of 16 KiB
// pages take 64 MiB of memory; a larger cache made the import no faster
// (32 MiB: the same CPU and 140 MiB more memory, docs/benchmarks.md).
func cacheKiB(pageSize int) int {
	if pageSize >= 16384 {
		return 16 << 10
	}
	return 128 << 10
}

// filePageSize returns the page size of the database file at path, from
// its header, or the size a new file gets (pageSize) when it is empty or
// path is ":memory:" (whose pages the driver makes 4 KiB: see cacheKiB).
func filePageSize(path string) (int, error) {
	if path == ":memory:" {
		return 4096, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, &tahqiq.Error{Code: tahqiq.EINVALID, Op: "sqlite: open", Message: fmt.Sprintf("cannot open %s", path), Err: err}
	}
	defer f.Close()
	var h [18]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return pageSize, nil // empty (or shorter than a header, which SQLite reports when it opens it)
	}
	switch n := int(h[16])<<8 | int(h[17]); n {
	case 1:
		return 65536, nil
	default:
		return n, nil
	}
}

// setFile gives a new (empty) database file its page size, then puts the
// file in WAL mode, which is kept in the file (and after which the page
// size can no longer change): in that order, on the writer's connection,
// before any reader opens it.
func setFile(ctx context.Context, w *sql.DB) error {
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize)); err != nil {
		return fmt.Errorf("page size: %w", err)
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("WAL mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("WAL mode: the file stays in journal mode %q", mode)
	}
	return nil
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
