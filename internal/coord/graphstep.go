package coord

import (
	"math"
	"runtime/debug"
	"slices"

	"github.com/tahqiq/tahqiq/internal/graph"
)

// GraphResult is the graph step's output. Nodes are the accounts of the
// kept edges, in id (name) order; Node maps an account id to its node
// (-1: not in the graph).
type GraphResult struct {
	Nodes      []int32 // node -> account id
	Node       []int32 // account id -> node, -1 for none
	Degree     []int32
	Strength   []float64
	Component  []int32   // connected components of all kept edges, 0 = largest
	Community  []int32   // Louvain on the flagged subgraph (or all edges); -1 outside it
	Core       []int32   // k-core number
	Eigen      []float64 // eigenvector centrality (largest = 1) on all kept edges
	Pruned     []bool    // left out of the communities by --eigen-prune
	Modularity float64
	// commEdges counts the kept edges within each community (both ends
	// in it), for communities.csv: counted on the network while the
	// graph step holds it, not by another pass over the edges
	commEdges []int
}

// graphStep computes the network's measures and communities from the
// run's kept edges (eachEdge: in memory, or read from the edge file
// once), held as the graph's CSR only (16 bytes an edge and a bit where
// every weight is exactly a float32, as the messages, pairs and objects
// weights' counts are; 24 otherwise): never as a list of edges beside
// it. deg counts the kept edges of each
// account (0: not in the network).
func graphStep(res *Result, p *Params, deg []int64) (*GraphResult, error) {
	gr := &GraphResult{Node: make([]int32, len(deg))}
	// Accounts in id order make node numbers independent of edge order.
	var nodeDeg []int64
	for a, d := range deg {
		gr.Node[a] = -1
		if d > 0 {
			gr.Node[a] = int32(len(gr.Nodes))
			gr.Nodes = append(gr.Nodes, int32(a))
			nodeDeg = append(nodeDeg, d)
		}
	}
	n := len(gr.Nodes)
	// The network is no part of the memory budget (docs/coord.md): with
	// it the heap sits at the runtime's soft limit (the budget) and the
	// collector ran again at almost every allocation of the step,
	// freeing nothing (14 collections of a 605 MB heap in the step at 3M
	// posts). While the step runs the limit is raised by a quarter of
	// the network's bytes (3 collections at 3M, 35 MiB more at the peak;
	// by all of them: 1 collection, 71 MiB more).
	entries := int64(0)
	for _, d := range nodeDeg {
		entries += d
	}
	defer liftMemoryLimit((8*entries + 8*int64(n+1)) / 4)()
	m := res.in.meter
	ph := m.Phase("graph: building the network", "", 0)
	defer func() { ph.Done() }()
	// the flagged edges are the community subgraph's (or all of them):
	// listed as they come (743k of 84.6M at 10M posts), not marked
	// in the network and filtered from it
	var flagged []graph.Edge
	g, _, err := graph.FromDegrees(nodeDeg, func(yield func(u, v int32, w float64, mark bool) bool) error {
		stop := errStop
		flagged = flagged[:0]
		err := res.eachEdge(func(e *Edge, _ []int32) error {
			u, v := gr.Node[e.A], gr.Node[e.B]
			if e.Flagged && !p.CommunitiesOnAll {
				flagged = append(flagged, graph.Edge{U: u, V: v, W: e.Weight})
			}
			if !yield(u, v, e.Weight, false) {
				return stop
			}
			return nil
		})
		if err == stop {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	ph.Done()
	ph = m.Phase("graph: eigenvector centrality", "", 0)
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
	gr.Degree = make([]int32, n)
	gr.Strength = make([]float64, n)
	for u := 0; u < n; u++ {
		gr.Degree[u] = g.Degree(int32(u))
		gr.Strength[u] = g.Strength(int32(u))
	}
	ph.Done()
	gr.Community = make([]int32, n)
	for i := range gr.Community {
		gr.Community[i] = -1
	}
	res.net = g // for the layout
	// The communities are found on another goroutine while this one
	// finds the components and k-cores: each reads the network and
	// writes only its own result, so both are what they are one after
	// the other.
	type found struct {
		comm []int32
		q    float64
	}
	var detected chan found
	var sg *graph.CSR
	if p.Communities != "none" {
		// the community subgraph: the flagged edges (New sorts their
		// lists as the network's are) or the network itself, without
		// the nodes --eigen-prune leaves out
		sg = g
		if !p.CommunitiesOnAll {
			sg = graph.New(n, flagged)
		}
		if p.EigenPrune > 0 {
			h := sg
			sg = h.Filter(func(u int32, k int64) bool { return !gr.Pruned[u] && !gr.Pruned[h.Adj[k]] })
		}
		if len(sg.Adj) > 0 {
			detect := graph.Louvain
			if p.Communities == "leiden" {
				detect = graph.Leiden
			}
			detected = make(chan found, 1)
			go func() {
				comm, q := detect(sg, p.Seed, 1)
				detected <- found{comm, q}
			}()
		}
	}
	flagged = nil
	ph.Done()
	ph = m.Phase("graph: components and k-cores", "", 0)
	gr.Component, _ = g.Components()
	gr.Core = g.CoreNumbers()
	if detected == nil {
		return gr, nil
	}
	ph.Done()
	ph = m.Phase("graph: communities ("+p.Communities+")", "", 0)
	d := <-detected
	comm := d.comm
	gr.Modularity = d.q
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
	remap := make([]int32, n)
	next := int32(0)
	for c, ok := range used {
		if ok {
			remap[c] = next
			next++
		}
	}
	for u := range gr.Community {
		if c := gr.Community[u]; c >= 0 {
			gr.Community[u] = remap[c]
		}
	}
	gr.commEdges = make([]int, next)
	for u, c := range gr.Community {
		if c < 0 {
			continue
		}
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			if v := g.Adj[k]; v > int32(u) && gr.Community[v] == c {
				gr.commEdges[c]++
			}
		}
	}
	return gr, nil
}

// liftMemoryLimit raises the runtime's soft memory limit by extra bytes,
// where one is set, and returns what sets it back.
func liftMemoryLimit(extra int64) (restore func()) {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 || extra <= 0 {
		return func() {}
	}
	debug.SetMemoryLimit(limit + extra)
	return func() { debug.SetMemoryLimit(limit) }
}
