package postgres_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestCopyPaths: an import's rows read back the same whether they reach
// the tables by COPY straight into them (a superuser's import, the default
// for a role that bypasses row-level security), through the staging table
// (the same role, forced), or as an ordinary role, to which row-level
// security applies (staging, always): storetest.Fill, then Dump, compared
// byte for byte.
func TestCopyPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("three filled PostgreSQL stores: not in -short (TestEvict covers the direct path)")
	}
	ctx := context.Background()
	srv := pgtest.Start(t)
	dump := func(url string, staging bool) []byte {
		defer postgres.SetStaging(staging)()
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.Now = storetest.Clock
		storetest.Fill(t, db)
		return storetest.Dump(t, db)
	}
	app := dump(srv.NewAppDatabase(t), false)
	direct := dump(srv.NewDatabase(t), false)
	staged := dump(srv.NewDatabase(t), true)
	if !bytes.Equal(direct, app) {
		t.Errorf("a superuser's direct COPY reads back differently from an ordinary role's import:\n%s\nwant\n%s", direct, app)
	}
	if !bytes.Equal(staged, app) {
		t.Errorf("a superuser's staged import reads back differently from an ordinary role's import")
	}
}
