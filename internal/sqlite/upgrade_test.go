package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestUpgradeFromMain: stores that the engines of earlier tahqiqs wrote
// (storetest.UpgradeFixtures: testdata/PREFIX-store.db.gz, the file
// storetest.Fill made through main's engine at that commit) open, take the
// migrations since, and read back as those engines read them, and pass
// SQLite's integrity check (storetest.RunUpgrade).
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	storetest.RunUpgrade(t, storetest.Upgrade{
		Ext: "db", What: "store",
		New: func(t *testing.T) (storetest.Store, func(t *testing.T) []byte) {
			dir := t.TempDir()
			db, err := sqlite.OpenDir(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = storetest.Clock
			return db, func(t *testing.T) []byte {
				if _, err := os.Stat(filepath.Join(dir, sqlite.FileName+"-wal")); err == nil {
					t.Fatal("the store kept its WAL after Close")
				}
				b, err := os.ReadFile(filepath.Join(dir, sqlite.FileName))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		},
		Open: func(t *testing.T, fixture []byte) storetest.Store {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, sqlite.FileName), fixture, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := sqlite.OpenDir(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.Now = storetest.Clock
			return db
		},
		Check: func(t *testing.T, db storetest.Store) {
			if err := db.(*sqlite.DB).IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
		},
	})
}
