package coord

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestEdgeFileRoundTrip: every field of every edge, and its per-type
// counts, read back from the edge file as written: edges in (A, B) order
// and not, extreme and negative values, weights that are not counts.
func TestEdgeFileRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const ntypes = 3
	var edges []Edge
	var bts [][]int32
	a := int32(0)
	for i := range 2000 {
		if rng.IntN(3) == 0 {
			a += rng.Int32N(5)
		}
		if i%500 == 499 {
			a = rng.Int32N(1000) // out of order
		}
		first := rng.Int64N(2e9) - 1e9
		e := Edge{A: a, B: a + 1 + rng.Int32N(1<<20), Objects: rng.Int32N(100), bt: int32(i), PostsA: rng.Int32N(1 << 30), PostsB: rng.Int32N(9),
			Pairs: rng.Int64N(1 << 40), SumDt: rng.Int64N(1 << 50), MinDt: rng.Int64N(60), First: first, Last: first + rng.Int64N(1e7),
			Fast: rng.Int64N(3), Weight: rng.Float64() * 1e3}
		bt := []int32{rng.Int32N(10), rng.Int32N(math.MaxInt32), 0}
		switch i {
		case 0:
			e.A, e.B, e.First, e.Last, e.Weight = 0, math.MaxInt32, math.MinInt64/2, math.MaxInt64/2, math.Inf(1)
		case 1:
			e.Weight, e.PostsA, bt[2] = math.Copysign(0, -1), math.MaxInt32, math.MaxInt32
		case 2, 3, 4: // small negatives: one byte each (the decoder's short path), -65 two
			e.MinDt, e.Fast, e.SumDt, e.Last = int64(-i+1), -64, int64(-65+i-2), e.First-int64(i)
		}
		edges, bts = append(edges, e), append(bts, bt)
	}
	ef, err := newEdgeFile(t.TempDir(), ntypes)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.f.Close()
	for i := range edges {
		ef.add(&edges[i], bts[i])
	}
	if err := ef.finish(); err != nil {
		t.Fatal(err)
	}
	if per := float64(ef.bytes) / float64(len(edges)); per > 60 {
		t.Errorf("%.1f bytes an edge", per)
	}
	for pass := range 2 {
		i := 0
		if err := ef.each(func(e *Edge, bt []int32) error {
			want := edges[i]
			got := *e
			got.Weight, want.Weight = 0, 0
			if got != want {
				t.Fatalf("pass %d, edge %d: %+v, want %+v", pass, i, got, want)
			}
			want = edges[i]
			if math.Float64bits(e.Weight) != math.Float64bits(want.Weight) {
				t.Fatalf("pass %d, edge %d: weight %v, want %v", pass, i, e.Weight, want.Weight)
			}
			if !slices.Equal(bt, bts[i]) {
				t.Fatalf("pass %d, edge %d: per-type %v, want %v", pass, i, bt, bts[i])
			}
			i++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if i != len(edges) {
			t.Fatalf("pass %d: %d edges read, want %d", pass, i, len(edges))
		}
	}
}

// TestEdgeFileCut: an edge file cut short is an error naming the edge,
// not a panic or edges made up.
func TestEdgeFileCut(t *testing.T) {
	ef, err := newEdgeFile(t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.f.Close()
	for i := range 10 {
		ef.add(&Edge{A: int32(i), B: int32(i + 1), Pairs: 1 << 40, First: 1.7e9, Last: 1.7e9 + 5, Weight: 2}, []int32{1, 1 << 30})
	}
	if err := ef.finish(); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int64{1, 5, 12} {
		ef := *ef
		ef.bytes -= cut
		n := 0
		err := ef.each(func(*Edge, []int32) error { n++; return nil })
		if err == nil || !strings.Contains(err.Error(), "edge 10 of 10") {
			t.Errorf("cut by %d bytes: %d edges read, error %v; want one naming edge 10 of 10", cut, n, err)
		}
	}
}

// BenchmarkEdgeFileEach is a pass over 1M spilled edges (the weigh,
// graph and table passes of a spilled run each make one).
func BenchmarkEdgeFileEach(b *testing.B) {
	ef, err := newEdgeFile(b.TempDir(), 3)
	if err != nil {
		b.Fatal(err)
	}
	defer ef.f.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	a := int32(0)
	for i := range 1_000_000 {
		if i%20 == 0 {
			a++
		}
		first := 1.7e9 + rng.Int64N(1e7)
		ef.add(&Edge{A: a, B: a + 1 + rng.Int32N(50000), Objects: 1 + rng.Int32N(3), PostsA: 1 + rng.Int32N(3), PostsB: 1 + rng.Int32N(3),
			Pairs: 1 + rng.Int64N(3), SumDt: rng.Int64N(100), MinDt: rng.Int64N(60), First: first, Last: first + rng.Int64N(1e5), Weight: 1}, []int32{1, 0, 2})
	}
	if err := ef.finish(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(ef.bytes)
	for b.Loop() {
		n := 0
		if err := ef.each(func(*Edge, []int32) error { n++; return nil }); err != nil || n != 1_000_000 {
			b.Fatal(n, err)
		}
	}
}

// TestEdgeFileJoinedAhead: edges folded into files of their own and
// joined are read back in order, every field, whether each decodes them
// on the caller's goroutine or blocks ahead on a goroutine a file (blocks
// of 1 to 4,096 edges, 1 to 3 ahead); a file cut short is an error naming
// the edge after the edges before it were given; an fn that stops the
// pass stops it there, and the decoding goroutines end.
func TestEdgeFileJoinedAhead(t *testing.T) {
	defer func(b, a, m int) { eachBlock, eachAhead, eachAheadMin = b, a, m }(eachBlock, eachAhead, eachAheadMin)
	rng := rand.New(rand.NewPCG(7, 8))
	const ntypes = 2
	var edges []Edge
	var bts [][]int32
	for i := range 5000 {
		a := int32(i / 7)
		edges = append(edges, Edge{A: a, B: a + 1 + rng.Int32N(1000), Objects: rng.Int32N(9), bt: int32(i), Pairs: rng.Int64N(1 << 40),
			First: 1.7e9, Last: 1.7e9 + rng.Int64N(100), Weight: rng.Float64()})
		bts = append(bts, []int32{rng.Int32N(5), int32(i)})
	}
	// three files: edges [0, 1000), [1000, 1000) (none), [1000, 5000)
	var files []*edgeFile
	for _, r := range [][2]int{{0, 1000}, {1000, 1000}, {1000, 5000}} {
		ef, err := newEdgeFile(t.TempDir(), ntypes)
		if err != nil {
			t.Fatal(err)
		}
		defer ef.f.Close()
		for i := r[0]; i < r[1]; i++ {
			ef.add(&edges[i], bts[i])
		}
		if err := ef.finish(); err != nil {
			t.Fatal(err)
		}
		files = append(files, ef)
	}
	ef := joinEdgeFiles(files)
	if ef.size() != files[0].bytes+files[1].bytes+files[2].bytes {
		t.Fatalf("size %d", ef.size())
	}
	for _, v := range [][3]int{{4096, 3, 1 << 16}, {1, 1, 1}, {7, 2, 1}, {4096, 3, 1}, {5000, 1, 1}} {
		eachBlock, eachAhead, eachAheadMin = v[0], v[1], v[2]
		i := 0
		if err := ef.each(func(e *Edge, bt []int32) error {
			if *e != edges[i] || !slices.Equal(bt, bts[i]) {
				t.Fatalf("%v: edge %d: %+v %v, want %+v %v", v, i, *e, bt, edges[i], bts[i])
			}
			i++
			return nil
		}); err != nil || i != len(edges) {
			t.Fatalf("%v: %d edges read, %v", v, i, err)
		}
		before := runtime.NumGoroutine()
		stop := errors.New("stop")
		i = 0
		if err := ef.each(func(*Edge, []int32) error {
			if i++; i == 2500 {
				return stop
			}
			return nil
		}); err != stop || i != 2500 {
			t.Fatalf("%v: stopped at %d with %v, want at 2500 with stop", v, i, err)
		}
		for range 100000 {
			if runtime.NumGoroutine() <= before {
				break
			}
			runtime.Gosched()
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("%v: %d goroutines after a stopped pass, %d before", v, n, before)
		}
		cut := *files[2]
		cut.bytes -= 3
		short := joinEdgeFiles([]*edgeFile{files[0], files[1], &cut})
		i = 0
		err := short.each(func(*Edge, []int32) error { i++; return nil })
		if err == nil || !strings.Contains(err.Error(), "edge 4000 of 4000") || i != 4999 {
			t.Fatalf("%v: a file cut short: %d edges read, %v", v, i, err)
		}
		joinEdgeFiles(files)
	}
}
