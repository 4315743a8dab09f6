package graph

import (
	"math"
	"runtime"
	"sync"
)

// Eigenvector returns the eigenvector centrality of every node: the
// principal eigenvector of the weighted adjacency matrix, scaled so that
// the largest entry is 1, by power iteration on A + I (the shift keeps the
// iteration from oscillating on bipartite graphs without changing the
// eigenvectors). It stops when no entry moves by more than tol or after
// maxIter rounds, and returns the rounds used. On a disconnected graph the
// centrality concentrates on the component with the largest eigenvalue,
// as networkx's eigenvector_centrality does (Luceri et al. prune nodes by
// it).
//
// Each round's product is computed in parallel over ranges of nodes
// (GOMAXPROCS of them, cut at equal shares of the entries); every entry
// is summed in the same order whatever the ranges, so the result is the
// same to the bit on any number of cores.
func (g *CSR) Eigenvector(maxIter int, tol float64) ([]float64, int) {
	return g.eigenvector(maxIter, tol, runtime.GOMAXPROCS(0))
}

func (g *CSR) eigenvector(maxIter int, tol float64, workers int) ([]float64, int) {
	n := g.N
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(max(n, 1))
	}
	if n == 0 {
		return x, 0
	}
	// ranges of nodes with about equal entries; small graphs in one
	m := g.Off[n]
	if m < 1<<16 {
		workers = 1
	}
	workers = max(1, min(workers, n))
	bounds := make([]int, workers+1)
	for w, u := 1, 0; w < workers; w++ {
		for u < n && g.Off[u] < m*int64(w)/int64(workers) {
			u++
		}
		bounds[w] = u
	}
	bounds[workers] = n
	tops := make([]float64, workers)
	product := func(w int) {
		top := 0.0
		for u := bounds[w]; u < bounds[w+1]; u++ {
			s := x[u]
			lo, hi := g.Off[u], g.Off[u+1]
			adj := g.Adj[lo:hi]
			if g.W32 != nil {
				for i, w := range g.W32[lo:hi] {
					s += float64(w) * x[adj[i]]
				}
			} else {
				for i, w := range g.W[lo:hi] {
					s += w * x[adj[i]]
				}
			}
			y[u] = s
			top = max(top, math.Abs(s))
		}
		tops[w] = top
	}
	round := func() {
		if workers == 1 {
			product(0)
			return
		}
		var wg sync.WaitGroup
		for w := 1; w < workers; w++ {
			wg.Add(1)
			go func() { defer wg.Done(); product(w) }()
		}
		product(0)
		wg.Wait()
	}
	iter := 0
	for iter < maxIter {
		iter++
		round()
		top := 0.0
		for _, t := range tops {
			top = max(top, t)
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
