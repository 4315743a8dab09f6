package partcomm_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/partcomm"
)

// BenchmarkDetect: 50,000 nodes in 500 planted groups, about 170,000
// edges, in 8 in-process partitions held as adjacency lists, as a
// worker caches them (the sums, the merge and the moves, without a bus).
func BenchmarkDetect(b *testing.B) {
	n, edges := randomGraph(1, 50000, 500)
	parts := &partcomm.Local{Parts: partcomm.Split(edges, 8), Workers: 2}
	for k, p := range parts.Parts {
		a, err := partcomm.NewAdjacency(p)
		if err != nil {
			b.Fatal(err)
		}
		parts.Parts[k] = a
	}
	b.ReportAllocs()
	var res *partcomm.Result
	for b.Loop() {
		var err error
		if res, err = partcomm.Detect(context.Background(), parts, n, partcomm.Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Rounds), "rounds")
	b.ReportMetric(float64(len(edges)), "edges")
}

// BenchmarkSums: one partition's link sums (a round's work on a worker),
// from a list of edges and from adjacency lists.
func BenchmarkSums(b *testing.B) {
	n, edges := randomGraph(1, 50000, 500)
	labels := make([]int32, n)
	for u := range labels {
		labels[u] = int32(u % 997)
	}
	adj, err := partcomm.NewAdjacency(partcomm.EdgeList(edges))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		edges partcomm.Edges
	}{{"list", partcomm.EdgeList(edges)}, {"adjacency", adj}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := partcomm.Sums(bc.edges, partcomm.Links, labels); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(edges)), "edges")
		})
	}
}
