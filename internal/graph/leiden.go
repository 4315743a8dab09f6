package graph

import "math/rand/v2"

// Leiden returns a community of every node and the modularity of that
// partition, by the method of Traag, Waltman and van Eck (2019, "From
// Louvain to Leiden: guaranteeing well-connected communities"):
//
//  1. fast local moving: nodes are taken from a queue (all nodes, in an
//     order drawn from seed) and moved to the neighbouring community with
//     the best modularity gain; when a node moves, its neighbours outside
//     the new community are queued again;
//  2. refinement: inside each community every node starts alone and is
//     merged, in random order, into a well-connected sub-community of the
//     same community (the one with the best non-negative gain; the greedy
//     limit θ -> 0 of the paper), so that every community found is
//     connected;
//  3. aggregation on the refined partition, the non-refined partition
//     giving the starting communities of the aggregate graph;
//
// until a level changes nothing. The same graph and seed give the same
// partition. Communities are numbered by decreasing size.
func Leiden(g *CSR, seed uint64, resolution float64) ([]int32, float64) {
	if resolution <= 0 {
		resolution = 1
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x4c656964656e))
	member := make([]int32, g.N) // original node -> node of cur
	for i := range member {
		member[i] = int32(i)
	}
	cur := g
	part := make([]int32, g.N)
	for i := range part {
		part[i] = int32(i)
	}
	for level := 0; level < 64; level++ {
		part = moveFast(cur, part, rng, resolution)
		pl, k := compact(part)
		part = pl
		if k == cur.N {
			break // every community is one node: nothing left to merge
		}
		refined := refine(cur, part, rng, resolution)
		labels, kr := compact(refined)
		if kr == cur.N {
			// Refinement merged nothing: aggregate on the partition itself.
			labels, kr = part, k
		}
		next := make([]int32, kr)
		for u := 0; u < cur.N; u++ {
			next[labels[u]] = part[u]
		}
		for i := range member {
			member[i] = labels[member[i]]
		}
		cur = aggregate(cur, labels, kr)
		part = next
	}
	out := make([]int32, g.N)
	for i := range out {
		out[i] = part[member[i]]
	}
	size := map[int32]int{}
	for _, c := range out {
		size[c]++
	}
	out, _ = renumber(out, size)
	return out, Modularity(g, out, resolution)
}

// strengths returns each node's strength (a self-loop counts twice) and
// their total.
func strengths(g *CSR) ([]float64, float64) {
	k := make([]float64, g.N)
	m2 := 0.0
	for u := 0; u < g.N; u++ {
		for e := g.Off[u]; e < g.Off[u+1]; e++ {
			w := g.Weight(e)
			if g.Adj[e] == int32(u) {
				w *= 2
			}
			k[u] += w
		}
		m2 += k[u]
	}
	return k, m2
}

// moveFast is the Leiden paper's fast local moving phase, starting from
// part.
func moveFast(g *CSR, part []int32, rng *rand.Rand, res float64) []int32 {
	n := g.N
	comm := append([]int32(nil), part...)
	k, m2 := strengths(g)
	if m2 == 0 {
		return comm
	}
	tot := make([]float64, n)
	count := make([]int32, n)
	for u := 0; u < n; u++ {
		tot[comm[u]] += k[u]
		count[comm[u]]++
	}
	queue := make([]int32, 0, n)
	for _, u := range rng.Perm(n) {
		queue = append(queue, int32(u))
	}
	inQueue := make([]bool, n)
	for i := range inQueue {
		inQueue[i] = true
	}
	lw := newLinkWeights(n)
	var empty []int32 // communities with no node (for a node better alone)
	for head := 0; head < len(queue); head++ {
		u := queue[head]
		inQueue[u] = false
		if head > 4*n && head > 1<<20 {
			// Compact the queue now and then.
			queue = append(queue[:0], queue[head+1:]...)
			head = -1
		}
		cu := comm[u]
		lw.gather(g, u, comm, nil)
		tot[cu] -= k[u]
		count[cu]--
		best, bestGain := lw.bestMove(cu, tot, k[u], res, m2)
		if count[cu] > 0 && bestGain < -1e-12 {
			// Alone is better than anywhere: take an empty community.
			for len(empty) > 0 && count[empty[len(empty)-1]] > 0 {
				empty = empty[:len(empty)-1]
			}
			if len(empty) > 0 {
				best = empty[len(empty)-1]
				empty = empty[:len(empty)-1]
			}
		}
		tot[best] += k[u]
		count[best]++
		if count[cu] == 0 {
			empty = append(empty, cu)
		}
		if best != cu {
			comm[u] = best
			for e := g.Off[u]; e < g.Off[u+1]; e++ {
				v := g.Adj[e]
				if v != u && comm[v] != best && !inQueue[v] {
					inQueue[v] = true
					queue = append(queue, v)
				}
			}
		}
		lw.reset()
	}
	return comm
}

// refine splits every community of part into well-connected
// sub-communities (Leiden's refinement, greedy variant).
func refine(g *CSR, part []int32, rng *rand.Rand, res float64) []int32 {
	n := g.N
	k, m2 := strengths(g)
	ref := make([]int32, n)
	for i := range ref {
		ref[i] = int32(i)
	}
	if m2 == 0 {
		return ref
	}
	// Community strengths and each node's weight to the rest of its community.
	totC := make([]float64, n)
	toC := make([]float64, n)
	for u := 0; u < n; u++ {
		totC[part[u]] += k[u]
		for e := g.Off[u]; e < g.Off[u+1]; e++ {
			if v := g.Adj[e]; v != int32(u) && part[v] == part[u] {
				toC[u] += g.Weight(e)
			}
		}
	}
	totR := append([]float64(nil), k...)  // refined community strength
	ext := append([]float64(nil), toC...) // weight from refined community to the rest of its community
	single := make([]bool, n)
	for i := range single {
		single[i] = true
	}
	lw := newLinkWeights(n)
	for _, ui := range rng.Perm(n) {
		u := int32(ui)
		if !single[u] {
			continue
		}
		c := part[u]
		if toC[u] < res*k[u]*(totC[c]-k[u])/m2 {
			continue // u is not well connected to its community
		}
		lw.gather(g, u, ref, part)
		best, bestGain := ref[u], 0.0
		for _, r := range lw.touched {
			if r == ref[u] {
				continue
			}
			if ext[r] < res*totR[r]*(totC[c]-totR[r])/m2 {
				continue // the target is not well connected
			}
			if gain := lw.w[r] - res*k[u]*totR[r]/m2; gain > bestGain+1e-12 {
				best, bestGain = r, gain
			}
		}
		if best != ref[u] {
			old := ref[u]
			ref[u] = best
			totR[best] += k[u]
			totR[old] -= k[u]
			ext[best] += toC[u] - 2*lw.w[best]
			ext[old] = 0
			// Labels are node ids, and a label in use still holds its
			// own node (only singletons move): neither is alone now.
			single[u], single[best] = false, false
		}
		lw.reset()
	}
	return ref
}
