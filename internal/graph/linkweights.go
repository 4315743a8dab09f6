package graph

// linkWeights sums, for one node at a time, the weight of the node's links
// into each community among its neighbours: the quantity every local move
// of Louvain and Leiden (and Leiden's refinement) decides on.
type linkWeights struct {
	w       []float64 // by community label; -1 where no link was seen
	touched []int32   // the labels seen, in the order first seen
}

func newLinkWeights(n int) *linkWeights {
	w := make([]float64, n)
	for i := range w {
		w[i] = -1
	}
	return &linkWeights{w: w}
}

// gather sums u's links (self-loops aside) by label[v]. With part not nil,
// only links to the nodes v of u's community in part (part[v] == part[u])
// count.
func (lw *linkWeights) gather(g *CSR, u int32, label, part []int32) {
	lw.touched = lw.touched[:0]
	for e := g.Off[u]; e < g.Off[u+1]; e++ {
		v := g.Adj[e]
		if v == u || part != nil && part[v] != part[u] {
			continue
		}
		c := label[v]
		if lw.w[c] < 0 {
			lw.w[c] = 0
			lw.touched = append(lw.touched, c)
		}
		lw.w[c] += g.Weight(e)
	}
}

// to is the weight gathered into community c (0 where none).
func (lw *linkWeights) to(c int32) float64 { return max(lw.w[c], 0) }

// bestMove returns the community of the largest modularity gain
// w(c) − res·tot[c]·k/m2 for a node of strength k taken out of cu (whose
// strength tot[cu] no longer counts it), and that gain; ties keep cu.
func (lw *linkWeights) bestMove(cu int32, tot []float64, k, res, m2 float64) (int32, float64) {
	best, bestGain := cu, lw.to(cu)-res*tot[cu]*k/m2
	for _, c := range lw.touched {
		if gain := lw.w[c] - res*tot[c]*k/m2; gain > bestGain+1e-12 {
			best, bestGain = c, gain
		}
	}
	return best, bestGain
}

// reset forgets what gather summed, in time proportional to it.
func (lw *linkWeights) reset() {
	for _, c := range lw.touched {
		lw.w[c] = -1
	}
}
