package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.OpenDir(context.Background(), filepath.Join(t.TempDir(), "data"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestConformanceInMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestCaseConformance(t *testing.T) {
	storetest.RunCases(t, func(t *testing.T, now func() time.Time) storetest.CaseStore {
		db, err := sqlite.OpenDir(context.Background(), filepath.Join(t.TempDir(), "data"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = now
		return db
	})
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
