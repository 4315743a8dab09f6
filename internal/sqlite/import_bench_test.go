package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// BenchmarkAddRecord measures the store side of an events-CSV import: one
// record, one post, one share per row, accounts repeating.
func BenchmarkAddRecord(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginImport(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := []byte(fmt.Sprintf(`{"account_id":"acc%d","post_id":"p%d","timestamp":"1623881091","time_utc":"2021-06-16T22:04:51Z","object_type":"retweet","object_value":"85d2d12251a735ce05255061f7f231e2"}`, i%9500, i))
		rec := &tahqiq.RawRecord{Line: int64(i + 2), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
		p := tahqiq.Post{UID: fmt.Sprintf("other:114e22f1b2b648528277b76f0b0%07d", i), AuthorUID: fmt.Sprintf("other:0fb4232d1b7b37069c13ee175%07d", i%9500),
			CreatedAt: time.Unix(1623881091, 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost,
			Objects: []tahqiq.Object{{Type: tahqiq.ObjRetweet, Value: fmt.Sprintf("85d2d12251a735ce05255061f%07d", i%7000)}}}
		sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: p.Objects[0].Value, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
		if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanShares measures streaming every share of a 100,000-row
// dataset (with the joins to post and account UIDs), as
// internal/postgres's benchmark of the same name.
func BenchmarkScanShares(b *testing.B) {
	const rows = 100_000
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginImport(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
		b.Fatal(err)
	}
	for i := range rows {
		raw := []byte(fmt.Sprintf(`{"account_id":"acc%d","post_id":"p%d"}`, i%9500, i))
		rec := &tahqiq.RawRecord{Line: int64(i + 2), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
		p := tahqiq.Post{UID: fmt.Sprintf("other:114e22f1b2b648528277b76f0b0%07d", i), AuthorUID: fmt.Sprintf("other:0fb4232d1b7b37069c13ee175%07d", i%9500),
			CreatedAt: time.Unix(1623881091+int64(i), 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost}
		sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: fmt.Sprintf("85d2d12251a735ce05255061f%07d", i%7000), AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
		if _, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := db.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "bench"}, func(tahqiq.Share) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != rows {
			b.Fatalf("scanned %d shares, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "shares/s")
}
