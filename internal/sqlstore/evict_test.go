package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/postgres"
	"github.com/tahqiq/tahqiq/internal/postgres/pgtest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
	"github.com/tahqiq/tahqiq/internal/sqlstore"
)

// TestEvict: an import far past the cache bound (512 entries, 6,000
// posts, shares and 100 accounts) looks up in the database only the keys
// its filter cannot rule out (a false positive now and then), where
// clearing the caches at the bound sent every new post and share to the
// database; and posts and shares evicted long before are still found:
// records repeating them are duplicates, a new share of one is new, on
// both engines.
func TestEvict(t *testing.T) {
	if testing.Short() {
		t.Skip("imports past the cache bound on both engines (about 25 s): not in -short (go test ./..., as CI runs it, does)")
	}
	defer sqlstore.SetCacheLimit(512)()
	for _, e := range []struct {
		name string
		open func(t *testing.T) store
	}{
		{"sqlite", func(t *testing.T) store {
			db, err := sqlite.OpenDir(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(t *testing.T) store {
			db, err := postgres.Open(context.Background(), pgtest.Start(t).NewDatabase(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
	} {
		t.Run(e.name, func(t *testing.T) { testEvict(t, e.open(t)) })
	}
}

type store interface {
	tahqiq.ImportStore
	tahqiq.DatasetStore
}

func testEvict(t *testing.T, s store) {
	ctx := context.Background()
	const n = 6000
	row := func(i, line int, obj string) (*tahqiq.RawRecord, tahqiq.Post, tahqiq.Share) {
		raw := []byte(fmt.Sprintf(`{"row":%d,"object":%q}`, line, obj))
		rec := &tahqiq.RawRecord{Line: int64(line), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
		p := tahqiq.Post{UID: fmt.Sprintf("other:p%d", i), AuthorUID: fmt.Sprintf("other:a%d", i%100),
			CreatedAt: time.Unix(1623881091+int64(i), 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost,
			Objects: []tahqiq.Object{{Type: tahqiq.ObjRetweet, Value: obj}}}
		sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: obj, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
		return rec, p, sh
	}
	tx, err := s.BeginImport(ctx, "evict")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
		t.Fatal(err)
	}
	add := func(i, line int, obj string) tahqiq.RecordResult {
		t.Helper()
		rec, p, sh := row(i, line, obj)
		res, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh})
		if err != nil {
			t.Fatalf("record %d: %v", line, err)
		}
		return res
	}
	for i := range n {
		if res := add(i, i+2, fmt.Sprintf("o%d", i%700)); res.NewPosts != 1 || res.NewShares != 1 || res.Duplicates != 0 {
			t.Fatalf("row %d: %+v, want one new post and share", i, res)
		}
	}
	// 6,000 lookups of posts never written: clearing the caches sent
	// every one after the first clear to the database; now a new key
	// goes there only on a false positive of both the filter of written
	// keys and that of evicted keys (TestNoLookupsBelowBound: at 20,000
	// posts the first alone let 28 through).
	if got := sqlstore.Lookups(tx); got > n/500 {
		t.Errorf("%d database lookups for %d rows, want at most 0.2%% of the %d posts never written", got, n, n)
	}
	t.Logf("%d database lookups for %d rows", sqlstore.Lookups(tx), n)
	for i := range 1000 { // the first posts, evicted long ago
		line := n + 2 + i
		if res := add(i, line, fmt.Sprintf("o%d", i%700)); res.NewPosts != 0 || res.NewShares != 0 || res.Duplicates != 1 {
			t.Fatalf("row %d again: %+v, want a duplicate", i, res)
		}
		if res := add(i, line+1000, "new"); res.NewPosts != 0 || res.NewShares != 1 {
			t.Fatalf("row %d with a new object: %+v, want a new share", i, res)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.FindDatasetByName(ctx, "evict")
	if err != nil {
		t.Fatal(err)
	}
	want := tahqiq.DatasetCounts{Records: n + 2000, Posts: n, Accounts: 100, Shares: n + 1000}
	got := d.Counts
	got.Rejects = 0
	if got != want {
		t.Errorf("counts %+v, want %+v", got, want)
	}
}

// TestNoLookupsBelowBound: an import whose caches never reach their bound
// asks the database nothing, where the filter's false positives (about
// 1 % of new posts) each cost a lookup: on PostgreSQL a round trip, which
// is what slowed the late part of 1M-row imports (docs/benchmarks.md,
// branch importrate).
func TestNoLookupsBelowBound(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginImport(ctx, "below")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: "f", SHA256: "x", Format: "coord_events_csv"}); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for i := range n {
		raw := []byte(fmt.Sprintf(`{"row":%d}`, i))
		rec := &tahqiq.RawRecord{Line: int64(i + 2), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
		p := tahqiq.Post{UID: fmt.Sprintf("other:p%d", i), AuthorUID: fmt.Sprintf("other:a%d", i%3000),
			CreatedAt: time.Unix(1623881091+int64(i), 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost,
			Objects: []tahqiq.Object{{Type: tahqiq.ObjRetweet, Value: fmt.Sprintf("o%d", i%700)}}}
		sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: p.Objects[0].Value, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
		if res, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh}); err != nil || res.NewPosts != 1 {
			t.Fatalf("row %d: %+v, %v", i, res, err)
		}
	}
	if got := sqlstore.Lookups(tx); got != 0 {
		t.Errorf("%d database lookups for %d new posts and 3,000 accounts, want none", got, n)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLookupsIntoDatasetWithPosts: an import into a dataset that already
// held posts looked up every new post in the database (an import of 1M
// new posts into a dataset of 100,000 took 2.5 times the CPU of the same
// into an empty one); once its lookups of new posts add up, it reads the
// dataset's UIDs into a filter and looks up only what the filter cannot
// rule out, and the posts the dataset held are still found (records
// repeating them are duplicates).
func TestLookupsIntoDatasetWithPosts(t *testing.T) {
	defer sqlstore.SetMissedFirst(200)()
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.OpenDir(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testLookupsIntoDatasetWithPosts(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("a PostgreSQL server: not in -short")
		}
		db, err := postgres.Open(context.Background(), pgtest.Start(t).NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		testLookupsIntoDatasetWithPosts(t, db)
	})
}

func testLookupsIntoDatasetWithPosts(t *testing.T, db store) {
	ctx := context.Background()
	row := func(i int) (*tahqiq.RawRecord, tahqiq.Post, tahqiq.Share) {
		raw := []byte(fmt.Sprintf(`{"row":%d}`, i))
		rec := &tahqiq.RawRecord{Line: int64(i + 2), Locator: "L", Raw: raw, SHA256: sha256.Sum256(raw)}
		p := tahqiq.Post{UID: fmt.Sprintf("other:p%d", i), AuthorUID: fmt.Sprintf("other:a%d", i%100),
			CreatedAt: time.Unix(1623881091+int64(i), 0), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindRepost,
			Objects: []tahqiq.Object{{Type: tahqiq.ObjRetweet, Value: fmt.Sprintf("o%d", i%700)}}}
		sh := tahqiq.Share{Type: tahqiq.ObjRetweet, Object: p.Objects[0].Value, AccountID: p.AuthorUID, PostID: p.UID, Time: p.CreatedAt.Unix(), Precision: p.Precision}
		return rec, p, sh
	}
	load := func(file string, from, to int) int64 {
		tx, err := db.BeginImport(ctx, "d")
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if err := tx.AddFile(ctx, tahqiq.ImportFile{Name: file, SHA256: file, Format: "coord_events_csv"}); err != nil {
			t.Fatal(err)
		}
		for i := from; i < to; i++ {
			rec, p, sh := row(i)
			rec.Raw = append(rec.Raw, file...) // another record of the same post
			rec.SHA256 = sha256.Sum256(rec.Raw)
			res, err := tx.AddRecord(ctx, rec, []tahqiq.Post{p}, nil, []tahqiq.Share{sh})
			if want := 1; i < 2000 && file != "first" {
				want = 0 // the dataset holds it
				if err != nil || res.NewPosts != want {
					t.Fatalf("%s, row %d (a post the dataset held): %+v, %v", file, i, res, err)
				}
			} else if err != nil || res.NewPosts != want {
				t.Fatalf("%s, row %d: %+v, %v", file, i, res, err)
			}
		}
		n := sqlstore.Lookups(tx)
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return n
	}
	load("first", 0, 2000)
	// 1,000 posts the dataset holds, then 5,000 new ones: 1,000 lookups
	// that find, 200 that do not before the filter is read, 100 of
	// accounts, and the filter's false positives (under 2 %)
	if n := load("second", 1000, 7000); n > 1500 {
		t.Errorf("%d database lookups for 5,000 new posts and 1,000 held, want at most 1,500 (one a new post: 6,100)", n)
	} else {
		t.Logf("%d database lookups", n)
	}
}
