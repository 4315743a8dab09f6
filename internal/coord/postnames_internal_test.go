package coord

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestPostNamesPacked: the packed names give back every name, the empty
// one included, with 4-byte ends and with the 8-byte ends of names past
// 4 GiB (forced here by a smaller limit).
func TestPostNamesPacked(t *testing.T) {
	names := []string{"", "a", "twitter:1234567890123456789", "", "ü", "p9"}
	for _, wide := range []bool{false, true} {
		t.Run(fmt.Sprintf("wide=%v", wide), func(t *testing.T) {
			if wide {
				defer func(n int) { postNames32 = n }(postNames32)
				postNames32 = 10
			}
			p := packPostNames(len(names), func(i int) string { return names[i] })
			if (p.end64 != nil) != wide || (p.end32 != nil) == wide {
				t.Fatalf("ends of 32 bits %v, of 64 %v", p.end32 != nil, p.end64 != nil)
			}
			if p.len() != len(names) || !p.kept() {
				t.Fatalf("len %d kept %v", p.len(), p.kept())
			}
			for i, want := range names {
				if got := p.at(int32(i)); got != want {
					t.Errorf("name %d: %q, want %q", i, got, want)
				}
			}
			p.drop()
			if p.len() != len(names) || p.kept() {
				t.Fatalf("dropped: len %d kept %v", p.len(), p.kept())
			}
			d, err := writePostNames(t.TempDir(), len(names), func(i int) string { return names[i] })
			if err != nil {
				t.Fatal(err)
			}
			if d.all != "" || d.end32 != nil || d.end64 != nil || !d.kept() || d.len() != len(names) {
				t.Fatalf("on disk: %d bytes and ends in memory, kept %v, len %d", len(d.all), d.kept(), d.len())
			}
			if err := d.load(); err != nil {
				t.Fatal(err)
			}
			if (d.end64 != nil) != wide {
				t.Fatalf("read back with 64-bit ends %v", d.end64 != nil)
			}
			for i, want := range names {
				if got := d.at(int32(i)); got != want {
					t.Errorf("read back, name %d: %q, want %q", i, got, want)
				}
			}
		})
	}
	// a file that cannot be read back is an error, each time it is asked
	d, err := writePostNames(t.TempDir(), len(names), func(i int) string { return names[i] })
	if err != nil {
		t.Fatal(err)
	}
	d.disk.f.Close()
	for range 2 {
		if err := d.load(); err == nil || !strings.Contains(err.Error(), "reading back the posts' names") {
			t.Fatalf("load of a closed file: %v", err)
		}
	}
}

// TestPostNamesWaitOnDisk: a run in this process over its budget (the
// read spilled its rows) that writes evidence keeps its posts' names on
// disk until the evidence asks for them, and its evidence rows and edges
// are those of the run that held everything; a run that fits keeps them
// in memory. On the Russian co-retweet table (skipped where absent) and
// a synthetic set.
func TestPostNamesWaitOnDisk(t *testing.T) {
	sets := map[string][]tahqiq.Share{
		"russian":   parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"),
		"synthetic": synth.Generate(synth.Config{Posts: 20000, Seed: 11}).Shares,
	}
	ctx := context.Background()
	for name, shares := range sets {
		t.Run(name, func(t *testing.T) {
			run := func(mem int64) *Result {
				p := DefaultParams()
				col := NewCollector(p)
				col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
				for i := range shares {
					col.Share(&shares[i])
				}
				res, err := Run(ctx, Data{Collected: col}, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			want, got := run(0), run(1)
			if want.in.posts.disk != nil || want.in.posts.all == "" {
				t.Fatal("a run without a budget put its posts' names on disk")
			}
			if got.in.posts.disk == nil || got.in.posts.all != "" || got.in.posts.end32 != nil {
				t.Fatal("a run over its budget held its posts' names in memory")
			}
			ev := func(res *Result) []EvidenceRow {
				var out []EvidenceRow
				if err := res.Evidence(func(x EvidenceRow) error {
					out = append(out, x)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			we, ge := ev(want), ev(got)
			if len(we) == 0 || !slices.Equal(we, ge) {
				t.Fatalf("%d evidence rows, want %d (or they differ)", len(ge), len(we))
			}
			if !slices.Equal(edgeCSV(t, want), edgeCSV(t, got)) {
				t.Fatal("edges differ")
			}
		})
	}
}

// TestLeanRunKeepsNoPostNames: a run in this process that writes no
// evidence keeps the number of its posts, not their names, and makes no
// per-post times and authors (nodes.csv's, made when asked for); its
// edges, counts and graph are those of the run that keeps them, whether
// the shares come as they are or collected, under a budget or not; a
// run that writes evidence keeps the names. On the Russian co-retweet
// table (skipped where absent) and a synthetic set.
func TestLeanRunKeepsNoPostNames(t *testing.T) {
	sets := map[string][]tahqiq.Share{
		"russian":   parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"),
		"synthetic": synth.Generate(synth.Config{Posts: 8000, Seed: 9}).Shares,
	}
	ctx := context.Background()
	for name, shares := range sets {
		for _, collected := range []bool{false, true} {
			for _, mem := range []int64{0, 1} {
				t.Run(fmt.Sprintf("%s/collected=%v/mem=%d", name, collected, mem), func(t *testing.T) {
					run := func(evidence bool) *Result {
						p := DefaultParams()
						p.Evidence = evidence
						d := Data{Shares: shares}
						if collected {
							col := NewCollector(p)
							col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
							for i := range shares {
								col.Share(&shares[i])
							}
							d = Data{Collected: col}
						}
						res, err := Run(ctx, d, p, InProcess(Budget{Mem: mem, TempDir: t.TempDir()}))
						if err != nil {
							t.Fatal(err)
						}
						return res
					}
					full, lean := run(true), run(false)
					if !full.in.posts.kept() || full.in.posts.len() == 0 {
						t.Fatalf("the run with evidence kept %d post names (kept %v)", full.in.posts.len(), full.in.posts.kept())
					}
					if lean.in.posts.kept() || lean.in.posts.all != "" {
						t.Fatal("the run without evidence kept the post names")
					}
					if lean.in.posts.len() != full.in.posts.len() {
						t.Fatalf("%d posts, want %d", lean.in.posts.len(), full.in.posts.len())
					}
					if err := lean.Evidence(func(EvidenceRow) error { return nil }); !errors.Is(err, errNoPostNames) {
						t.Fatalf("Evidence of a run without post names: %v", err)
					}
					fe, le := edgeCSV(t, full), edgeCSV(t, lean)
					if len(fe) == 0 {
						t.Fatal("no edges: the comparison would prove nothing")
					}
					if !slices.Equal(fe, le) {
						t.Fatalf("%d edges, want %d (or they differ)", len(le), len(fe))
					}
					if lean.in.postInfo.time != nil {
						t.Fatal("a run without the graph step made the per-post times")
					}
					if full.Graph == nil || !slices.Equal(full.Graph.Community, lean.Graph.Community) {
						t.Fatal("communities differ")
					}
				})
			}
		}
	}
}

// edgeCSV returns res's edges.csv lines.
func edgeCSV(t *testing.T, res *Result) []string {
	t.Helper()
	var out []string
	if err := res.EachEdgeRow(func(x EdgeRow) error {
		out = append(out, string(x.AppendCSV(nil)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInternCollectsTablesOverBudget: interning a collector whose read
// spilled its rows collects the tables it let go before it ranks the
// posts (one forced collection: at 3M posts under --mem 100MB the live
// heap at that point fell from 169 to 90 MB, and the ranks then took the
// tables' place instead of 24 MB more); one that kept its rows forces
// none.
func TestInternCollectsTablesOverBudget(t *testing.T) {
	shares := synth.Generate(synth.Config{Posts: 3000, Seed: 13}).Shares
	p := DefaultParams()
	forced := func() uint64 {
		s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
		metrics.Read(s)
		return s[0].Value.Uint64()
	}
	for _, mem := range []int64{0, 1} {
		col := NewCollector(p)
		col.SetBudget(Budget{Mem: mem, TempDir: t.TempDir()})
		for i := range shares {
			col.Share(&shares[i])
		}
		before := forced()
		if _, err := col.interned(&p, postsDropped, nil); err != nil {
			t.Fatal(err)
		}
		if n, want := forced()-before, uint64(mem); n != want {
			t.Errorf("budget %d: %d forced collections while interning, want %d", mem, n, want)
		}
	}
}
