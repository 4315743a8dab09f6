package coord

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// smallPostRuns makes the posts' runs tiny for the test: a run of every
// few posts, merged past three runs, ranks a few ids at a time (several
// merges and chunks on inputs of thousands of posts), and the rows handed
// to the rows' side one at a time (so that the posts' check learns at
// once that the rows spill, as when the rows were made on the caller's
// goroutine).
func smallPostRuns(t testing.TB, run, runs int, chunk int32) {
	t.Helper()
	oldRun, oldRuns, oldChunk, oldBatch := minPostRun, maxPostRuns, postRankChunk, rowBatchLen
	minPostRun, maxPostRuns, rowBatchLen = run, runs, 1
	postRankChunk = func(int64) int32 { return chunk }
	t.Cleanup(func() { minPostRun, maxPostRuns, postRankChunk, rowBatchLen = oldRun, oldRuns, oldChunk, oldBatch })
}

// record is one record of a random stream: its posts, accounts, shares.
type record struct {
	rec      tahqiq.RawRecord
	posts    []tahqiq.Post
	accounts []tahqiq.Account
	shares   []tahqiq.Share
}

// randomRecords makes n records of one to three posts each, drawn from a
// pool of n/2 post ids (so that many come again: duplicates, or new
// shares of a post seen before), each mostly by its own author and
// sometimes by another (a post id conflict), with one or two shares of a
// few hundred objects within an hour.
func randomRecords(seed uint64, n int) []record {
	rng := rand.New(rand.NewPCG(seed, 7))
	types := []tahqiq.ObjectType{tahqiq.ObjRetweet, tahqiq.ObjURL, tahqiq.ObjHashtag}
	pool, accounts := max(n/2, 1), max(n/20, 2)
	out := make([]record, n)
	for i := range out {
		r := &out[i]
		r.rec = tahqiq.RawRecord{Line: int64(i + 1), Locator: fmt.Sprintf("L%d", i+1)}
		for range 1 + rng.IntN(3) {
			k := rng.IntN(pool)
			author := k % accounts
			if rng.IntN(20) == 0 {
				author = rng.IntN(accounts)
			}
			p := tahqiq.Post{UID: fmt.Sprintf("x:%d", k), AuthorUID: fmt.Sprintf("x:a%d", author)}
			r.posts = append(r.posts, p)
			r.accounts = append(r.accounts, tahqiq.Account{UID: p.AuthorUID})
			for range 1 + rng.IntN(2) {
				r.shares = append(r.shares, tahqiq.Share{Type: types[rng.IntN(3)], Object: fmt.Sprintf("o%d", rng.IntN(300)),
					AccountID: p.AuthorUID, PostID: p.UID, Time: int64(rng.IntN(3600)), Precision: tahqiq.PrecisionSecond})
			}
		}
	}
	return out
}

// decided is what a collector said of each record, and the run it made.
type decided struct {
	results          []string
	res              *Result
	runs             int
	dups, conflicts  int
	onDisk, searched int64 // posts found on disk, runs searched
}

// recordsCollector is the collector the records' tests add to, and its
// parameters: messages weight, min-participation 1, under budget mem (0:
// none).
func recordsCollector(t testing.TB, mem int64) (*Collector, Params) {
	p := DefaultParams()
	p.Weight, p.MinParticipation = WeightMessages, 1
	col := NewCollector(p)
	col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
	return col, p
}

// collectRecords adds recs to a collector under budget mem (0: none) and
// runs it: each record's result (counts, conflicts, which posts were new,
// the shares added, the new accounts) and the run.
func collectRecords(t testing.TB, recs []record, mem int64) decided {
	t.Helper()
	ctx := context.Background()
	col, p := recordsCollector(t, mem)
	var d decided
	for i := range recs {
		r := &recs[i]
		res, isNew, added, err := col.Add(ctx, &r.rec, r.posts, r.accounts, r.shares)
		if err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		d.results = append(d.results, fmt.Sprint(res, isNew, added, col.NewAccounts()))
		d.dups += res.Duplicates
		d.conflicts += len(res.Conflicts)
	}
	if col.pruns != nil {
		d.runs = len(col.pruns.runs)
		d.onDisk, d.searched = col.pruns.found, col.pruns.searched
	}
	res, err := Run(ctx, Data{Collected: col}, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	d.res = res
	return d
}

// sameRun fails t unless got's edges, evidence, counts and dropped shares
// are want's (the counts of what went to disk aside).
func sameRun(t testing.TB, want, got *Result) {
	t.Helper()
	gc := maps.Clone(got.Counts)
	for _, k := range []string{"spilled_read_bytes", "spilled_post_bytes", "spilled_bytes", "spilled_runs", "spilled_edge_bytes", "mem_needed_bytes"} {
		delete(gc, k)
	}
	wc := maps.Clone(want.Counts)
	for _, k := range []string{"spilled_bytes", "spilled_runs", "spilled_edge_bytes", "mem_needed_bytes"} {
		delete(wc, k)
	}
	if !maps.Equal(gc, wc) || !maps.Equal(got.Dropped, want.Dropped) {
		t.Fatalf("counts %v dropped %v, want %v and %v", gc, got.Dropped, wc, want.Dropped)
	}
	var we, ge []string
	for _, x := range []struct {
		res *Result
		out *[]string
	}{{want, &we}, {got, &ge}} {
		if err := x.res.EachEdgeRow(func(e EdgeRow) error {
			*x.out = append(*x.out, string(e.AppendCSV(nil)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := x.res.Evidence(func(e EvidenceRow) error {
			*x.out = append(*x.out, fmt.Sprint(e))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(we) == 0 {
		t.Fatal("no edges: the comparison would prove nothing")
	}
	if !slices.Equal(we, ge) {
		t.Fatalf("%d edges and evidence rows, want %d (or they differ)", len(ge), len(we))
	}
}

// TestPostRunsDecideAsMemory adds random record streams (posts that come
// again with the same shares, with new ones, and by another author) to
// a collector that holds every post and to one whose posts go to disk
// every few posts (runs merged, ranks made a few posts at a time), and
// wants every record decided the same (counts, conflicts, new posts,
// shares added, new accounts) and the same run to the byte.
func TestPostRunsDecideAsMemory(t *testing.T) {
	smallPostRuns(t, 16, 3, 100)
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			recs := randomRecords(seed, 3000)
			want := collectRecords(t, recs, 0)
			got := collectRecords(t, recs, 1)
			if got.runs == 0 || got.res.Counts["spilled_post_bytes"] == 0 {
				t.Fatalf("%d runs of posts under a budget of one byte", got.runs)
			}
			if want.runs != 0 {
				t.Fatal("posts went to disk without a budget")
			}
			for i := range want.results {
				if want.results[i] != got.results[i] {
					t.Fatalf("record %d: %s, want %s", i+1, got.results[i], want.results[i])
				}
			}
			if want.conflicts == 0 || want.dups == 0 || got.onDisk == 0 || got.searched <= got.onDisk {
				t.Fatalf("%d conflicts, %d duplicates, %d posts found on disk in %d runs searched: the test proves little",
					want.conflicts, want.dups, got.onDisk, got.searched)
			}
			sameRun(t, want.res, got.res)
		})
	}
}

// FuzzPostRuns: any stream of records decides the same with the posts on
// disk as in memory (the seed picks the stream, the run sizes vary).
func FuzzPostRuns(f *testing.F) {
	f.Add(uint64(1), uint16(400), uint8(8))
	f.Add(uint64(2), uint16(50), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, run uint8) {
		smallPostRuns(t, 1+int(run), 2, 7)
		recs := randomRecords(seed, 1+int(n)%2000)
		want := collectRecords(t, recs, 0)
		got := collectRecords(t, recs, 1)
		if !reflect.DeepEqual(want.results, got.results) {
			t.Fatal("the records were decided otherwise with the posts on disk")
		}
		if len(want.res.Edges) > 0 {
			sameRun(t, want.res, got.res)
		}
	})
}

// TestPostRunsEqualRun: shares given as they are (a stored dataset's
// read, Collector.Share) to a collector whose posts go to disk in runs
// of a few hundred make the run of one that holds them, evidence
// included: the Russian co-retweet table (skipped where absent) and a
// synthetic set.
func TestPostRunsEqualRun(t *testing.T) {
	smallPostRuns(t, 300, 4, 5000)
	sets := map[string][]tahqiq.Share{
		"russian":   parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"),
		"synthetic": synth.Generate(synth.Config{Posts: 20000, Seed: 3}).Shares,
	}
	ctx := context.Background()
	for name, shares := range sets {
		t.Run(name, func(t *testing.T) {
			run := func(mem int64) (*Result, int) {
				p := DefaultParams()
				col := NewCollector(p)
				col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
				for i := range shares {
					col.Share(&shares[i])
				}
				runs := 0
				if col.pruns != nil {
					runs = len(col.pruns.runs)
				}
				res, err := Run(ctx, Data{Collected: col}, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
				if err != nil {
					t.Fatal(err)
				}
				return res, runs
			}
			want, _ := run(0)
			got, runs := run(1)
			if runs < 2 {
				t.Fatalf("%d runs of posts", runs)
			}
			sameRun(t, want, got)
		})
	}
}

// TestBloom: every hash added is found; of hashes not added, few are
// (at 8 bits a name, four probes in a block of 512 bits: about 3 %).
func TestBloom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := newBloom(1 << 20)
	n := (1 << 20) // 8 bits a hash
	added := make([]uint64, n)
	for i := range added {
		added[i] = rng.Uint64()
		b.add(added[i])
	}
	for _, h := range added {
		if !b.has(h) {
			t.Fatalf("hash %x added and not found", h)
		}
	}
	fp := 0
	for range n {
		if b.has(rng.Uint64()) {
			fp++
		}
	}
	if rate := float64(fp) / float64(n); rate > 0.05 || rate == 0 {
		t.Fatalf("false positive rate %.4f at 8 bits a hash", rate)
	}
}

// BenchmarkCollectPostRuns collects the synthetic set's shares (one post
// each: a lookup that misses, then a new post) and interns them: with
// no budget (every post in memory), and under a budget that puts the
// posts on disk (the rows spilled from the start; the posts every
// minPostRun-sized table is past a quarter of half the budget: runs of
// some 100,000 posts at 16 MB). TAHQIQ_BENCH_POSTS sets the size
// (default 1,000,000). cpu-s/op is the process's CPU time per op; runs
// how many runs the table wrote (merges aside).
func BenchmarkCollectPostRuns(b *testing.B) {
	shares, p := leanSynth()
	for _, mem := range []int64{0, 16 << 20} {
		b.Run(fmt.Sprintf("mem=%d", mem), func(b *testing.B) {
			cpu := cputime.Seconds()
			runs := 0
			for b.Loop() {
				col := NewCollector(p)
				col.SetBudget(Budget{Mem: mem, TempDir: b.TempDir()})
				for i := range shares {
					col.Share(&shares[i])
				}
				if col.pruns != nil {
					runs = col.pruns.made
				}
				if _, err := col.interned(&p, postsDropped, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(runs), "runs")
		})
	}
}

// TestPostRunsSized: under a budget the other tables fill (16 MiB, the
// synthetic set's accounts and objects beside the posts), the posts go
// to disk in runs of a quarter of the read's share, not of a few posts
// (a table started again with the slots of the one before counted them
// as posts: runs of 1,100 posts, 911 of them at 1M).
func TestPostRunsSized(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 posts")
	}
	shares := synth.Generate(synth.Config{Posts: 200000, Seed: 1}).Shares
	p := DefaultParams()
	col := NewCollector(p)
	col.SetBudget(Budget{Mem: 16 << 20, TempDir: t.TempDir()})
	for i := range shares {
		col.Share(&shares[i])
	}
	if col.pruns == nil {
		t.Fatal("no post went to disk under 16 MiB")
	}
	made, base := col.pruns.made, int(col.pruns.base)
	per := base / made
	t.Logf("%d posts on disk in %d runs: %d a run", base, made, per)
	if per < 20*minPostRun {
		t.Fatalf("%d posts on disk in %d runs: %d a run", base, made, per)
	}
	if _, err := col.interned(&p, postsDropped, nil); err != nil {
		t.Fatal(err)
	}
}

// TestPostsSpillPastThreeQuarters: the posts go to disk when the read's
// tables pass three quarters of the budget, not half (the rows, past
// half, still do). The synthetic set's tables, T bytes collected without
// a budget: under a budget of 1.7 T (T past half, under three quarters)
// the rows spill and no post goes to disk; under T the posts go too. The
// run is the one of the collector without a budget either way.
func TestPostsSpillPastThreeQuarters(t *testing.T) {
	shares := synth.Generate(synth.Config{Posts: 100000, Seed: 2}).Shares
	p := DefaultParams()
	p.Weight, p.MinParticipation = WeightMessages, 1
	ctx := context.Background()
	collect := func(mem int64) (*Collector, int64) {
		col := NewCollector(p)
		col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
		for i := range shares {
			col.Share(&shares[i])
		}
		col.flush()
		return col, col.mainTableBytes() + col.sideTableBytes()
	}
	run := func(col *Collector, mem int64) *Result {
		res, err := Run(ctx, Data{Collected: col}, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	col, tables := collect(0)
	want := run(col, 0)
	for _, c := range []struct {
		mem       int64
		postsGo   bool
		rowsSpill bool
	}{
		{tables * 17 / 10, false, true},
		{tables, true, true},
	} {
		col, _ := collect(c.mem)
		if rows, posts := col.Spilled(), col.SpilledPosts(); (rows > 0) != c.rowsSpill || (posts > 0) != c.postsGo {
			t.Fatalf("tables of %d bytes under a budget of %d: %d bytes of rows and %d of posts spilled, want rows %v, posts %v",
				tables, c.mem, rows, posts, c.rowsSpill, c.postsGo)
		}
		sameRun(t, want, run(col, c.mem))
	}
}
