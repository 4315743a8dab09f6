package coord

import (
	"slices"

	"github.com/tahqiq/tahqiq/internal/graph"
)

// GraphResult is the graph step's output. Nodes are the accounts of the
// kept edges, in id (name) order; Node maps an account id to its node.
type GraphResult struct {
	Nodes      []int32 // node -> account id
	Node       map[int32]int32
	Degree     []int32
	Strength   []float64
	Component  []int32   // connected components of all kept edges, 0 = largest
	Community  []int32   // Louvain on the flagged subgraph (or all edges); -1 outside it
	Core       []int32   // k-core number
	Eigen      []float64 // eigenvector centrality (largest = 1) on all kept edges
	Pruned     []bool    // left out of the communities by --eigen-prune
	Modularity float64
}

func graphStep(res *Result, p *Params) *GraphResult {
	gr := &GraphResult{Node: map[int32]int32{}}
	node := func(a int32) int32 {
		n, ok := gr.Node[a]
		if !ok {
			n = int32(len(gr.Nodes))
			gr.Node[a] = n
			gr.Nodes = append(gr.Nodes, a)
		}
		return n
	}
	// Accounts in id order make node numbers independent of edge order.
	seen := make([]bool, len(res.in.accounts))
	for _, e := range res.Edges {
		seen[e.A], seen[e.B] = true, true
	}
	for a := int32(0); a < int32(len(res.in.accounts)); a++ {
		if seen[a] {
			node(a)
		}
	}
	all := make([]graph.Edge, 0, len(res.Edges))
	for _, e := range res.Edges {
		all = append(all, graph.Edge{U: gr.Node[e.A], V: gr.Node[e.B], W: e.Weight})
	}
	n := len(gr.Nodes)
	m := res.in.meter
	ph := m.Phase("graph: eigenvector centrality", "", 0)
	defer func() { ph.Done() }()
	g := graph.New(n, all)
	gr.Eigen, _ = g.Eigenvector(100, 1e-6) // networkx eigenvector_centrality defaults
	gr.Pruned = make([]bool, n)
	if p.EigenPrune > 0 && n > 0 {
		// Luceri et al. prune nodes by eigenvector centrality instead of
		// filtering edges: nodes under the quantile leave the community
		// step (their edges stay in edges.csv).
		threshold := Quantile(slices.Clone(gr.Eigen), p.EigenPrune)
		for u, x := range gr.Eigen {
			gr.Pruned[u] = x < threshold
		}
	}
	var sub []graph.Edge
	for i, e := range res.Edges {
		ge := all[i]
		if (e.Flagged || p.CommunitiesOnAll) && !gr.Pruned[ge.U] && !gr.Pruned[ge.V] {
			sub = append(sub, ge)
		}
	}
	gr.Degree = make([]int32, n)
	gr.Strength = make([]float64, n)
	for u := 0; u < n; u++ {
		gr.Degree[u] = g.Degree(int32(u))
		gr.Strength[u] = g.Strength(int32(u))
	}
	ph = m.Phase("graph: components and k-cores", "", 0)
	gr.Component, _ = g.Components()
	gr.Core = g.CoreNumbers()
	gr.Community = make([]int32, n)
	for i := range gr.Community {
		gr.Community[i] = -1
	}
	if p.Communities != "none" && len(sub) > 0 {
		ph = m.Phase("graph: communities ("+p.Communities+")", "", 0)
		sg := graph.New(n, sub)
		detect := graph.Louvain
		if p.Communities == "leiden" {
			detect = graph.Leiden
		}
		comm, q := detect(sg, p.Seed, 1)
		gr.Modularity = q
		// Nodes without a flagged edge are singletons of the subgraph:
		// they get no community.
		for u := 0; u < n; u++ {
			if sg.Degree(int32(u)) > 0 {
				gr.Community[u] = comm[u]
			}
		}
		// Renumber so that communities count from 0 without gaps,
		// keeping Louvain's order (largest first).
		used := make([]bool, n)
		for _, c := range gr.Community {
			if c >= 0 {
				used[c] = true
			}
		}
		remap := map[int32]int32{}
		for c, ok := range used {
			if ok {
				remap[int32(c)] = int32(len(remap))
			}
		}
		for u := range gr.Community {
			if c := gr.Community[u]; c >= 0 {
				gr.Community[u] = remap[c]
			}
		}
	}
	return gr
}
