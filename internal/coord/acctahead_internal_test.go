package coord

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// aheadFeed says how a test's parser gives the accounts ahead: files is
// where each file starts (a new AccountsAhead, its lines from 1 again),
// chunk the records a Flush, and skew, when above 0, the record whose
// ahead ids are given one line off (every record from there falls back
// on the lookups).
type aheadFeed struct {
	on    bool
	chunk int
	files []int
	skew  int
}

// collectAhead adds recs to a collector as collectRecords does, the
// accounts given ahead as feed says by a goroutine standing for the
// parser's (each chunk given before its records are added, as the split
// parse does), and says of each record its result, whether each post was
// new, the shares added, the new accounts and the id of each post's
// author (AccountID); then every account in order (Accounts) and the run.
func collectAhead(t *testing.T, recs []record, mem int64, feed aheadFeed) (decided, []string, int64) {
	t.Helper()
	ctx := context.Background()
	col, p := recordsCollector(t, mem)
	var d decided
	lineOf := func(i int) int64 { // a record's line in its file
		start := 0
		for _, f := range feed.files {
			if f <= i {
				start = f
			}
		}
		return int64(i - start + 1)
	}
	if !feed.on {
		for i := range recs {
			d.results = append(d.results, addOne(t, ctx, col, &recs[i], lineOf(i), &d))
		}
	}
	bounds := append(append([]int{0}, feed.files...), len(recs))
	for f := 0; feed.on && f+1 < len(bounds); f++ {
		i, end := bounds[f], bounds[f+1]
		q := col.AccountsAhead()
		ready := make(chan int, 4) // the records given ahead, up to
		go func() {                // the file's parser, a chunk at a time
			defer close(ready)
			for j := i; j < end; j += feed.chunk {
				k := min(j+feed.chunk, end)
				for r := j; r < k; r++ {
					line := lineOf(r)
					if feed.skew > 0 && r >= feed.skew {
						line++
					}
					for _, a := range recs[r].accounts {
						q.Account(line, a.UID)
					}
					for _, p := range recs[r].posts {
						q.Account(line, p.AuthorUID)
					}
				}
				q.Flush()
				ready <- k
			}
		}()
		for upto := range ready {
			for ; i < upto; i++ {
				d.results = append(d.results, addOne(t, ctx, col, &recs[i], lineOf(i), &d))
			}
		}
	}
	var accounts []string
	for a := range col.Accounts {
		accounts = append(accounts, a)
	}
	var off int64
	if col.ahead != nil {
		off = col.ahead.off
	}
	res, err := Run(ctx, Data{Collected: col}, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	d.res = res
	return d, accounts, off
}

// addOne adds record r at line and says what the collector decided.
func addOne(t *testing.T, ctx context.Context, col *Collector, r *record, line int64, d *decided) string {
	t.Helper()
	r.rec.Line = line
	res, isNew, added, err := col.Add(ctx, &r.rec, r.posts, r.accounts, r.shares)
	if err != nil {
		t.Fatalf("record at line %d: %v", line, err)
	}
	d.dups += res.Duplicates
	d.conflicts += len(res.Conflicts)
	ids := make([]int, len(r.posts))
	for i, p := range r.posts {
		id, ok := col.AccountID(p.AuthorUID)
		if !ok {
			id = -1
		}
		ids[i] = id
	}
	return fmt.Sprint(res, isNew, added, col.NewAccounts(), ids)
}

// TestAccountsAheadDecideAsLookup adds random record streams (posts that
// come again, by another author: conflicts that name an account first)
// to a collector that looks every account up and to ones given the
// accounts ahead by another goroutine (in chunks of one or many records,
// over one file or three, records that name their accounts or only their
// posts' authors as the events tables' do, under no budget and a tiny
// one, and with the ahead ids one line off from some record on), and
// wants every record decided the same (counts, conflicts, new posts,
// shares added, new accounts, the authors' ids), the accounts in the
// same order and the same run.
func TestAccountsAheadDecideAsLookup(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		for _, authorsOnly := range []bool{false, true} {
			recs := randomRecords(seed, 3000)
			if authorsOnly {
				for i := range recs {
					recs[i].accounts = nil
				}
				// a post id conflict that names an account first (the
				// ahead ids number it, the collector does not): a:2
				// then comes after a:3
				var first []record
				for i, pa := range [][2]string{{"p1", "a1"}, {"p1", "a2"}, {"p2", "a3"}, {"p3", "a2"}} {
					p := tahqiq.Post{UID: "y:" + pa[0], AuthorUID: "y:" + pa[1]}
					first = append(first, record{rec: tahqiq.RawRecord{Locator: fmt.Sprintf("first %d", i)}, posts: []tahqiq.Post{p},
						shares: []tahqiq.Share{{Type: tahqiq.ObjHashtag, Object: "#x", AccountID: p.AuthorUID, PostID: p.UID, Time: int64(i), Precision: tahqiq.PrecisionSecond}}})
				}
				recs = append(first, recs...)
			}
			want, wantAcc, _ := collectAhead(t, recs, 0, aheadFeed{})
			if want.conflicts == 0 || want.dups == 0 {
				t.Fatalf("seed %d: %d conflicts, %d duplicates: the test would prove little", seed, want.conflicts, want.dups)
			}
			for _, feed := range []aheadFeed{
				{on: true, chunk: 1},
				{on: true, chunk: 97},
				{on: true, chunk: 500, files: []int{1000, 2200}},
				{on: true, chunk: 64, skew: 1500},
			} {
				for _, mem := range []int64{0, 64 << 10} {
					name := fmt.Sprintf("seed %d authors only %v chunk %d files %v skew %d mem %d", seed, authorsOnly, feed.chunk, feed.files, feed.skew, mem)
					w, wAcc := want, wantAcc
					if mem != 0 || feed.files != nil {
						w, wAcc, _ = collectAhead(t, recs, mem, aheadFeed{files: feed.files})
					}
					got, gotAcc, off := collectAhead(t, recs, mem, feed)
					if len(got.results) != len(w.results) {
						t.Fatalf("%s: %d records decided, want %d", name, len(got.results), len(w.results))
					}
					for i := range w.results {
						if got.results[i] != w.results[i] {
							t.Fatalf("%s: record %d decided %s, want %s", name, i+1, got.results[i], w.results[i])
						}
					}
					if !slices.Equal(gotAcc, wAcc) {
						t.Fatalf("%s: %d accounts (or in another order), want %d", name, len(gotAcc), len(wAcc))
					}
					if wantOff := int64(0); feed.skew > 0 {
						if off != 1 {
							t.Fatalf("%s: %d records found off the ahead ids, want 1", name, off)
						}
					} else if off != wantOff {
						t.Fatalf("%s: %d records found off the ahead ids, want none", name, off)
					}
					sameRun(t, want.res, got.res) // the run without a budget
				}
			}
		}
	}
}
