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
