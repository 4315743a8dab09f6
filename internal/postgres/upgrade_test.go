package postgres_test

import (
	"bytes"
	"context"
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
// it) restore, open as an ordinary role under row-level security, take
// the migrations since, and read back as those engines read them
// (storetest.RunUpgrade).
func TestUpgradeFromMain(t *testing.T) {
	ctx := context.Background()
	srv := pgtest.Start(t)
	storetest.RunUpgrade(t, storetest.Upgrade{
		Ext: "sql", What: "database",
		New: func(t *testing.T) (storetest.Store, func(t *testing.T) []byte) {
			url := srv.NewAppDatabase(t)
			db, err := postgres.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = storetest.Clock
			return db, func(t *testing.T) []byte {
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
				return sql
			}
		},
		Open: func(t *testing.T, sql []byte) storetest.Store {
			url := srv.NewAppDatabase(t)
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
			t.Cleanup(func() { db.Close() })
			db.Now = storetest.Clock
			if on, err := db.RLSEnforced(ctx); err != nil || !on {
				t.Fatalf("RLSEnforced = %v, %v", on, err)
			}
			return db
		},
	})
}
