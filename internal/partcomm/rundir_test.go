package partcomm_test

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/graph"
	"github.com/tahqiq/tahqiq/internal/partcomm"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestRunDir measures the partitioned communities against a run's own
// (single process): TAHQIQ_PARTCOMM_RUN names a directory of `tahqiq
// coord` with nodes.csv and edges.csv (its flagged edges are the community
// subgraph); with TAHQIQ_PARTCOMM_SYNTH=N it was made from `tahqiq synth
// --posts N` (seed 1), and each planted group's recovery is reported.
// With TAHQIQ_PARTCOMM_PARTS naming the directory of the same run made
// with --nats … --parts, its nodes.csv's communities are measured too
// (not equal to Detect's here: the run numbers every account of its
// input, nodes.csv only those with an edge, and the tie-breaks and the
// draws of who moves go by number). The figures of
// docs/benchmarks.md ("partcomm") come from here.
func TestRunDir(t *testing.T) {
	dir := os.Getenv("TAHQIQ_PARTCOMM_RUN")
	if dir == "" {
		t.Skip("TAHQIQ_PARTCOMM_RUN not set: no run directory to measure")
	}
	ids := map[string]int32{}
	var want []int32
	readCSV(t, filepath.Join(dir, "nodes.csv"), func(col map[string]int, rec []string) {
		ids[rec[col["account"]]] = int32(len(want))
		c, err := strconv.Atoi(rec[col["community"]])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, int32(c))
	})
	n := len(want)
	var edges []partcomm.Edge
	all := 0
	readCSV(t, filepath.Join(dir, "edges.csv"), func(col map[string]int, rec []string) {
		all++
		if rec[col["flagged"]] != "true" {
			return
		}
		a, okA := ids[rec[col["account_a"]]]
		b, okB := ids[rec[col["account_b"]]]
		w, err := strconv.ParseFloat(rec[col["weight"]], 64)
		if !okA || !okB || err != nil {
			t.Fatalf("edges.csv: %v: accounts not in nodes.csv or weight %v", rec[:3], err)
		}
		edges = append(edges, partcomm.Edge{U: a, V: b, W: w})
	})
	ge := make([]graph.Edge, len(edges))
	for i, e := range edges {
		ge[i] = graph.Edge{U: e.U, V: e.V, W: e.W}
	}
	g := graph.New(n, ge)
	qs := graph.Modularity(g, nonNegative(want), 1)
	for _, parts := range []int{1, 4, 16} {
		start := time.Now()
		got := detect(t, n, edges, parts, 2, 1)
		el := time.Since(start)
		agree := partcomm.Compare(want, got.Community)
		qp := graph.Modularity(g, nonNegative(got.Community), 1)
		t.Logf("%d partitions: %d accounts, %d of %d edges flagged; single Q=%.4f (%d communities), partitioned Q=%.4f (%d communities; %d rounds, %d cycles; level 0: %d communities, Q=%.4f; largest graph of communities %d edges); NMI %.4f, ARI %.4f; %.2f s in process",
			parts, n, len(edges), all, qs, count(want), qp, count(got.Community), got.Rounds, got.Cycles, got.Level0, got.Level0Q, got.AggregatedEdges, agree.NMI, agree.ARI, el.Seconds())
		if parts == 4 {
			planted(t, ids, want, "partitioned in process", got.Community)
		}
		if pdir := os.Getenv("TAHQIQ_PARTCOMM_PARTS"); pdir != "" && parts == 4 {
			bus := make([]int32, n)
			rows := 0
			readCSV(t, filepath.Join(pdir, "nodes.csv"), func(col map[string]int, rec []string) {
				id, ok := ids[rec[col["account"]]]
				c, err := strconv.Atoi(rec[col["community"]])
				if !ok || err != nil {
					t.Fatalf("%s/nodes.csv: account %s not in the single run's, or community %v", pdir, rec[col["account"]], err)
				}
				bus[id] = int32(c)
				rows++
			})
			if rows != n {
				t.Fatalf("%s/nodes.csv: %d accounts, the single run's %d", pdir, rows, n)
			}
			agree := partcomm.Compare(want, bus)
			t.Logf("the --parts run %s: Q=%.4f (%d communities); NMI %.4f, ARI %.4f against the single run", pdir, graph.Modularity(g, nonNegative(bus), 1), count(bus), agree.NMI, agree.ARI)
			planted(t, ids, want, "the --parts run", bus)
		}
	}
}

// planted reports how the planted groups of `tahqiq synth --posts N`
// (TAHQIQ_PARTCOMM_SYNTH) land: a group is whole when every member in a
// community is in the same one.
func planted(t *testing.T, ids map[string]int32, single []int32, name string, part []int32) {
	posts, _ := strconv.Atoi(os.Getenv("TAHQIQ_PARTCOMM_SYNTH"))
	if posts == 0 {
		return
	}
	groups, err := synth.Stream(synth.Config{Posts: posts, Seed: 1}, func(tahqiq.Share) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name string
		comm []int32
	}{{"single", single}, {name, part}} {
		whole, members, in := 0, 0, 0
		var split []int
		for gi, g := range groups {
			var cs []int32
			for _, uid := range g {
				members++
				// synth names "synth:aN"; the events CSV "aN", which
				// a run of files names "other:aN"
				if id, ok := ids["other:"+strings.TrimPrefix(uid, "synth:")]; ok && s.comm[id] >= 0 {
					cs = append(cs, s.comm[id])
				}
			}
			in += len(cs)
			slices.Sort(cs)
			if len(slices.Compact(cs)) == 1 {
				whole++
			} else {
				split = append(split, gi)
			}
		}
		t.Logf("%s: %d of %d planted groups whole in one community (%d of %d members in a community); split: %v", s.name, whole, len(groups), in, members, split)
	}
}

func readCSV(t *testing.T, path string, fn func(col map[string]int, rec []string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fn(col, rec)
	}
}
