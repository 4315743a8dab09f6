package graph

import "math"

// Eigenvector returns the eigenvector centrality of every node: the
// principal eigenvector of the weighted adjacency matrix, scaled so that
// the largest entry is 1, by power iteration on A + I (the shift keeps the
// iteration from oscillating on bipartite graphs without changing the
// eigenvectors). It stops when no entry moves by more than tol or after
// maxIter rounds, and returns the rounds used. On a disconnected graph the
// centrality concentrates on the component with the largest eigenvalue,
// as networkx's eigenvector_centrality does (Luceri et al. prune nodes by
// it).
func (g *CSR) Eigenvector(maxIter int, tol float64) ([]float64, int) {
	n := g.N
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(max(n, 1))
	}
	if n == 0 {
		return x, 0
	}
	iter := 0
	for iter < maxIter {
		iter++
		for u := 0; u < n; u++ {
			s := x[u]
			for e := g.Off[u]; e < g.Off[u+1]; e++ {
				s += g.W[e] * x[g.Adj[e]]
			}
			y[u] = s
		}
		top := 0.0
		for _, v := range y {
			top = max(top, math.Abs(v))
		}
		if top == 0 {
			return y, iter
		}
		diff := 0.0
		for u := range y {
			y[u] /= top
			diff = max(diff, math.Abs(y[u]-x[u]))
		}
		x, y = y, x
		if diff < tol {
			break
		}
	}
	return x, iter
}
