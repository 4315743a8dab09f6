package natsbus_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
	"github.com/tahqiq/tahqiq/internal/partcomm"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestPartsGraph: a partitioned run with the graph on writes nodes.csv
// and communities.csv. nodes.csv is the single process's, column for
// column, without the columns left out (component, core, eigenvector,
// pruned) and with the partitioned communities, which are exactly what
// partcomm.Detect finds in process on the single run's community subgraph
// (the result does not depend on the partitions); communities.csv counts
// the kept edges inside each of them; parts.json and manifest.json name
// the algorithm and what was left out. A worker dies in the middle of the
// community steps (its task goes to the other worker) without changing
// anything, and the store is left empty.
func TestPartsGraph(t *testing.T) {
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 7})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 8)
	var tasks, died atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := func(name string, die bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, kill := context.WithCancel(wctx)
			defer kill()
			w := &natsbus.Worker{Bus: bus, Name: name, AckWait: time.Second}
			if die {
				// past the reduce and write tasks (3 partitions):
				// a community step
				w.OnReduce = func(int) {
					if tasks.Add(1) == 9 && died.Add(1) == 1 {
						kill()
					}
				}
			}
			if err := w.Run(c); err != nil {
				t.Errorf("worker %s: %v", name, err)
			}
		}()
	}
	start("w0", true)
	start("w1", false)
	defer func() { stop(); wg.Wait() }()
	for _, tc := range []struct {
		name string
		data coord.Data
		mod  func(*coord.Params)
	}{
		{"russian, every edge", coord.Data{Shares: russian}, func(p *coord.Params) { p.Percentile = 0 }},
		{"russian, flagged", coord.Data{Shares: russian}, nil},
		{"synthetic, messages", coord.Data{Shares: g.Shares}, func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinParticipation = 1 }},
		{"synthetic, tfidf, communities on all", coord.Data{Shares: g.Shares}, func(p *coord.Params) { p.Weight = coord.WeightTFIDF; p.CommunitiesOnAll = true }},
		{"synthetic, no communities", coord.Data{Shares: g.Shares}, func(p *coord.Params) { p.Communities = "none" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Evidence = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, tc.data, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			one := t.TempDir()
			if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			got, err := coord.Run(ctx, tc.data, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3}))
			if err != nil {
				t.Fatal(err)
			}
			run := t.TempDir()
			m, err := got.WriteDir(run, "test", coord.Source{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(m.Files, "nodes.csv") || !slices.Contains(m.Files, "communities.csv") || !slices.Contains(m.Files, "parts.json") || slices.Contains(m.Files, "graph.gexf") {
				t.Fatalf("files %v: want nodes.csv, communities.csv and the parts, no graph.gexf", m.Files)
			}
			if m.PartsGraph == nil || !slices.Equal(m.PartsGraph.NodeColumnsLeftOut, []string{"component", "core", "eigenvector", "pruned"}) || m.Skipped["layout.csv"] == "" {
				t.Fatalf("manifest: partitioned_graph %+v, skipped %v: want what was left out", m.PartsGraph, m.Skipped)
			}
			var pj coord.PartsManifest
			if b, err := os.ReadFile(filepath.Join(run, "parts.json")); err != nil || json.Unmarshal(b, &pj) != nil || pj.Graph == nil {
				t.Fatalf("parts.json without its graph: %v", err)
			}
			wantAlg := partcomm.Algorithm
			if p.Communities == "none" {
				wantAlg = ""
			}
			if pj.Graph.Algorithm != wantAlg || m.PartsGraph.Algorithm != wantAlg {
				t.Errorf("algorithm %q in parts.json, %q in the manifest; want %q", pj.Graph.Algorithm, m.PartsGraph.Algorithm, wantAlg)
			}
			// the partitioned communities, in process, on the single
			// run's community subgraph in the same 3 partitions (with the
			// integer weights any number gives the same; with tfidf's
			// the sums' last bits depend on it)
			n := len(want.Graph.Node)
			var sub []partcomm.Edge
			for _, e := range want.Edges {
				if e.Flagged || p.CommunitiesOnAll {
					sub = append(sub, partcomm.Edge{U: e.A, V: e.B, W: e.Weight})
				}
			}
			ref, err := partcomm.Detect(ctx, &partcomm.Local{Parts: partcomm.Split(sub, 3)}, n, partcomm.Options{Seed: p.Seed})
			if err != nil {
				t.Fatal(err)
			}
			single := readTable(t, filepath.Join(one, "nodes.csv"))
			parted := readTable(t, filepath.Join(run, "nodes.csv"))
			if !slices.Equal(parted[0], coord.PartsNodeHeader) || len(parted) != len(single) {
				t.Fatalf("nodes.csv: header %v, %d rows; want %v, %d rows", parted[0], len(parted)-1, coord.PartsNodeHeader, len(single)-1)
			}
			col := map[string]int{}
			for i, c := range single[0] {
				col[c] = i
			}
			ids := map[string]int32{}
			for u, a := range want.Graph.Nodes {
				ids[single[1+u][0]] = a
			}
			commOf := map[string]int32{}
			for i := 1; i < len(single); i++ {
				for j, c := range parted[0] {
					if c == "community" {
						continue
					}
					if parted[i][j] != single[i][col[c]] {
						t.Fatalf("nodes.csv line %d, %s: %q, the single run's %q", i+1, c, parted[i][j], single[i][col[c]])
					}
				}
				c, _ := strconv.Atoi(parted[i][slices.Index(parted[0], "community")])
				wantC := int32(-1)
				if p.Communities != "none" {
					wantC = ref.Community[ids[parted[i][0]]]
				}
				if int32(c) != wantC {
					t.Fatalf("nodes.csv line %d: community %d, partcomm.Detect in process %d", i+1, c, wantC)
				}
				commOf[parted[i][0]] = int32(c)
			}
			if p.Communities != "none" && got.Graph.Modularity != ref.Modularity {
				t.Errorf("modularity %v, in process %v", got.Graph.Modularity, ref.Modularity)
			}
			// communities.csv: the kept edges inside each
			inside := map[int32]int{}
			for _, e := range want.Edges {
				a, b := commOf[want.Account(e.A)], commOf[want.Account(e.B)]
				if a >= 0 && a == b {
					inside[a]++
				}
			}
			comms := readTable(t, filepath.Join(run, "communities.csv"))
			if len(comms)-1 != len(inside) && !(p.Communities == "none" && len(comms) == 1) {
				t.Fatalf("communities.csv: %d rows, %d communities have edges", len(comms)-1, len(inside))
			}
			for _, row := range comms[1:] {
				c, _ := strconv.Atoi(row[0])
				if e, _ := strconv.Atoi(row[2]); e != inside[int32(c)] {
					t.Errorf("communities.csv: community %d has %d edges inside, want %d", c, e, inside[int32(c)])
				}
			}
			t.Logf("%d accounts, %d of %d edges in the community subgraph; %d communities, Q=%.4f (%d rounds)", len(parted)-1, len(sub), len(want.Edges), len(comms)-1, got.Graph.Modularity, m.PartsGraph.Rounds)
		})
	}
	if died.Load() == 0 {
		t.Error("worker 0 never took a community task: the failover was not tested")
	}
	obs, err := bus.JS.ObjectStore(ctx, natsbus.PartsBucket)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := obs.List(ctx); len(left) > 0 {
		t.Errorf("%d objects left in %s, e.g. %s", len(left), natsbus.PartsBucket, left[0].Name)
	}
}

// TestPartsGraphRefused: what a partitioned run cannot compute is refused
// in the user's terms before any work.
func TestPartsGraphRefused(t *testing.T) {
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 2)
	for _, tc := range []struct {
		mod   func(*coord.Params)
		field string
	}{
		{func(p *coord.Params) { p.Communities = "leiden" }, "communities"},
		{func(p *coord.Params) { p.EigenPrune = 0.5 }, "eigen_prune"},
	} {
		p := coord.DefaultParams()
		tc.mod(&p)
		_, err := coord.Run(ctx, coord.Data{Shares: russian}, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 2}))
		var pe *tahqiq.ParamError
		if !errors.As(err, &pe) || pe.Param != tc.field {
			t.Errorf("%s: Run = %v, want a parameter error on %s", tc.field, err, tc.field)
		}
	}
}

func readTable(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
