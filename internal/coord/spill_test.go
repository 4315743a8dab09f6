package coord_test

import (
	"context"
	"os"
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
			for _, mem := range []int64{1, 1 << 40} {
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
			}
		})
	}
}

// TestSpillCleansUp: the sorted runs are removed when the run ends.
func TestSpillCleansUp(t *testing.T) {
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
