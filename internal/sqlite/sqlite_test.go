package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		db, err := sqlite.OpenDir(context.Background(), filepath.Join(t.TempDir(), "data"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = now
		return db
	})
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		db, err := sqlite.Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = now
		return db
	})
}

// TestExports: the conformance suite tests every method the engine
// exports but its own (the file's integrity, the reader pool for
// internal/storecopy), which the tests here and storecopy's cover.
func TestExports(t *testing.T) {
	storetest.Exports(t, (*sqlite.DB)(nil), "IntegrityCheck", "ReadDB")
}

// TestFilesPrivate: the database file and its WAL are readable by their
// owner only (they hold password hashes and every organisation's cases),
// also when a store made by an older version was world-readable; the
// umask of the process does not matter.
func TestFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	check := func(when string) {
		t.Helper()
		for _, name := range []string{sqlite.FileName, sqlite.FileName + "-wal"} {
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if st.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: %s has mode %v, want no access for group and others", when, name, st.Mode().Perm())
			}
		}
	}
	open := func() *sqlite.DB {
		db, err := sqlite.OpenDir(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginImport(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	check("new store")
	db.Close()
	os.Chmod(filepath.Join(dir, sqlite.FileName), 0o644)
	os.Chmod(filepath.Join(dir, sqlite.FileName+"-wal"), 0o644)
	db = open()
	check("store made world-readable before")
	db.Close()
}

// TestUpgradeAccess: a store made before migration 0006 keeps its users
// (active) and API tokens: each gets an ID from its hash, and having no
// recorded expiry it expires 90 days after its creation.
func TestUpgradeAccess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, sqlite.FileName)
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	olds, _ := filepath.Glob(filepath.Join("migrations", "000[1-5]_*.sql"))
	if len(olds) != 4 {
		t.Fatalf("migrations before 0006: %v", olds)
	}
	for _, m := range olds {
		body, _ := os.ReadFile(m)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		raw.Exec(`INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00Z')`, filepath.ToSlash(m))
	}
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO organisations VALUES ('o-a', 'Inquiry')`,
		`INSERT INTO users VALUES ('u-1', 'o-a', 'amina', 'admin')`,
		`INSERT INTO api_tokens VALUES ('0123456789abcdef0123', 'u-1', 'old script', '` + created.Format(time.RFC3339Nano) + `')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.FindUserByName(ctx, "amina")
	if err != nil || u.Disabled || u.OrgID != "o-a" {
		t.Errorf("user after the upgrade: %+v, %v", u, err)
	}
	tok, err := db.FindToken(ctx, "0123456789abcdef0123")
	if err != nil || tok.ID != "k0123456789ab" || !tok.ExpiresAt.IsZero() || !tok.RevokedAt.IsZero() {
		t.Fatalf("token after the upgrade: %+v, %v", tok, err)
	}
	if want := created.Add(tahqiq.DefaultTokenTTL); !tok.Expiry().Equal(want) {
		t.Errorf("old token expires %v, want %v", tok.Expiry(), want)
	}
	if err := tok.Check(created.Add(tahqiq.DefaultTokenTTL)); tahqiq.ErrorCode(err) != tahqiq.EUNAUTHORIZED {
		t.Errorf("old token 90 days on: %v, want expired", err)
	}
}

// TestPageSize: a new store's file has 16 KiB pages and is in WAL mode
// (the driver runs a DSN's pragmas in lexicographic order, so with both
// in the DSN, journal_mode made the file with 4 KiB pages first), and a
// page cache of 16 MiB; a file made with 4 KiB pages keeps them, opens,
// and keeps the 128 MiB cache it had.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	pragmas := func(path string) (int, string) {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var size int
		var mode string
		if err := db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return size, mode
	}
	cache := func(db *sqlite.DB) int {
		t.Helper()
		var kib int
		if err := db.ReadDB().QueryRow(`PRAGMA cache_size`).Scan(&kib); err != nil {
			t.Fatal(err)
		}
		return kib
	}
	dir := filepath.Join(t.TempDir(), "new")
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if kib := cache(db); kib != -16384 {
		t.Errorf("new store: cache_size %d, want -16384 (16 MiB)", kib)
	}
	db.Close()
	if size, mode := pragmas(filepath.Join(dir, sqlite.FileName)); size != 16384 || mode != "wal" {
		t.Errorf("new store: page size %d, journal mode %s; want 16384, wal", size, mode)
	}
	// a store made before: 4 KiB pages, WAL, a table
	old := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+old+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE kept (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, old)
	if err != nil {
		t.Fatalf("a store with 4 KiB pages: %v", err)
	}
	if kib := cache(db); kib != -131072 {
		t.Errorf("old store: cache_size %d, want -131072 (128 MiB)", kib)
	}
	db.Close()
	if size, mode := pragmas(old); size != 4096 || mode != "wal" {
		t.Errorf("old store: page size %d, journal mode %s; want 4096 kept, wal", size, mode)
	}
}
