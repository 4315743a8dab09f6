package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestConformance runs the suite as an ordinary role, so the row-level
// security policies are in force (a read that skipped the store's
// scoping would see nothing and fail here).
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the store conformance suite on PostgreSQL (about 50 s on 2 cores; TestConformance in internal/sqlite runs it on the embedded store): not in -short (go test ./..., as CI runs it, does)")
	}
	srv := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		db, err := postgres.Open(context.Background(), srv.NewAppDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = now
		return db
	})
}

// TestExports: the conformance suite tests every method the engine
// exports but its own (row-level security, the system scope and the pool
// for tahqiq migrate), which rls_test.go and storecopy's tests cover.
func TestExports(t *testing.T) {
	storetest.Exports(t, (*postgres.DB)(nil), "BeginSystem", "Pool", "RLSEnforced")
}
