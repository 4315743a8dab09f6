package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

func open(b *testing.B) *postgres.DB {
	srv := pgtest.Start(b)
	db, err := postgres.Open(context.Background(), srv.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkAddRecord measures an import of b.N events rows, commit
// included (storetest's workload, as internal/sqlite's).
func BenchmarkAddRecord(b *testing.B) { storetest.BenchAddRecord(b, open(b)) }

// BenchmarkCopyPath compares the two ways an import's rows reach the
// tables, for a superuser (to whom row-level security does not apply):
// COPY through a staging table and INSERT … SELECT (what an ordinary role
// must do), and COPY straight into the tables (the default for such a
// role). b.N events rows each.
func BenchmarkCopyPath(b *testing.B) {
	srv := pgtest.Start(b)
	for _, bc := range []struct {
		name    string
		staging bool
	}{{"staging", true}, {"direct", false}} {
		b.Run(bc.name, func(b *testing.B) {
			defer postgres.SetStaging(bc.staging)()
			db, err := postgres.Open(context.Background(), srv.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			storetest.BenchAddRecord(b, db)
		})
	}
}

// BenchmarkImportSlices imports 1,000,000 events rows and logs the rate
// of every 100,000 (-benchtime 1x -v).
func BenchmarkImportSlices(b *testing.B) { storetest.BenchImportSlices(b, open(b), 1_000_000) }

// BenchmarkScanShares measures streaming every share of a 100,000-row
// dataset (with the joins to post and account UIDs).
func BenchmarkScanShares(b *testing.B) { storetest.BenchScanShares(b, open(b)) }

// BenchmarkFindCases measures one read of a case table under row-level
// security (a transaction setting tahqiq.org, the query, the commit), for
// the system scope and for an organisation's, as an ordinary role.
func BenchmarkFindCases(b *testing.B) {
	ctx := context.Background()
	srv := pgtest.Start(b)
	db, err := postgres.Open(ctx, srv.NewAppDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	err = db.InTx(ctx, func(tx tahqiq.CaseTx) error {
		for _, o := range []string{"o-a", "o-b"} {
			if err := tx.CreateOrganisation(ctx, tahqiq.Organisation{ID: o, Name: o}); err != nil {
				return err
			}
			for i := range 50 {
				c := tahqiq.Case{ID: fmt.Sprintf("c-%s-%d", o, i), OrgID: o, Title: "t", TLP: tahqiq.TLPAmber, CreatedBy: "u", CreatedAt: time.Unix(int64(i), 0)}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		ctx  context.Context
		want int
	}{{"system", ctx, 100}, {"org", tahqiq.WithOrg(ctx, "o-a"), 50}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cs, err := db.FindCases(bc.ctx)
				if err != nil || len(cs) != bc.want {
					b.Fatalf("FindCases = %d cases, %v; want %d", len(cs), err, bc.want)
				}
			}
		})
	}
}
