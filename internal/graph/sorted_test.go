package graph

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
)

// sortedOf gives edges (and marks) as FromSorted takes them.
func sortedOf(edges []Edge, mark func(i int) bool) Sorted {
	return func(yield func(u, v int32, w float64, mark bool) bool) error {
		for i, e := range edges {
			if !yield(e.U, e.V, e.W, mark(i)) {
				break
			}
		}
		return nil
	}
}

// TestFromSortedEqualsNew: the graph built from two passes over the
// edges is New's, to the bit, in (U, V) order (a coordination run's) and
// in any order with parallel edges; Filter by the marks is New of the
// marked edges, and the communities on both are the same.
func TestFromSortedEqualsNew(t *testing.T) {
	// written directly, and through the fill's buckets: many small ones
	// (lists longer than a bucket's span among them), or one
	for _, fill := range []struct {
		min, span int64
		room      int
	}{{fillMin, fillSpan, fillRoom}, {0, 40, 300}, {0, 1, 16}, {0, 1 << 40, 1 << 12}} {
		t.Run(fmt.Sprintf("fill-%d-%d-%d", fill.min, fill.span, fill.room), func(t *testing.T) {
			defer func(min, span int64, room int) { fillMin, fillSpan, fillRoom = min, span, room }(fillMin, fillSpan, fillRoom)
			fillMin, fillSpan, fillRoom = fill.min, fill.span, fill.room
			testFromSortedEqualsNew(t)
		})
	}
}

func testFromSortedEqualsNew(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n, m     int
		shuffled bool
	}{{"sorted", 300, 2000, false}, {"sorted-sparse", 5000, 3000, false}, {"shuffled", 200, 3000, true}, {"empty", 10, 0, false}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.m)))
			seen := map[[2]int32]bool{}
			var edges []Edge
			for len(edges) < tc.m {
				u, v := rng.Int32N(int32(tc.n)), rng.Int32N(int32(tc.n))
				if u == v {
					continue
				}
				if u > v && !tc.shuffled {
					u, v = v, u
				}
				if seen[[2]int32{u, v}] && !tc.shuffled {
					continue
				}
				seen[[2]int32{u, v}] = true
				// integer weights: parallel edges sum exactly in any order
				edges = append(edges, Edge{U: u, V: v, W: float64(1 + rng.IntN(9))})
			}
			if !tc.shuffled {
				slices.SortFunc(edges, func(a, b Edge) int { return cmp.Or(cmp.Compare(a.U, b.U), cmp.Compare(a.V, b.V)) })
			}
			mark := func(i int) bool { return edges[i].W > 4 }
			g, marks, err := FromSorted(tc.n, sortedOf(edges, mark))
			if err != nil {
				t.Fatal(err)
			}
			if tc.m > 0 && !tc.shuffled && g.W32 == nil {
				t.Fatalf("integer weights kept in W, not W32")
			}
			if want := New(tc.n, edges); !reflect.DeepEqual(wide(g), want) {
				t.Fatalf("FromSorted differs from New")
			}
			deg := make([]int64, tc.n)
			for _, e := range edges {
				deg[e.U]++
				deg[e.V]++
			}
			g2, marks2, err := FromDegrees(deg, sortedOf(edges, mark))
			if err != nil || !reflect.DeepEqual(g2, g) || !slices.Equal(marks2, marks) {
				t.Fatalf("FromDegrees differs from FromSorted (%v)", err)
			}
			var sub []Edge
			for i, e := range edges {
				if mark(i) {
					sub = append(sub, e)
				}
			}
			got := g.Filter(func(_ int32, k int64) bool { return Marked(marks, k) })
			want := New(tc.n, sub)
			if !tc.shuffled && (!reflect.DeepEqual(wide(got), want) || tc.m > 0 && got.W32 == nil) {
				t.Fatalf("Filter by marks differs from New of the marked edges")
			}
			if !tc.shuffled {
				c1, q1 := Louvain(got, 1, 1)
				c2, q2 := Louvain(want, 1, 1)
				if !slices.Equal(c1, c2) || q1 != q2 {
					t.Fatalf("Louvain differs: %v %v", q1, q2)
				}
			}
		})
	}
}

// wide returns g with its weights in W (float64).
func wide(g *CSR) *CSR {
	c := *g
	c.widen()
	return &c
}

// TestFromDegreesFloat32: weights that are all exactly float32s are held
// in W32 (8 bytes an entry, not 12), and every measure on that graph is
// the same to the bit as on the same graph in float64; the first weight
// that is not moves them all to W, and the graph is New's.
func TestFromDegreesFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 2000
	var edges []Edge
	seen := map[[2]int32]bool{}
	for len(edges) < 30000 {
		u, v := rng.Int32N(int32(n)), rng.Int32N(int32(n))
		if u >= v || seen[[2]int32{u, v}] {
			continue
		}
		seen[[2]int32{u, v}] = true
		// counts, a few of them large (2^24 is the last exact one)
		w := float64(1 + rng.IntN(20))
		if rng.IntN(100) == 0 {
			w = float64(1<<24 - rng.IntN(3))
		}
		edges = append(edges, Edge{U: u, V: v, W: w})
	}
	slices.SortFunc(edges, func(a, b Edge) int { return cmp.Or(cmp.Compare(a.U, b.U), cmp.Compare(a.V, b.V)) })
	build := func(edges []Edge) *CSR {
		g, _, err := FromSorted(n, sortedOf(edges, func(int) bool { return true }))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := build(edges)
	if g.W32 == nil || g.W != nil {
		t.Fatalf("count weights: W32 %d entries, W %d, want W32 only", len(g.W32), len(g.W))
	}
	w := wide(g)
	bits := func(xs []float64) []uint64 {
		out := make([]uint64, len(xs))
		for i, x := range xs {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	e32, i32 := g.Eigenvector(100, 1e-9)
	e64, i64 := w.Eigenvector(100, 1e-9)
	if i32 != i64 || !slices.Equal(bits(e32), bits(e64)) {
		t.Fatalf("eigenvector centrality differs between W32 and W")
	}
	for u := range int32(n) {
		if math.Float64bits(g.Strength(u)) != math.Float64bits(w.Strength(u)) {
			t.Fatalf("strength of %d differs", u)
		}
	}
	for name, detect := range map[string]func(*CSR, uint64, float64) ([]int32, float64){"louvain": Louvain, "leiden": Leiden} {
		c32, q32 := detect(g, 5, 1)
		c64, q64 := detect(w, 5, 1)
		if !slices.Equal(c32, c64) || math.Float64bits(q32) != math.Float64bits(q64) {
			t.Fatalf("%s differs between W32 and W: %v %v", name, q32, q64)
		}
	}
	// 2^24+1 is no float32: from there on, the weights are float64
	// (written through the fill's buckets: those before it are held as
	// float64s)
	defer func(min, span int64, room int) { fillMin, fillSpan, fillRoom = min, span, room }(fillMin, fillSpan, fillRoom)
	fillMin, fillSpan, fillRoom = 0, 500, 64
	for _, bad := range []float64{1<<24 + 1, 0.1, 2.5e-50} {
		es := slices.Clone(edges)
		es[len(es)/2].W = bad
		g := build(es)
		if g.W32 != nil || !reflect.DeepEqual(g, New(n, es)) {
			t.Fatalf("weight %v: the graph is not New's in float64", bad)
		}
	}
}

// TestFromSortedError: an error of the edges' source is returned.
func TestFromSortedError(t *testing.T) {
	want := errTest("read failed")
	_, _, err := FromSorted(3, func(yield func(u, v int32, w float64, mark bool) bool) error {
		yield(0, 1, 1, false)
		return want
	})
	if err != want {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// TestEigenvectorWorkers: the centrality is the same to the bit on one
// core and on several (the ranges cut the nodes, not a node's sum).
func TestEigenvectorWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 3000
	var edges []Edge
	for range 80000 {
		u, v := rng.Int32N(int32(n)), rng.Int32N(int32(n))
		if u != v {
			edges = append(edges, Edge{U: u, V: v, W: rng.Float64() * 3})
		}
	}
	g := New(n, edges)
	want, wi := g.eigenvector(100, 1e-9, 1)
	for _, w := range []int{2, 3, 7} {
		got, gi := g.eigenvector(100, 1e-9, w)
		if gi != wi {
			t.Fatalf("%d workers: %d rounds, want %d", w, gi, wi)
		}
		for u := range got {
			if math.Float64bits(got[u]) != math.Float64bits(want[u]) {
				t.Fatalf("%d workers: node %d %v, want %v", w, u, got[u], want[u])
			}
		}
	}
}

// BenchmarkEigenvector: 100 rounds on a random graph of 50,000 nodes and
// 1.5M edges, on one core and on GOMAXPROCS.
func BenchmarkEigenvector(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 50000
	edges := make([]Edge, 0, 1500000)
	for len(edges) < cap(edges) {
		u, v := rng.Int32N(int32(n)), rng.Int32N(int32(n))
		if u != v {
			edges = append(edges, Edge{U: u, V: v, W: float64(1 + rng.IntN(3))})
		}
	}
	g := New(n, edges)
	for _, w := range []int{1, 0} {
		name := "1core"
		if w == 0 {
			name, w = "gomaxprocs", runtime.GOMAXPROCS(0)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				g.eigenvector(100, 0, w)
			}
		})
	}
}

// TestComponentsAsBFS: the components are those a breadth-first search
// finds, numbered by decreasing size, ties by the smallest member, on
// graphs of many components with self-loops and isolated nodes.
func TestComponentsAsBFS(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 99))
		n := 50 + rng.IntN(400)
		var edges []Edge
		for range rng.IntN(2 * n) {
			u := rng.Int32N(int32(n))
			v := u + rng.Int32N(9) - 4 // near u: many components
			if v < 0 || v >= int32(n) {
				continue
			}
			edges = append(edges, Edge{U: u, V: v, W: 1})
		}
		g := New(n, edges)
		got, sizes := g.Components()
		// the reference: BFS from each unvisited node in order
		label := make([]int32, n)
		for i := range label {
			label[i] = -1
		}
		type comp struct{ first, size int }
		var comps []comp
		for s := range n {
			if label[s] >= 0 {
				continue
			}
			c := int32(len(comps))
			label[s] = c
			queue, size := []int32{int32(s)}, 0
			for len(queue) > 0 {
				u := queue[0]
				queue = queue[1:]
				size++
				for k := g.Off[u]; k < g.Off[u+1]; k++ {
					if v := g.Adj[k]; label[v] < 0 {
						label[v] = c
						queue = append(queue, v)
					}
				}
			}
			comps = append(comps, comp{s, size})
		}
		order := make([]int, len(comps))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			return cmp.Or(cmp.Compare(comps[b].size, comps[a].size), cmp.Compare(comps[a].first, comps[b].first))
		})
		id := make([]int32, len(comps))
		wantSizes := make([]int, len(comps))
		for i, c := range order {
			id[c] = int32(i)
			wantSizes[i] = comps[c].size
		}
		for u := range n {
			if got[u] != id[label[u]] {
				t.Fatalf("seed %d: node %d in component %d, want %d", seed, u, got[u], id[label[u]])
			}
		}
		if !slices.Equal(sizes, wantSizes) {
			t.Fatalf("seed %d: sizes %v, want %v", seed, sizes, wantSizes)
		}
	}
}

// BenchmarkFromDegrees: the network of a 3M-post coordination run's
// size (150,000 nodes, 15M edges in (U, V) order, 30M entries), written
// directly (each V's entry a random write) and through the fill's
// buckets. TAHQIQ_BENCH_GRAPH="NODES EDGES" sets the size (a 10M-post
// run's: "470000 84600000").
func BenchmarkFromDegrees(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, m := 150000, 15000000
	if s := os.Getenv("TAHQIQ_BENCH_GRAPH"); s != "" {
		fmt.Sscan(s, &n, &m)
	}
	us := make([]int32, 0, m)
	vs := make([]int32, 0, m)
	// each U's neighbours: a sorted sample above it, without repeats
	var nb []int32
	for u := int32(0); len(us) < m && u < int32(n)-1; u++ {
		k := min(int(rng.ExpFloat64()*float64(m)/float64(n)), int(int32(n)-1-u), m-len(us))
		nb = nb[:0]
		for range k {
			nb = append(nb, u+1+rng.Int32N(int32(n)-1-u))
		}
		slices.Sort(nb)
		for i, v := range nb {
			if i == 0 || nb[i-1] != v {
				us = append(us, u)
				vs = append(vs, v)
			}
		}
	}
	edges := func(yield func(u, v int32, w float64, mark bool) bool) error {
		for i := range us {
			if !yield(us[i], vs[i], float64(1+i&3), false) {
				break
			}
		}
		return nil
	}
	deg := make([]int64, n)
	for i := range us {
		deg[us[i]]++
		deg[vs[i]]++
	}
	b.Logf("%d nodes, %d edges", n, len(us))
	for _, name := range []string{"direct", "buckets"} {
		b.Run(name, func(b *testing.B) {
			if name == "direct" {
				defer func(m int64) { fillMin = m }(fillMin)
				fillMin = math.MaxInt64
			}
			cpu := cputime.Seconds()
			for b.Loop() {
				if _, _, err := FromDegrees(slices.Clone(deg), edges); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
		})
	}
}
