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

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestUpgradeFromMain: a database that the engine of an earlier tahqiq
// wrote (testdata/main-store.sql.gz: storetest.Fill, run by the engine of
// main at 0cab02e, as pg_dump wrote it) restores, opens as an ordinary
// role, takes the migrations since, and reads back as that engine read it
// (testdata/main-dump.json: storetest.Dump then).
// TAHQIQ_WRITE_UPGRADE_FIXTURE=1 writes both anew with this engine, which
// is right only on a commit whose engine is the one to upgrade from.
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Start(t)
	url := srv.NewAppDatabase(t)
	if os.Getenv("TAHQIQ_WRITE_UPGRADE_FIXTURE") != "" {
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
	f, err := os.Open("testdata/main-store.sql.gz")
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
	want, err := os.ReadFile("testdata/main-dump.json")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(storetest.Dump(t, db)), "\n")); d != "" {
		t.Errorf("the database written by main's engine reads back otherwise -main +now:\n%s", d)
	}
}
