package coord_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
)

// TestSpillEqualsRun: a run whose budget is too small for its pairs
// spills them in sorted runs and merges them, and gives the edges,
// evidence, counts and communities of the run that holds them all, for
// every weight and window kind, with the min-participation rule and the
// fast layer on.
func TestSpillEqualsRun(t *testing.T) {
	defer coord.SetMinPairCap(256)()
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	for _, tc := range []struct {
		name string
		mod  func(*coord.Params)
	}{
		{"pairs, min-participation 2 (CooRTweet)", func(p *coord.Params) {}},
		{"messages, fast layer 10 s", func(p *coord.Params) {
			p.Weight = coord.WeightMessages
			p.FastWindow = 10
		}},
		{"objects", func(p *coord.Params) { p.Weight = coord.WeightObjects; p.MinParticipation = 1 }},
		{"collab 30 s", func(p *coord.Params) { p.Weight = coord.WeightCollab; p.Window = 30 }},
		{"tfidf", func(p *coord.Params) { p.Weight = coord.WeightTFIDF; p.MinParticipation = 1 }},
		{"tumbling, scope all", func(p *coord.Params) { p.WindowKind = coord.Tumbling; p.ParticipationScope = "all" }},
		{"from first", func(p *coord.Params) { p.WindowKind = coord.FromFirst; p.MinParticipation = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			tc.mod(&p)
			want, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantEdges, wantEv := coordtest.Records(t, want)
			if len(wantEdges) == 0 {
				t.Fatal("no edges: the comparison proves nothing")
			}
			for _, mem := range []int64{1, 1 << 40, 2, 3, 4} {
				p := p
				switch mem {
				case 4:
					// the merge and the fold cut into 3 parts by
					// account, each on a goroutine of its own
					defer coord.SetFoldPartMin(1)()
					p.Workers = 3
					mem = 1
				case 2:
					// the runs read back 3 pairs at a time, not all at once
					defer coord.SetRunBlock(3)()
					mem = 1
				case 3:
					// the edges counted by a merge before they go to a
					// file (with no room for one run's: not counted)
					defer coord.SetCountEdgesAlways(true)()
					mem = 1
				}
				got, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, coord.InProcess(coord.Budget{Mem: mem, TempDir: t.TempDir()}))
				if err != nil {
					t.Fatal(err)
				}
				spilled := got.Counts["spilled_bytes"] > 0
				if want := mem == 1; spilled != want {
					t.Fatalf("budget %d: spilled %v (counts %v)", mem, spilled, got.Counts)
				}
				if spilled && got.Counts["spilled_runs"] < 2 {
					t.Fatalf("budget %d: %d runs: the merge is not tested", mem, got.Counts["spilled_runs"])
				}
				// the edges go to a file too, and the graph step reads them there
				if edgesSpilled := got.Counts["spilled_edge_bytes"] > 0; edgesSpilled != spilled || len(got.Edges) > 0 && spilled {
					t.Fatalf("budget %d: edges spilled %v (%d held), want %v", mem, edgesSpilled, len(got.Edges), spilled)
				}
				gotEdges, gotEv := coordtest.Records(t, got)
				if !slices.Equal(wantEdges, gotEdges) {
					t.Fatalf("budget %d: %d edges, want %d (first difference at %d)", mem, len(gotEdges), len(wantEdges), firstDiff(wantEdges, gotEdges))
				}
				if !slices.Equal(wantEv, gotEv) {
					t.Fatalf("budget %d: %d evidence rows, want %d (first difference at %d)", mem, len(gotEv), len(wantEv), firstDiff(wantEv, gotEv))
				}
				for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts"} {
					if got.Counts[k] != want.Counts[k] {
						t.Fatalf("budget %d: %s %d, want %d", mem, k, got.Counts[k], want.Counts[k])
					}
				}
				if !slices.Equal(want.Graph.Community, got.Graph.Community) {
					t.Fatalf("budget %d: communities differ", mem)
				}
				// every measure of the graph step, to the bit
				if !reflect.DeepEqual(want.Graph, got.Graph) {
					t.Fatalf("budget %d: the graph step's results differ", mem)
				}
			}
		})
	}
}

// TestSpillCleansUp: the sorted runs are removed when the run ends.
func TestSpillCleansUp(t *testing.T) {
	defer coord.SetMinPairCap(256)()
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	dir := t.TempDir()
	p := coord.DefaultParams()
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, coord.InProcess(coord.Budget{Mem: 1, TempDir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts["spilled_bytes"] == 0 {
		t.Fatal("nothing spilled")
	}
	left := dirEntries(t, dir)
	if len(left) != 0 {
		t.Fatalf("left in the temporary directory: %v", left)
	}
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestSpillEdgesEqualsRun: a run without the graph step whose edges do
// not fit its budget keeps them in a file, and writes the same
// edges.csv, edges_directed.csv and evidence.csv.gz as the run that holds
// them, with the same counts, whether its pairs spilled too or not.
func TestSpillEdgesEqualsRun(t *testing.T) {
	defer coord.SetMinPairCap(256)()
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	for _, tc := range []struct {
		name string
		mod  func(*coord.Params)
	}{
		{"messages, min weight 2, percentile 0.9", func(p *coord.Params) {
			p.Weight, p.MinWeight, p.Percentile, p.MinParticipation = coord.WeightMessages, 2, 0.9, 1
		}},
		{"pairs, fast layer 10 s", func(p *coord.Params) { p.FastWindow = 10 }},
		{"collab, no percentile", func(p *coord.Params) { p.Weight, p.Percentile = coord.WeightCollab, 0 }},
		{"tfidf", func(p *coord.Params) { p.Weight, p.MinParticipation = coord.WeightTFIDF, 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			tc.mod(&p)
			want, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantDir := t.TempDir()
			if _, err := want.WriteDir(wantDir, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			if want.Counts["edges"] == 0 {
				t.Fatal("no edges: the comparison proves nothing")
			}
			// 1 byte: pairs and edges spill; then the same folded in 3
			// parts (3 edge files); then the pairs held (a floor of
			// more pairs than the run has) and the edges spilled, in
			// one part and in 3
			for _, v := range []struct {
				workers int
				pairsIn bool
			}{{0, false}, {3, false}, {1, true}, {3, true}} {
				mem := int64(1)
				p := p
				p.Workers = v.workers
				restore := coord.SetFoldPartMin(1)
				if v.workers == 0 {
					restore()
					restore = func() {}
				}
				if v.pairsIn {
					restore = func(r1, r2 func()) func() { return func() { r1(); r2() } }(restore, coord.SetMinPairCap(1<<30))
				}
				got, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, coord.InProcess(coord.Budget{Mem: mem, TempDir: t.TempDir()}))
				restore()
				if err != nil {
					t.Fatal(err)
				}
				if got.Counts["spilled_edge_bytes"] == 0 || len(got.Edges) != 0 {
					t.Fatalf("budget %d: edges not spilled (counts %v, %d in memory)", mem, got.Counts, len(got.Edges))
				}
				if spilled := got.Counts["spilled_bytes"] > 0; spilled == v.pairsIn {
					t.Fatalf("%+v: pairs spilled %v", v, spilled)
				}
				dir := t.TempDir()
				if _, err := got.WriteDir(dir, "test", coord.Source{}); err != nil {
					t.Fatal(err)
				}
				for _, f := range []string{"edges.csv", "edges_directed.csv", "evidence.csv.gz"} {
					a, errA := os.ReadFile(filepath.Join(wantDir, f))
					b, errB := os.ReadFile(filepath.Join(dir, f))
					if os.IsNotExist(errA) && os.IsNotExist(errB) {
						continue
					}
					if errA != nil || errB != nil {
						t.Fatalf("%s: %v, %v", f, errA, errB)
					}
					if !bytes.Equal(a, b) {
						t.Fatalf("budget %d: %s differs (%d bytes, want %d)", mem, f, len(b), len(a))
					}
				}
				for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts"} {
					if got.Counts[k] != want.Counts[k] {
						t.Fatalf("budget %d: %s %d, want %d", mem, k, got.Counts[k], want.Counts[k])
					}
				}
			}
		})
	}
}

// TestDefaultMemFor: the default budget follows the input's size between
// its floor and half the machine, which unknown sizes get.
func TestDefaultMemFor(t *testing.T) {
	machine := coord.DefaultMem()
	for _, tc := range []struct {
		size, want int64
	}{
		{-1, machine},
		{0, min(machine, coord.MinDefaultMem)},
		{5 << 20, min(machine, coord.MinDefaultMem)},
		{100 << 20, min(machine, 400<<20)},
		{1 << 50, machine},
	} {
		if got := coord.DefaultMemFor(tc.size); got != tc.want {
			t.Errorf("DefaultMemFor(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
}

// TestTinyBudgetFloor: a budget smaller than what the run must hold (the
// interned input and its smallest buffers) spills its pairs in runs of
// at least the floor's pairs, not of a few hundred (at 1M posts under
// --mem 64MB, 12,851 runs of 256 pairs made the run 30 times slower and
// still over its budget), says how much it needed, and gives the same
// edges.
func TestTinyBudgetFloor(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	p := coord.DefaultParams()
	p.MinParticipation = 1
	want, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	const floor = 1000
	defer coord.SetMinPairCap(floor)()
	got, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, coord.InProcess(coord.Budget{Mem: 1, TempDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	pairs, runs := got.Counts["pairs"], got.Counts["spilled_runs"]
	if pairs < 3*floor {
		t.Fatalf("%d pairs: the floor proves nothing", pairs)
	}
	if maxRuns := (pairs + floor - 1) / floor; runs < 2 || runs > maxRuns {
		t.Errorf("%d pairs in %d runs, want 2 to %d (runs of at least %d pairs)", pairs, runs, maxRuns, floor)
	}
	if got.Counts["mem_needed_bytes"] <= 1 {
		t.Errorf("mem_needed_bytes %d: the run did not say its budget was too small", got.Counts["mem_needed_bytes"])
	}
	wantEdges, _ := coordtest.Records(t, want)
	gotEdges, _ := coordtest.Records(t, got)
	if !slices.Equal(wantEdges, gotEdges) {
		t.Fatalf("%d edges, want %d", len(gotEdges), len(wantEdges))
	}
}
