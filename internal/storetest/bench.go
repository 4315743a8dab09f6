package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
)

// The benchmarks every engine runs (BenchmarkAddRecord, BenchmarkScanShares
// in internal/sqlite and internal/postgres), on one workload.

// eventsRow returns the store side of one events-CSV row: one record, one
// post, one share, 9,500 accounts and 7,000 objects repeating.
func eventsRow(i int) (*tahqiq.RawRecord, tahqiq.Post, tahqiq.Share) {
	raw := []byte(fmt.Sprintf(`{"account_id":"acc%d","post_id":"p%d","timestamp":"1623881091","time_utc":"2021-06-16T22:04:51Z","object_type":"retweet","object_value":"85d2d12251a735ce05255061f7f231e2"}`, i%9500, i))
	rec := &tahqiq.RawRecord{Line: int64(i + 2), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
	p := tahqiq.Post{UID: fmt.Sprintf("other:114e22f1b2b648528277b76f0b0%07d", i), AuthorUID: fmt.Sprintf("other:0fb4232d1b7b37069c13ee175%07d", i%9500),
		CreatedAt: time.Unix(1623881091+int64(i), 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost,
		Objects: []tahqiq.Object{{Type: tahqiq.ObjRetweet, Value: fmt.Sprintf("85d2d12251a735ce05255061f%07d", i%7000)}}}
	sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: p.Objects[0].Value, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
	return rec, p, sh
}

// loadEvents imports n events rows into dataset "bench" in one
// transaction; the timer runs from the first row to the commit.
func loadEvents(b *testing.B, s tahqiq.ImportStore, n int) {
	b.Helper()
	ctx := context.Background()
	tx, err := s.BeginImport(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range n {
		rec, p, sh := eventsRow(i)
		if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchAddRecord measures the store side of an events-CSV import of b.N
// rows into s, commit included.
func BenchAddRecord(b *testing.B, s tahqiq.ImportStore) {
	b.ReportAllocs()
	loadEvents(b, s, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchScanShares measures streaming every share of a 100,000-row
// dataset of s (with the joins to post and account UIDs).
func BenchScanShares(b *testing.B, s interface {
	tahqiq.ImportStore
	tahqiq.ShareStore
}) {
	const rows = 100_000
	loadEvents(b, s, rows)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if err := s.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "bench"}, func(tahqiq.Share) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != rows {
			b.Fatalf("scanned %d shares, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "shares/s")
}

// BenchImportSlices imports rows events rows into s in one transaction
// (storetest's workload: a post and a share a row, 9,500 accounts) and
// reports the rate of every slice of rows/10 rows, to show whether the
// import slows down as the dataset grows (the import caches reach their
// bound of 2^20 entries at about 520,000 rows of this workload). Run it
// once: -benchtime 1x.
func BenchImportSlices(b *testing.B, s tahqiq.ImportStore, rows int) {
	ctx := context.Background()
	slice := rows / 10
	for n := 0; b.Loop(); n++ {
		tx, err := s.BeginImport(ctx, fmt.Sprintf("bench%d", n)) // a dataset each time: the file is the same
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
			b.Fatal(err)
		}
		start, last := time.Now(), time.Now()
		lo, hi := 0.0, 0.0
		for i := range rows {
			rec, p, sh := eventsRow(i)
			if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil {
				b.Fatal(err)
			}
			if (i+1)%slice == 0 {
				r := float64(slice) / time.Since(last).Seconds()
				b.Logf("rows %7d-%7d: %6.0f rows/s", i+1-slice, i+1, r)
				if lo == 0 || r < lo {
					lo = r
				}
				hi = max(hi, r)
				last = time.Now()
			}
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		b.ReportMetric(lo, "slowest-slice-rows/s")
		b.ReportMetric(hi, "fastest-slice-rows/s")
	}
}
