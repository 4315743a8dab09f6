package sqlite_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestUpgradeFromMain: stores that the engines of earlier tahqiqs wrote
// (storetest.UpgradeFixtures: testdata/PREFIX-store.db.gz, the file
// storetest.Fill made through main's engine at that commit) open, take the
// migrations since, and read back as those engines read them
// (testdata/PREFIX-dump.json: storetest.Dump then).
//
// TAHQIQ_WRITE_UPGRADE_FIXTURE=1 writes testdata/main-store.db.gz and
// main-dump.json anew with the engine it is compiled with, which is right
// only where that engine is the one to upgrade from: this file is meant to
// run in a tree of main (internal/storetest/upgrade-fixtures.sh).
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	if os.Getenv("TAHQIQ_WRITE_UPGRADE_FIXTURE") != "" {
		dir := t.TempDir()
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
	for _, fx := range storetest.UpgradeFixtures {
		t.Run(fx.Prefix, func(t *testing.T) {
			dir := t.TempDir()
			f, err := os.Open("testdata/" + fx.Prefix + "-store.db.gz")
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
			want, err := os.ReadFile("testdata/" + fx.Prefix + "-dump.json")
			if err != nil {
				t.Fatal(err)
			}
			d, err := storetest.DiffDump(want, storetest.Dump(t, db), fx.Older)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("the store written by the engine of main at %s reads back otherwise -then +now:\n%s", fx.Commit, d)
			}
			if err := db.IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}
