package postgres_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestUpgradeFromMain: databases that the engines of earlier tahqiqs
// wrote (storetest.UpgradeFixtures: testdata/PREFIX-store.sql.gz,
// storetest.Fill run by main's engine at that commit, as pg_dump wrote
// it) restore, open as an ordinary role, take the migrations since, and
// read back as those engines read them (testdata/PREFIX-dump.json:
// storetest.Dump then).
//
// TAHQIQ_WRITE_UPGRADE_FIXTURE=1 writes testdata/main-store.sql.gz and
// main-dump.json anew with the engine it is compiled with, which is right
// only where that engine is the one to upgrade from: this file is meant to
// run in a tree of main (internal/storetest/upgrade-fixtures.sh).
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Start(t)
	if os.Getenv("TAHQIQ_WRITE_UPGRADE_FIXTURE") != "" {
		url := srv.NewAppDatabase(t)
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = storetest.Clock
		storetest.Fill(t, db)
		dump := storetest.Dump(t, db)
		db.Close()
		bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
		sort.Strings(bins)
		if len(bins) == 0 {
			t.Fatal("no pg_dump")
		}
		var stderr bytes.Buffer
		// as the superuser, whom row-level security does not bind
		cmd := exec.Command(bins[len(bins)-1], "--no-owner", "--no-privileges", "--no-comments", "--inserts", "-U", "postgres", "-d", "postgres://postgres@"+strings.SplitN(url, "@", 2)[1])
		cmd.Stderr = &stderr
		sql, err := cmd.Output()
		if err != nil {
			t.Fatalf("pg_dump: %v\n%s", err, stderr.Bytes())
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(sql)
		zw.Close()
		if err := os.WriteFile("testdata/main-store.sql.gz", z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/main-dump.json", dump, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, fx := range storetest.UpgradeFixtures {
		t.Run(fx.Prefix, func(t *testing.T) {
			url := srv.NewAppDatabase(t)
			f, err := os.Open("testdata/" + fx.Prefix + "-store.sql.gz")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			sql, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			// psql's meta-commands (\restrict) are not SQL
			var lines []string
			for _, l := range strings.Split(string(sql), "\n") {
				if !strings.HasPrefix(l, `\`) {
					lines = append(lines, l)
				}
			}
			// the restore's own connection: the dump changes its settings
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, strings.Join(lines, "\n")); err != nil {
				t.Fatalf("restoring the dump: %v", err)
			}
			conn.Close(ctx)
			db, err := postgres.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.Now = storetest.Clock
			if on, err := db.RLSEnforced(ctx); err != nil || !on {
				t.Fatalf("RLSEnforced = %v, %v", on, err)
			}
			want, err := os.ReadFile("testdata/" + fx.Prefix + "-dump.json")
			if err != nil {
				t.Fatal(err)
			}
			d, err := storetest.DiffDump(want, storetest.Dump(t, db), fx.Older)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("the database written by the engine of main at %s reads back otherwise -then +now:\n%s", fx.Commit, d)
			}
		})
	}
}
