package sqlite_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/storetest"
)

func openBench(b *testing.B) *sqlite.DB {
	db, err := sqlite.OpenDir(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkAddRecord measures the store side of an events-CSV import: one
// record, one post, one share per row, accounts repeating, commit included.
func BenchmarkAddRecord(b *testing.B) { storetest.BenchAddRecord(b, openBench(b)) }

// BenchmarkScanShares measures streaming every share of a 100,000-row
// dataset (with the joins to post and account UIDs).
func BenchmarkScanShares(b *testing.B) { storetest.BenchScanShares(b, openBench(b)) }

// BenchmarkImportSlices imports 1,000,000 events rows and logs the rate
// of every 100,000 (-benchtime 1x -v).
func BenchmarkImportSlices(b *testing.B) { storetest.BenchImportSlices(b, openBench(b), 1_000_000) }
