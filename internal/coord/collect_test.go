package coord_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestCollectedEqualsRun runs the same shares given as they are and
// through a coord.Collector (as a stored dataset's are read), and wants
// the same edges, evidence rows, counts and dropped shares, communities
// included: for all types, one type, loops kept, and the post type (which
// makes one more row per share, some of them exact duplicates).
func TestCollectedEqualsRun(t *testing.T) {
	syn := synth.Generate(synth.Config{Posts: 20000, Seed: 5}).Shares
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	tests := []struct {
		name   string
		mod    func(p *coord.Params)
		shares []tahqiq.Share
	}{
		{"synthetic, defaults, graph", func(p *coord.Params) { p.Graph = true }, syn},
		{"synthetic, url only, messages", func(p *coord.Params) {
			p.Types, p.Weight, p.MinParticipation = []tahqiq.ObjectType{tahqiq.ObjURL}, coord.WeightMessages, 1
		}, syn},
		{"russian, loops kept", func(p *coord.Params) { p.KeepLoops = true }, russian},
		{"russian, CooRTweet", nil, russian},
		{"synthetic, post type", func(p *coord.Params) { p.Types = []tahqiq.ObjectType{coord.ObjPost}; p.Window = 2 }, syn},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, coord.Data{Shares: tc.shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			col := coord.NewCollector(p)
			for i := range tc.shares {
				col.Share(&tc.shares[i])
			}
			if col.Len() != int64(len(tc.shares)) {
				t.Fatalf("collected %d shares of %d", col.Len(), len(tc.shares))
			}
			got, err := coord.Run(ctx, coord.Data{Collected: col}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			we, wv := coordtest.Records(t, want)
			ge, gv := coordtest.Records(t, got)
			if len(we) == 0 {
				t.Fatal("no edges: the comparison would prove nothing")
			}
			if !slices.Equal(we, ge) || !slices.Equal(wv, gv) {
				t.Fatalf("%d edges and %d evidence rows, want %d and %d", len(ge), len(gv), len(we), len(wv))
			}
			if !maps.Equal(got.Counts, want.Counts) || !maps.Equal(got.Dropped, want.Dropped) {
				t.Fatalf("counts %v dropped %v, want %v and %v", got.Counts, got.Dropped, want.Counts, want.Dropped)
			}
			if want.Graph != nil && !slices.Equal(want.Graph.Community, got.Graph.Community) {
				t.Fatal("communities differ")
			}
		})
	}
	// a collector made for other parameters is refused, not run
	p := coord.DefaultParams()
	col := coord.NewCollector(p)
	p.KeepLoops = true
	if _, err := coord.Run(ctx, coord.Data{Collected: col}, p, nil); err == nil {
		t.Fatal("a collector made without loops ran with them kept")
	}
}

// TestCollectedSpillEqualsRun collects the same shares into a collector
// that holds every row and into ones whose budget is too small for them
// (the rows go to a file as they come and are read back when interning),
// and wants the same edges, evidence rows, counts, dropped shares and
// communities: on the real tables of ../shared/data/coord (each skipped
// with a message where absent) and on a synthetic set, with the post type
// (a row more per share, duplicates among them).
func TestCollectedSpillEqualsRun(t *testing.T) {
	type input struct {
		name   string
		shares []tahqiq.Share
	}
	inputs := []input{{"synthetic", synth.Generate(synth.Config{Posts: 30000, Seed: 7}).Shares}}
	for _, f := range []string{"russian_coord_tweets.events.csv", "german_elections_2021.events.csv"} {
		if testing.Short() && f != "russian_coord_tweets.events.csv" {
			continue
		}
		inputs = append(inputs, input{f, readEvents(t, f)})
	}
	mods := []struct {
		name string
		mod  func(p *coord.Params)
	}{
		{"defaults, graph", func(p *coord.Params) { p.Graph = true }},
		{"messages, post type too", func(p *coord.Params) {
			p.Weight, p.MinParticipation = coord.WeightMessages, 1
			p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet, tahqiq.ObjURL, tahqiq.ObjHashtag, coord.ObjPost}
		}},
	}
	ctx := context.Background()
	for _, in := range inputs {
		for _, m := range mods {
			t.Run(in.name+"/"+m.name, func(t *testing.T) {
				p := coord.DefaultParams()
				p.Graph = false
				m.mod(&p)
				collect := func(b coord.Budget) (*coord.Result, int64) {
					col := coord.NewCollector(p)
					col.SetBudget(b)
					for i := range in.shares {
						col.Share(&in.shares[i])
					}
					spilled := col.Spilled()
					res, err := coord.Run(ctx, coord.Data{Collected: col}, p, nil)
					if err != nil {
						t.Fatal(err)
					}
					return res, spilled
				}
				want, spilled := collect(coord.Budget{})
				if spilled != 0 {
					t.Fatalf("spilled %d bytes without a budget", spilled)
				}
				we, wv := coordtest.Records(t, want)
				if len(we) == 0 {
					t.Fatal("no edges: the comparison would prove nothing")
				}
				for _, mem := range []int64{1, 1 << 40} {
					got, spilled := collect(coord.Budget{Mem: mem, TempDir: t.TempDir()})
					if (spilled > 0) != (mem < 1<<40) {
						t.Fatalf("budget %d: spilled %d bytes of rows", mem, spilled)
					}
					if n := got.Counts["spilled_read_bytes"]; n != spilled {
						t.Fatalf("budget %d: %d bytes spilled, the counts say %d", mem, spilled, n)
					}
					delete(got.Counts, "spilled_read_bytes")
					delete(got.Counts, "spilled_post_bytes")
					ge, gv := coordtest.Records(t, got)
					if !slices.Equal(we, ge) || !slices.Equal(wv, gv) {
						t.Fatalf("budget %d: %d edges and %d evidence rows, want %d and %d", mem, len(ge), len(gv), len(we), len(wv))
					}
					if !maps.Equal(got.Counts, want.Counts) || !maps.Equal(got.Dropped, want.Dropped) {
						t.Fatalf("budget %d: counts %v dropped %v, want %v and %v", mem, got.Counts, got.Dropped, want.Counts, want.Dropped)
					}
					if want.Graph != nil && !slices.Equal(want.Graph.Community, got.Graph.Community) {
						t.Fatalf("budget %d: communities differ", mem)
					}
				}
			})
		}
	}
}
