package graph

import (
	"math/rand/v2"
)

// Louvain returns a community of every node and the modularity of that
// partition, by the method of Blondel et al. (2008): local moves of nodes
// to the neighbouring community with the best modularity gain, visited in
// an order drawn from seed, then aggregation of communities into nodes,
// until nothing moves. The same graph and seed give the same partition.
// Communities are numbered by decreasing size.
func Louvain(g *CSR, seed uint64, resolution float64) ([]int32, float64) {
	if resolution <= 0 {
		resolution = 1
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	member := make([]int32, g.N) // original node -> current community
	for i := range member {
		member[i] = int32(i)
	}
	cur := g
	for level := 0; level < 64; level++ {
		comm, moved := oneLevel(cur, rng, resolution)
		if !moved {
			break
		}
		// Relabel communities 0..k-1 and fold the original nodes.
		labels, k := compact(comm)
		for i := range member {
			member[i] = labels[member[i]]
		}
		cur = aggregate(cur, labels, k)
	}
	size := map[int32]int{}
	for _, c := range member {
		size[c]++
	}
	out, _ := renumber(member, size)
	return out, Modularity(g, out, resolution)
}

// oneLevel moves nodes between communities until no move improves
// modularity, and reports whether any node moved.
func oneLevel(g *CSR, rng *rand.Rand, res float64) ([]int32, bool) {
	n := g.N
	comm := make([]int32, n)
	k := make([]float64, n)   // node strength (a self-loop counts twice)
	tot := make([]float64, n) // community strength
	m2 := 0.0
	for u := 0; u < n; u++ {
		comm[u] = int32(u)
		for e := g.Off[u]; e < g.Off[u+1]; e++ {
			w := g.Weight(e)
			if g.Adj[e] == int32(u) {
				w *= 2
			}
			k[u] += w
		}
		tot[u] = k[u]
		m2 += k[u]
	}
	if m2 == 0 {
		return comm, false
	}
	order := rng.Perm(n)
	lw := newLinkWeights(n)
	movedAny := false
	for pass := 0; pass < 1000; pass++ {
		moves := 0
		for _, ui := range order {
			u := int32(ui)
			cu := comm[u]
			lw.gather(g, u, comm, nil)
			// Take u out of its community.
			tot[cu] -= k[u]
			best, _ := lw.bestMove(cu, tot, k[u], res, m2)
			tot[best] += k[u]
			if best != cu {
				comm[u] = best
				moves++
			}
			lw.reset()
		}
		if moves == 0 {
			break
		}
		movedAny = true
	}
	return comm, movedAny
}

// compact numbers the distinct labels 0..k-1 in order of first appearance.
func compact(labels []int32) ([]int32, int) {
	id := make(map[int32]int32)
	out := make([]int32, len(labels))
	for i, l := range labels {
		c, ok := id[l]
		if !ok {
			c = int32(len(id))
			id[l] = c
		}
		out[i] = c
	}
	return out, len(id)
}

// aggregate returns the graph whose nodes are the k communities of labels.
func aggregate(g *CSR, labels []int32, k int) *CSR {
	var edges []Edge
	for u := 0; u < g.N; u++ {
		cu := labels[u]
		for e := g.Off[u]; e < g.Off[u+1]; e++ {
			v := g.Adj[e]
			if int32(u) > v {
				continue // each undirected edge once
			}
			edges = append(edges, Edge{U: cu, V: labels[v], W: g.Weight(e)})
		}
	}
	return New(k, edges)
}

// Modularity returns Newman's modularity of the partition comm of g
// (labels from 0). The communities' terms are added in label order, so
// that the same partition always gives the same float.
func Modularity(g *CSR, comm []int32, res float64) float64 {
	n := int32(0)
	for _, c := range comm {
		n = max(n, c+1)
	}
	m2 := 0.0
	in := make([]float64, n)
	tot := make([]float64, n)
	seen := make([]bool, n)
	for u := 0; u < g.N; u++ {
		for e := g.Off[u]; e < g.Off[u+1]; e++ {
			w := g.Weight(e)
			v := g.Adj[e]
			if v == int32(u) {
				w *= 2
			}
			m2 += w
			tot[comm[u]] += w
			seen[comm[u]] = true
			if comm[v] == comm[u] {
				in[comm[u]] += w
			}
		}
	}
	if m2 == 0 {
		return 0
	}
	q := 0.0
	for c, t := range tot {
		if seen[c] {
			q += in[c]/m2 - res*(t/m2)*(t/m2)
		}
	}
	return q
}
