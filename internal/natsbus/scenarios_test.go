package natsbus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// The coordination scenarios (window kinds, every weight, min_participation
// and its scope, the fast layer, fast reshares, percentile flags, the
// co_post type) give the same edges, every weight and attribute, and the
// same evidence rows through the partitioned path, with 1 to 7 partitions,
// and through the reduce path with 1 to 4 reduce partitions.
func TestScenariosEqualRun(t *testing.T) {
	data := synth.Generate(synth.Config{Posts: 20000, Seed: 3})
	srv, err := natsbus.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	_, js := natstest.Dial(t, srv.ClientURL(), srv.Creds.Option())
	ctx := context.Background()
	if err := (&natsbus.Bus{JS: js, Partitions: 7}).Setup(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &natsbus.Worker{Bus: &natsbus.Bus{JS: js, Partitions: 7}, Name: fmt.Sprint("w", i)}
			_ = w.Run(wctx)
		}()
	}
	tests := []struct {
		name   string
		parts  int
		mod    func(p *coord.Params)
		shares []tahqiq.Share
	}{
		{"defaults (pairs, min-participation 2)", 4, nil, nil},
		{"one partition", 1, nil, nil},
		{"min-participation 1", 7, func(p *coord.Params) { p.MinParticipation = 1 }, nil},
		{"min-participation 3, scope all", 5, func(p *coord.Params) { p.MinParticipation = 3; p.ParticipationScope = "all" }, nil},
		{"messages, min weight 2", 3, func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinWeight = 2 }, nil},
		{"objects, percentile 0.9", 3, func(p *coord.Params) { p.Weight = coord.WeightObjects; p.Percentile = 0.9 }, nil},
		{"collab", 6, func(p *coord.Params) { p.Weight = coord.WeightCollab }, nil},
		{"tfidf", 6, func(p *coord.Params) { p.Weight = coord.WeightTFIDF }, nil},
		{"tumbling", 4, func(p *coord.Params) { p.WindowKind = coord.Tumbling }, nil},
		{"from-first, 300 s", 4, func(p *coord.Params) { p.WindowKind = coord.FromFirst; p.Window = 300 }, nil},
		{"fast layer 10 s", 4, func(p *coord.Params) { p.FastWindow = 10 }, nil},
		{"fast reshare", 4, func(p *coord.Params) { p.WindowKind = coord.FastReshare; p.Window = 10; p.MinParticipation = 1 }, coordtest.Reshares()},
		{"post type (every post is one object)", 3, func(p *coord.Params) {
			p.Types = []tahqiq.ObjectType{coord.ObjPost}
			p.Window = 2
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			shares := data.Shares
			if tc.shares != nil {
				shares = tc.shares
			}
			want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			bus := &natsbus.Bus{JS: js, Partitions: tc.parts}
			if err := bus.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
			if err != nil {
				t.Fatal(err)
			}
			we, wv := coordtest.Records(t, want)
			ge, gv := coordtest.Records(t, got)
			if len(we) == 0 {
				t.Fatal("the single-machine run found no edges; the comparison would prove nothing")
			}
			if d := cmp.Diff(we, ge); d != "" {
				t.Errorf("edges differ (-single +partitioned):\n%s", d)
			}
			if d := cmp.Diff(wv, gv); d != "" {
				t.Errorf("evidence differs (-single +partitioned):\n%s", d)
			}
			// the reduce path: partial aggregates by account pair, merged
			// by the workers' reducers
			red, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 1 + tc.parts%4}))
			if err != nil {
				t.Fatal(err)
			}
			re, rv := coordtest.Records(t, red)
			if d := cmp.Diff(we, re); d != "" {
				t.Errorf("edges differ (-single +reduced):\n%s", d)
			}
			if d := cmp.Diff(wv, rv); d != "" {
				t.Errorf("evidence differs (-single +reduced):\n%s", d)
			}
			if red.Counts["pairs"] != want.Counts["pairs"] {
				t.Errorf("reduced: %d pairs, want %d", red.Counts["pairs"], want.Counts["pairs"])
			}
		})
	}
	// near-text: the groups are found in the run's process, their posts
	// travel to the workers with their token sets
	t.Run("near-text, 1 h", func(t *testing.T) {
		texts := coordtest.IRATexts(t)
		p := coord.DefaultParams()
		p.Graph, p.Types, p.Window, p.MinParticipation = false, []tahqiq.ObjectType{coord.ObjNearText}, 3600, 1
		want, err := coord.Run(ctx, coord.Data{Texts: texts}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		bus := &natsbus.Bus{JS: js, Partitions: 5}
		if err := bus.Setup(ctx); err != nil {
			t.Fatal(err)
		}
		we, wv := coordtest.Records(t, want)
		if len(we) == 0 {
			t.Fatal("no near-text edges; the comparison would prove nothing")
		}
		for name, run := range map[string]func() (*coord.Result, error){
			"partitioned": func() (*coord.Result, error) {
				return coord.Run(ctx, coord.Data{Texts: texts}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
			},
			"reduced": func() (*coord.Result, error) {
				return coord.Run(ctx, coord.Data{Texts: texts}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 2}))
			},
		} {
			got, err := run()
			if err != nil {
				t.Fatal(err)
			}
			ge, gv := coordtest.Records(t, got)
			if d := cmp.Diff(we, ge); d != "" {
				t.Errorf("edges differ (-single +%s):\n%s", name, d)
			}
			if d := cmp.Diff(wv, gv); d != "" {
				t.Errorf("evidence differs (-single +%s):\n%s", name, d)
			}
		}
	})
}
