package sqlite_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestUpgradeFromMain: a store that the engine of an earlier tahqiq
// wrote (testdata/main-store.db.gz: storetest.Fill, run by the engine of
// main at 0cab02e) opens, takes the migrations since, and reads back as
// that engine read it (testdata/main-dump.json: storetest.Dump then).
// TAHQIQ_WRITE_UPGRADE_FIXTURE=1 writes both anew with this engine, which
// is right only on a commit whose engine is the one to upgrade from.
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if os.Getenv("TAHQIQ_WRITE_UPGRADE_FIXTURE") != "" {
		db, err := sqlite.OpenDir(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = storetest.Clock
		storetest.Fill(t, db)
		dump := storetest.Dump(t, db)
		db.Close()
		if _, err := os.Stat(filepath.Join(dir, sqlite.FileName+"-wal")); err == nil {
			t.Fatal("the store kept its WAL after Close")
		}
		b, err := os.ReadFile(filepath.Join(dir, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if err := os.WriteFile("testdata/main-store.db.gz", z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/main-dump.json", dump, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open("testdata/main-store.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sqlite.FileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = storetest.Clock
	want, err := os.ReadFile("testdata/main-dump.json")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(storetest.Dump(t, db)), "\n")); d != "" {
		t.Errorf("the store written by main's engine reads back otherwise -main +now:\n%s", d)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
