package partcomm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/tahqiq/tahqiq/internal/graph"
)

// Algorithm names what Detect computes, for manifests.
const Algorithm = "partcomm-louvain"

// Options are Detect's parameters.
type Options struct {
	Seed       uint64  // the seed of the single-process Louvain on the graph of level-0 communities
	Resolution float64 // modularity resolution; 0 means 1
	MaxRounds  int     // rounds of level-0 moves; 0 means 32
	MinGain    float64 // a round that gains less modularity than this ends level 0; 0 means 1e-6
}

// Result is what Detect found.
type Result struct {
	Community  []int32   // by node: 0.. by decreasing size (ties: smallest node); -1 for a node without an edge
	Modularity float64   // of Community on the whole graph
	Degree     []int32   // by node: its edges
	Strength   []float64 // by node: the weight of its edges
	// How it went: rounds of moves run (each one pass of every
	// partition over its edges), the first level's communities and their
	// modularity, and the largest graph of communities the coordinator
	// held (community pairs joined by an edge, self-loops included)
	Rounds          int
	Cycles          int // refinement cycles: moves, then graph.Louvain on their communities
	Level0          int
	Level0Q         float64
	AggregatedEdges int
}

// Detect finds communities of the graph of n nodes whose edges are the
// partitions' (docs/format/partitioned-run.md, "Communities"): level 0
// moves every node at once, round by round, from sums merged over the
// partitions; the graph of its communities is finished by graph.Louvain;
// then the moves start again from that partition (a refinement cycle),
// for as long as a cycle raises the modularity (at most four cycles). The
// coordinator holds arrays by node, never an edge.
func Detect(ctx context.Context, parts Partitions, n int, opt Options) (*Result, error) {
	if opt.Resolution <= 0 {
		opt.Resolution = 1
	}
	if opt.MaxRounds <= 0 {
		opt.MaxRounds = 32
	}
	if opt.MinGain <= 0 {
		opt.MinGain = 1e-6
	}
	out := &Result{Community: make([]int32, n)}
	for i := range out.Community {
		out.Community[i] = -1
	}
	deg, str, err := Degrees(ctx, parts, n)
	if err != nil {
		return nil, err
	}
	out.Degree, out.Strength = deg, str
	mv := &mover{parts: parts, opt: opt, k: out.Strength}
	for _, x := range mv.k {
		mv.m2 += x
	}
	if mv.m2 == 0 {
		return out, nil
	}
	labels := make([]int32, n)
	for u := range labels {
		labels[u] = int32(u)
	}
	final := make([]int32, n)
	bestQ := math.Inf(-1)
	for cycle := 0; cycle < maxCycles; cycle++ {
		q0, err := mv.moves(ctx, labels)
		if err != nil {
			return nil, err
		}
		comm, kc := compact(labels, mv.k)
		if cycle == 0 {
			out.Level0, out.Level0Q = kc, q0
		}
		// the graph of the communities, finished in this process
		var edges []graph.Edge
		err = merge(ctx, parts, Pairs, comm, func(r Record) error {
			if r.A < 0 || r.B < r.A || int(r.B) >= kc {
				return fmt.Errorf("partcomm: pair sum (%d, %d) of %d communities", r.A, r.B, kc)
			}
			edges = append(edges, graph.Edge{U: r.A, V: r.B, W: r.W})
			return nil
		})
		if err != nil {
			return nil, err
		}
		out.AggregatedEdges = max(out.AggregatedEdges, len(edges))
		g := graph.New(kc, edges)
		edges = nil
		top, q := graph.Louvain(g, opt.Seed, opt.Resolution)
		out.Cycles = cycle + 1
		if q <= bestQ+opt.MinGain {
			break // the cycle gained nothing: keep the last
		}
		bestQ = q
		// the next cycle starts from these communities, each labelled
		// by its smallest node (a node without an edge keeps its own)
		rep := make([]int32, kc)
		for i := range rep {
			rep[i] = -1
		}
		for u, c := range comm {
			final[u] = -1
			labels[u] = int32(u)
			if c >= 0 {
				final[u] = top[c]
				if rep[top[c]] < 0 {
					rep[top[c]] = int32(u)
				}
				labels[u] = rep[top[c]]
			}
		}
	}
	copy(out.Community, final)
	out.Modularity = bestQ
	out.Rounds = mv.rounds
	renumber(out.Community)
	return out, nil
}

// maxCycles bounds Detect's refinement cycles.
const maxCycles = 4

// mover runs the synchronous local moves over the partitions.
type mover struct {
	parts  Partitions
	opt    Options
	k      []float64 // strength by node
	m2     float64   // twice the total weight
	rounds int       // rounds run, over every cycle (the draws of who may move)
}

// moves moves the nodes from labels, round by round, every node at once
// from the round's sums, until a round gains less than opt.MinGain or
// opt.MaxRounds have run; labels ends as the best partition seen, whose
// modularity it returns.
func (mv *mover) moves(ctx context.Context, labels []int32) (float64, error) {
	n := len(labels)
	k, m2, res := mv.k, mv.m2, mv.opt.Resolution
	next := make([]int32, n)
	best := slices.Clone(labels)
	tot := make([]float64, n) // by label
	size := make([]int32, n)  // by label
	bestQ := math.Inf(-1)
	for round := 0; ; round++ {
		clear(tot)
		clear(size)
		for u, c := range labels {
			tot[c] += k[u]
			size[c]++
		}
		copy(next, labels)
		in := 0.0 // weight inside communities, both directions
		// u's link weights to its neighbours' labels, in label order
		cur := int32(-1)
		var links []Record
		draw := mv.rounds
		decide := func() {
			if cur < 0 {
				return
			}
			u, cu, ku := cur, labels[cur], k[cur]
			stay := 0.0
			for _, l := range links {
				if l.B == cu {
					stay = l.W
					in += l.W
				}
			}
			target, gain := cu, stay-res*(tot[cu]-ku)*ku/m2
			for _, l := range links {
				if l.B == cu {
					continue
				}
				if g := l.W - res*tot[l.B]*ku/m2; g > gain+1e-12 {
					target, gain = l.B, g
				}
			}
			// synchronous moves: a singleton joins another singleton
			// only if its label is smaller (no swaps), and about half
			// the nodes may move in a round (moves made from the same
			// stale state overshoot)
			if target != cu && (size[cu] == 1 && size[target] == 1 && target > cu || !mayMove(mv.opt.Seed, draw, u)) {
				target = cu
			}
			next[u] = target
		}
		err := merge(ctx, mv.parts, Links, labels, func(r Record) error {
			if r.A < 0 || int(r.A) >= n || r.B < 0 || int(r.B) >= n {
				return fmt.Errorf("partcomm: link sum (%d, %d) in a graph of %d nodes", r.A, r.B, n)
			}
			if r.A != cur {
				decide()
				cur, links = r.A, links[:0]
			}
			links = append(links, r)
			return nil
		})
		if err != nil {
			return 0, err
		}
		decide()
		mv.rounds++
		q := in / m2
		for c, t := range tot {
			if size[c] > 0 {
				q -= res * (t / m2) * (t / m2)
			}
		}
		improved := q > bestQ+mv.opt.MinGain
		if q > bestQ {
			bestQ = q
			copy(best, labels)
		}
		if !improved || round+1 >= mv.opt.MaxRounds || slices.Equal(next, labels) {
			break
		}
		copy(labels, next)
	}
	copy(labels, best)
	return bestQ, nil
}

// merge runs step on every partition and hands fn the merged sums in key
// order.
func merge(ctx context.Context, parts Partitions, step Step, labels []int32, fn func(Record) error) error {
	rs, err := parts.Sums(ctx, step, labels)
	if err != nil {
		return fmt.Errorf("partcomm: %v: %w", step, err)
	}
	m, err := newMerger(rs)
	if err != nil {
		closeAll(rs)
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			closeAll(rs)
			return err
		}
		r, ok, err := m.next()
		if err != nil {
			closeAll(rs)
			return err
		}
		if !ok {
			return nil
		}
		if err := fn(r); err != nil {
			closeAll(rs)
			return err
		}
	}
}

// compact numbers the labels of the nodes with an edge (k > 0) 0..c-1 in
// order of their smallest node; a node without an edge gets -1.
func compact(labels []int32, k []float64) ([]int32, int) {
	id := make([]int32, len(labels))
	for i := range id {
		id[i] = -1
	}
	out := make([]int32, len(labels))
	c := int32(0)
	for u, l := range labels {
		if k[u] == 0 {
			out[u] = -1
			continue
		}
		if id[l] < 0 {
			id[l] = c
			c++
		}
		out[u] = id[l]
	}
	return out, int(c)
}

// renumber numbers the communities (>= 0) by decreasing size, ties by
// their smallest node, in place.
func renumber(comm []int32) {
	n := int32(0)
	for _, c := range comm {
		n = max(n, c+1)
	}
	size := make([]int, n)
	first := make([]int32, n)
	for i := range first {
		first[i] = -1
	}
	for u, c := range comm {
		if c >= 0 {
			size[c]++
			if first[c] < 0 {
				first[c] = int32(u)
			}
		}
	}
	order := make([]int32, 0, n)
	for c := range n {
		if size[c] > 0 {
			order = append(order, c)
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(size[b], size[a]), cmp.Compare(first[a], first[b]))
	})
	id := make([]int32, n)
	for i, c := range order {
		id[c] = int32(i)
	}
	for u, c := range comm {
		if c >= 0 {
			comm[u] = id[c]
		}
	}
}

// mayMove tells whether node u may move in round: a draw of one bit from
// the seed, the round and the node (splitmix64), so that about half the
// nodes move in each round and a redone round draws the same.
func mayMove(seed uint64, round int, u int32) bool {
	z := seed ^ uint64(round)<<32 ^ uint64(uint32(u)) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	return z&1 == 0
}
