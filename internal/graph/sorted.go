package graph

import (
	"cmp"
	"slices"
)

// Sorted is a graph's edges given without a list of them: each calls
// yield with every edge (u, v, weight) and its mark, in the same order
// each time it is called, stopping when yield returns false; it returns
// what stopped it (nil when every edge was given). Edges read from a
// file are given this way: a graph of tens of millions of edges is
// built from two passes over them, with no Edge list beside the CSR
// (16 bytes an edge).
type Sorted func(yield func(u, v int32, w float64, mark bool) bool) error

// FromSorted builds the graph of n nodes from edges, given twice (a
// count, then the lists). It is the graph New builds from the same edges
// when they come in (U, V) order with U < V and no edge twice, as a
// coordination run's do; edges in another order are sorted and merged as
// New does, so the graph is New's whatever the order. marks has a bit
// for every entry of Adj: set where the edge was given with mark (Filter
// keeps or drops entries by it); nil when no edge was.
func FromSorted(n int, edges Sorted) (g *CSR, marks []uint64, err error) {
	deg := make([]int64, n)
	if err := edges(func(u, v int32, _ float64, _ bool) bool {
		deg[u]++
		if u != v {
			deg[v]++
		}
		return true
	}); err != nil {
		return nil, nil, err
	}
	return FromDegrees(deg, edges)
}

// FromDegrees is FromSorted given each node's count of entries (its
// edges, a self-loop once): edges are given once. deg is taken (its
// memory becomes the graph's offsets). The weights are kept in W32 as
// long as every weight given is exactly a float32, and moved to W at the
// first that is not. marks is nil when no edge was given with mark.
func FromDegrees(deg []int64, edges Sorted) (g *CSR, marks []uint64, err error) {
	n := len(deg)
	off := append(deg, 0)
	copy(off[1:], off[:n])
	off[0] = 0
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	m := off[n]
	g = &CSR{N: n, Off: off, Adj: make([]int32, m), W32: make([]float32, m)}
	pos := slices.Clone(off[:n])
	ordered := true
	put := func(u, v int32, w float64, mark bool) {
		k := pos[u]
		if k > off[u] && g.Adj[k-1] >= v {
			ordered = false
		}
		g.Adj[k] = v
		if g.W32 != nil {
			g.W32[k] = float32(w)
		} else {
			g.W[k] = w
		}
		if mark {
			if marks == nil {
				marks = make([]uint64, (m+63)/64)
			}
			marks[k>>6] |= 1 << (k & 63)
		}
		pos[u]++
	}
	// Edges in (U, V) order write U's list in order but V's at random
	// places of Adj: one cache and TLB miss an entry, most of the build
	// on a large graph (27.5 s of 84.6M edges at 10M posts). So entries
	// go through buckets of nodes whose lists span a few hundred KiB,
	// written a bucket at a time when it fills: each bucket's writes
	// stay in that span. A list gets its entries in the order given, so
	// the graph is the one direct writes make.
	fill := newFiller(off, put)
	given := int64(0)
	if err := edges(func(u, v int32, w float64, mark bool) bool {
		if given++; given > m {
			panic("graph: FromSorted was given more edges the second time")
		}
		if g.W32 != nil && float64(float32(w)) != w {
			g.widen() // the entries in the buckets are float64s: written to W
		}
		fill.put(u, v, w, mark)
		if u != v {
			fill.put(v, u, w, mark)
		}
		return true
	}); err != nil {
		return nil, nil, err
	}
	fill.flush()
	for u := range n {
		if pos[u] != off[u+1] {
			panic("graph: FromSorted was given other edges than it counted")
		}
	}
	if !ordered {
		g, marks = g.sortLists(marks)
	}
	return g, marks, nil
}

// The buckets of FromDegrees' fill (variables: the tests make them
// small): a bucket's lists span at most fillSpan entries of Adj (256 KiB
// of Adj and as much of W32: they fit a core's cache) unless one list is
// longer, and the buckets hold fillRoom entries between them (16 bytes
// each: 32 MiB at most, whatever the graph). Graphs of fewer than
// fillMin entries are written directly.
var (
	fillSpan = int64(1 << 16)
	fillRoom = 1 << 21
	fillMin  = int64(1 << 20)
)

// filler writes a graph's entries bucket by bucket (see FromDegrees).
type filler struct {
	direct func(u, v int32, w float64, mark bool)
	bucket []int32 // node -> its bucket
	room   int     // entries a bucket holds
	n      []int32 // entries in each bucket
	ents   []fillEntry
}

// fillEntry is an entry for list u: neighbour v (bit 31: marked), weight w.
type fillEntry struct {
	u, v int32
	w    float64
}

func newFiller(off []int64, put func(u, v int32, w float64, mark bool)) *filler {
	f := &filler{direct: put}
	n := len(off) - 1
	if off[n] < fillMin {
		return f
	}
	f.bucket = make([]int32, n)
	b, start := int32(0), int64(0)
	for u := range n {
		if off[u+1]-start > fillSpan && off[u] > start {
			b++
			start = off[u]
		}
		f.bucket[u] = b
	}
	nb := int(b) + 1
	f.room = max(fillRoom/nb, 16)
	f.n = make([]int32, nb)
	f.ents = make([]fillEntry, nb*f.room)
	return f
}

func (f *filler) put(u, v int32, w float64, mark bool) {
	if f.bucket == nil {
		f.direct(u, v, w, mark)
		return
	}
	b := int(f.bucket[u])
	k := int(f.n[b])
	if k == f.room {
		f.write(b)
		k = 0
	}
	if mark {
		v |= -1 << 31
	}
	f.ents[b*f.room+k] = fillEntry{u, v, w}
	f.n[b] = int32(k + 1)
}

// write writes bucket b's entries and empties it.
func (f *filler) write(b int) {
	for _, e := range f.ents[b*f.room : b*f.room+int(f.n[b])] {
		f.direct(e.u, e.v&(1<<31-1), e.w, e.v < 0)
	}
	f.n[b] = 0
}

// flush writes every bucket's entries.
func (f *filler) flush() {
	for b := range f.n {
		f.write(b)
	}
}

// widen moves the weights from W32 to W.
func (g *CSR) widen() {
	if g.W32 == nil {
		return
	}
	g.W = make([]float64, len(g.W32))
	for k, w := range g.W32 {
		g.W[k] = float64(w)
	}
	g.W32 = nil
}

// sortLists sorts every neighbour list and merges parallel entries
// (weights added, marks or-ed), as New does.
func (g *CSR) sortLists(marks []uint64) (*CSR, []uint64) {
	type nb struct {
		v    int32
		w    float64
		mark bool
	}
	out := &CSR{N: g.N, Off: make([]int64, g.N+1), Adj: make([]int32, 0, len(g.Adj)), W: make([]float64, 0, len(g.Adj))}
	var om []uint64
	if marks != nil {
		om = make([]uint64, len(marks))
	}
	var buf []nb
	for u := range g.N {
		buf = buf[:0]
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			buf = append(buf, nb{g.Adj[k], g.Weight(k), marks != nil && Marked(marks, k)})
		}
		slices.SortStableFunc(buf, func(a, b nb) int { return cmp.Compare(a.v, b.v) })
		for i, x := range buf {
			k := int64(len(out.Adj))
			if i > 0 && buf[i-1].v == x.v {
				out.W[k-1] += x.w
				if x.mark {
					om[(k-1)>>6] |= 1 << ((k - 1) & 63)
				}
				continue
			}
			out.Adj = append(out.Adj, x.v)
			out.W = append(out.W, x.w)
			if x.mark {
				om[k>>6] |= 1 << (k & 63)
			}
		}
		out.Off[u+1] = int64(len(out.Adj))
	}
	return out, om
}

// Filter returns the graph of g's entries that keep accepts (u: the
// node whose list holds entry k of Adj); keep must accept an entry and
// its reverse alike, so that the result is undirected. Its lists keep
// g's order: it is the graph New builds from the kept edges, its weights
// in W32 where g's are.
func (g *CSR) Filter(keep func(u int32, k int64) bool) *CSR {
	m := int64(0)
	for u := range g.N {
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			if keep(int32(u), k) {
				m++
			}
		}
	}
	out := &CSR{N: g.N, Off: make([]int64, g.N+1), Adj: make([]int32, 0, m)}
	if g.W32 != nil {
		out.W32 = make([]float32, 0, m)
	} else {
		out.W = make([]float64, 0, m)
	}
	for u := range g.N {
		for k := g.Off[u]; k < g.Off[u+1]; k++ {
			if keep(int32(u), k) {
				out.Adj = append(out.Adj, g.Adj[k])
				if g.W32 != nil {
					out.W32 = append(out.W32, g.W32[k])
				} else {
					out.W = append(out.W, g.W[k])
				}
			}
		}
		out.Off[u+1] = int64(len(out.Adj))
	}
	return out
}

// Marked reports whether bit k of marks (FromSorted's, not nil) is set.
func Marked(marks []uint64, k int64) bool { return marks[k>>6]&(1<<(k&63)) != 0 }
