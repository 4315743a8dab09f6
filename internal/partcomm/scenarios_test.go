package partcomm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/graph"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/partcomm"
)

// subgraph returns the community subgraph of a run (its flagged edges,
// or all with percentile 0) over account ids, and the single process's
// communities by account id.
func subgraph(res *coord.Result) (int, []partcomm.Edge, []int32) {
	n := len(res.Graph.Node)
	var edges []partcomm.Edge
	for _, e := range res.Edges {
		if e.Flagged {
			edges = append(edges, partcomm.Edge{U: e.A, V: e.B, W: e.Weight})
		}
	}
	comm := make([]int32, n)
	for a, u := range res.Graph.Node {
		comm[a] = -1
		if u >= 0 {
			comm[a] = res.Graph.Community[u]
		}
	}
	return n, edges, comm
}

// On the real coordination scenarios the partitioned communities are
// compared with the single process's (coord's graph step: graph.Louvain,
// seed 1) as graph.Louvain's own other seeds are: the partitioned
// modularity must be within 1 % of the lowest of seeds 2-4, and its NMI
// against seed 1 at most 0.05 under theirs (docs/benchmarks.md,
// "partcomm", has the figures). Modularity has many near-optimal
// partitions; a seed picks one, and so does the partitioned order of
// moves.
func TestScenarios(t *testing.T) {
	tests := []struct {
		file       string
		percentile float64
	}{
		{"russian_coord_tweets.events.csv", 0.5},
		{"russian_coord_tweets.events.csv", 0},
		{"german_elections_2021.events.csv", 0.5},
		{"german_elections_2021.events.csv", 0},
		{"ira_2016_election_week.events.csv", 0.5},
		{"ira_2016_election_week.events.csv", 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/p%v", tc.file, tc.percentile), func(t *testing.T) {
			if testing.Short() && tc.file == "german_elections_2021.events.csv" {
				t.Skip("-short: the German set takes a few seconds")
			}
			shares := parsetest.ReadEvents(t, tc.file)
			p := coord.DefaultParams()
			p.Evidence = false
			p.Percentile = tc.percentile
			res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			n, edges, want := subgraph(res)
			got := detect(t, n, edges, 4, 2, p.Seed)
			ge := make([]graph.Edge, len(edges))
			for i, e := range edges {
				ge[i] = graph.Edge{U: e.U, V: e.V, W: e.W}
			}
			g := graph.New(n, ge)
			qs := graph.Modularity(g, nonNegative(want), 1)
			qp := graph.Modularity(g, nonNegative(got.Community), 1)
			agree := partcomm.Compare(want, got.Community)
			// graph.Louvain's own spread: seeds 2-4 against seed 1
			minQ, minNMI, minARI := qs, 1.0, 1.0
			for seed := uint64(2); seed <= 4; seed++ {
				c, q := graph.Louvain(g, seed, 1)
				for u := range c {
					if g.Degree(int32(u)) == 0 {
						c[u] = -1
					}
				}
				a := partcomm.Compare(want, c)
				minQ, minNMI, minARI = min(minQ, q), min(minNMI, a.NMI), min(minARI, a.ARI)
			}
			t.Logf("%d edges, %d accounts in communities: single Q=%.4f (%d communities; seeds 2-4: Q >= %.4f, NMI >= %.4f, ARI >= %.4f), partitioned Q=%.4f (%d communities; level 0: %d rounds, %d communities, Q=%.4f, %d aggregated edges); NMI %.4f, ARI %.4f",
				len(edges), agree.Nodes, qs, count(want), minQ, minNMI, minARI, qp, count(got.Community), got.Rounds, got.Level0, got.Level0Q, got.AggregatedEdges, agree.NMI, agree.ARI)
			if qp < minQ-0.01*abs(minQ) || agree.NMI < minNMI-0.05 {
				t.Errorf("partitioned Q=%.4f, NMI %.4f: further from seed 1 than graph.Louvain's seeds 2-4 (Q >= %.4f, NMI >= %.4f)", qp, agree.NMI, minQ, minNMI)
			}
			if abs(qp-got.Modularity) > 1e-9 {
				t.Errorf("Detect reports Q=%v, the subgraph's modularity of its partition is %v", got.Modularity, qp)
			}
			for a := range want {
				if (want[a] < 0) != (got.Community[a] < 0) {
					t.Fatalf("account %d: community %d single, %d partitioned: the same accounts must be in a community", a, want[a], got.Community[a])
				}
			}
		})
	}
}

func count(comm []int32) int {
	m := int32(-1)
	for _, c := range comm {
		m = max(m, c)
	}
	return int(m + 1)
}

func abs(x float64) float64 { return max(x, -x) }
