package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

// TestConformance runs the ingest suite as an ordinary role, so the
// row-level security policies on the content tables are in force (a read
// that skipped the store's scoping would see nothing and fail here).
func TestConformance(t *testing.T) {
	srv := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := postgres.Open(context.Background(), srv.NewAppDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestCaseConformance runs the case, custody-log and account suite as an
// ordinary role, so the row-level security policies are in force.
func TestCaseConformance(t *testing.T) {
	srv := pgtest.Start(t)
	storetest.RunCases(t, func(t *testing.T, now func() time.Time) storetest.CaseStore {
		db, err := postgres.Open(context.Background(), srv.NewAppDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = now
		return db
	})
}
