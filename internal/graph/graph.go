// Package graph holds the weighted undirected graphs of coordination
// networks in compressed sparse row form over int32 node ids, with the
// algorithms the coordination step needs at the scale of millions of edges:
// connected components (union-find), Louvain and Leiden communities with a
// seed (reproducible: the same graph and seed give the same partition and
// the same modularity, bit for bit), k-core numbers, eigenvector
// centrality, degree and strength.
//
// It knows nothing of accounts or files.
package graph

import (
	"cmp"
	"slices"
)

// Edge is an undirected weighted edge.
type Edge struct {
	U, V int32
	W    float64
}

// CSR is an undirected graph: the neighbours of node u are
// Adj[Off[u]:Off[u+1]] with weights W[...] (or W32[...]). Each undirected
// edge appears in both lists; a self-loop appears once in its node's
// list.
//
// The weights are in W, or in W32 (then W is nil) where FromDegrees found
// every weight exactly a float32 (the counts of a coordination run's
// messages, pairs or objects weights, up to 2^24): 8 bytes an entry
// instead of 12. Every algorithm reads them as float64 (Weight) and sums
// in float64, so a graph gives the same results to the bit in either
// form.
type CSR struct {
	N   int
	Off []int64
	Adj []int32
	W   []float64
	W32 []float32
}

// Weight returns the weight of entry k of Adj.
func (g *CSR) Weight(k int64) float64 {
	if g.W32 != nil {
		return float64(g.W32[k])
	}
	return g.W[k]
}

// New builds the graph of n nodes from edges. Parallel edges are merged
// (weights added).
func New(n int, edges []Edge) *CSR {
	deg := make([]int64, n+1)
	for _, e := range edges {
		deg[e.U+1]++
		if e.U != e.V {
			deg[e.V+1]++
		}
	}
	for i := 1; i <= n; i++ {
		deg[i] += deg[i-1]
	}
	g := &CSR{N: n, Off: deg, Adj: make([]int32, deg[n]), W: make([]float64, deg[n])}
	pos := slices.Clone(deg[:n])
	for _, e := range edges {
		g.Adj[pos[e.U]], g.W[pos[e.U]] = e.V, e.W
		pos[e.U]++
		if e.U != e.V {
			g.Adj[pos[e.V]], g.W[pos[e.V]] = e.U, e.W
			pos[e.V]++
		}
	}
	// Sort each list and merge parallel edges, for determinism, in place:
	// a list is copied out before it is written back, never past where
	// it started (the merged lists are no longer than the lists).
	out := &CSR{N: n, Off: make([]int64, n+1), Adj: g.Adj[:0], W: g.W[:0]}
	type nb struct {
		v int32
		w float64
	}
	var buf []nb
	for u := 0; u < n; u++ {
		buf = buf[:0]
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			buf = append(buf, nb{g.Adj[k], g.W[k]})
		}
		slices.SortFunc(buf, func(a, b nb) int { return cmp.Compare(a.v, b.v) })
		for i, x := range buf {
			if i > 0 && buf[i-1].v == x.v {
				out.W[len(out.W)-1] += x.w
				continue
			}
			out.Adj = append(out.Adj, x.v)
			out.W = append(out.W, x.w)
		}
		out.Off[u+1] = int64(len(out.Adj))
	}
	return out
}

// Degree returns the number of distinct neighbours of u (a self-loop
// counts once).
func (g *CSR) Degree(u int32) int32 { return int32(g.Off[u+1] - g.Off[u]) }

// Strength returns the total weight of u's edges (a self-loop counts once).
func (g *CSR) Strength(u int32) float64 {
	s := 0.0
	if g.W32 != nil {
		for _, w := range g.W32[g.Off[u]:g.Off[u+1]] {
			s += float64(w)
		}
		return s
	}
	for _, w := range g.W[g.Off[u]:g.Off[u+1]] {
		s += w
	}
	return s
}

// Components returns the connected component of every node, numbered from
// 0 by decreasing size (ties: by smallest member), and the sizes.
func (g *CSR) Components() ([]int32, []int) {
	parent := make([]int32, g.N)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	// Every component's root is its smallest node (a union makes the
	// smaller root the parent), whatever the order of the unions: each
	// edge is joined once, from its higher end's list (its lower end's
	// entries come first there, the lists being sorted).
	for u := 0; u < g.N; u++ {
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			if g.Adj[k] >= int32(u) {
				continue
			}
			a, b := find(int32(u)), find(g.Adj[k])
			if a != b {
				if a < b {
					parent[b] = a
				} else {
					parent[a] = b
				}
			}
		}
	}
	roots := make([]int32, g.N)
	size := map[int32]int{}
	for u := range roots {
		roots[u] = find(int32(u))
		size[roots[u]]++
	}
	return renumber(roots, size)
}

// renumber maps labels to 0.. by decreasing group size, ties by the
// smallest member.
func renumber(labels []int32, size map[int32]int) ([]int32, []int) {
	first := map[int32]int32{}
	for u, l := range labels {
		if _, ok := first[l]; !ok {
			first[l] = int32(u)
		}
	}
	keys := make([]int32, 0, len(size))
	for l := range size {
		keys = append(keys, l)
	}
	slices.SortFunc(keys, func(a, b int32) int {
		if c := cmp.Compare(size[b], size[a]); c != 0 {
			return c
		}
		return cmp.Compare(first[a], first[b])
	})
	id := make(map[int32]int32, len(keys))
	sizes := make([]int, len(keys))
	for i, l := range keys {
		id[l] = int32(i)
		sizes[i] = size[l]
	}
	out := make([]int32, len(labels))
	for u, l := range labels {
		out[u] = id[l]
	}
	return out, sizes
}

// CoreNumbers returns the k-core number of every node (Batagelj and
// Zaversnik's O(m) algorithm; self-loops ignored).
func (g *CSR) CoreNumbers() []int32 {
	n := g.N
	deg := make([]int32, n)
	maxd := int32(0)
	for u := 0; u < n; u++ {
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			if g.Adj[k] != int32(u) {
				deg[u]++
			}
		}
		maxd = max(maxd, deg[u])
	}
	bin := make([]int32, maxd+2)
	for _, d := range deg {
		bin[d]++
	}
	start := int32(0)
	for d := range bin {
		num := bin[d]
		bin[d] = start
		start += num
	}
	pos := make([]int32, n)
	vert := make([]int32, n)
	for u := 0; u < n; u++ {
		pos[u] = bin[deg[u]]
		vert[pos[u]] = int32(u)
		bin[deg[u]]++
	}
	for d := len(bin) - 1; d > 0; d-- {
		bin[d] = bin[d-1]
	}
	bin[0] = 0
	for i := 0; i < n; i++ {
		v := vert[i]
		for k := g.Off[v]; k < g.Off[v+1]; k++ {
			u := g.Adj[k]
			if u == v || deg[u] <= deg[v] {
				continue
			}
			du, pu := deg[u], pos[u]
			pw := bin[du]
			w := vert[pw]
			if u != w {
				pos[u], pos[w] = pw, pu
				vert[pu], vert[pw] = w, u
			}
			bin[du]++
			deg[u]--
		}
	}
	return deg
}
