package layout

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestHeaviestIsStableSort: the heap's pick is the first max links of a
// stable sort by decreasing weight (ties: the earlier link), in link
// order, with many equal weights and max below, at and above the links.
func TestHeaviestIsStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	in := Input{Nodes: 100}
	for range 5000 {
		in.A, in.B, in.W = append(in.A, rng.Int32N(100)), append(in.B, rng.Int32N(100)), append(in.W, float32(1+rng.IntN(7)))
	}
	for _, max := range []int{1, 7, 50, 999, 4999, 5000, 6000} {
		order := make([]int, len(in.A))
		for k := range order {
			order[k] = k
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(in.W[b], in.W[a]) })
		order = order[:min(max, len(order))]
		slices.Sort(order)
		got := in.heaviest(max)
		if len(got) != len(order) {
			t.Fatalf("max %d: %d links, want %d", max, len(got), len(order))
		}
		for i, l := range got {
			k := order[i]
			if l.k != k || l.a != in.A[k] || l.b != in.B[k] || l.w != in.W[k] {
				t.Fatalf("max %d: link %d is %+v, want %d", max, i, l, k)
			}
		}
	}
}

// TestEdgesEqualsSlices: a network given by Edges is laid out as the
// same network given by A, B and W, to the bit.
func TestEdgesEqualsSlices(t *testing.T) {
	in := planted(5, 12, 40, 4, 1, true)
	for _, max := range []int{0, 300} {
		want := Compute(in, Options{Seed: 9, MaxEdges: max})
		it := Input{Nodes: in.Nodes, Group: in.Group, Edges: func(yield func(a, b int32, w float32) bool) {
			for k := range in.A {
				if !yield(in.A[k], in.B[k], in.W[k]) {
					return
				}
			}
		}}
		if got := Compute(it, Options{Seed: 9, MaxEdges: max}); !reflect.DeepEqual(got, want) {
			t.Fatalf("max %d: the layout of Edges differs from that of the slices", max)
		}
	}
}

// TestGroupsDenseEqualsMap: the links between communities summed in the
// table of every pair are those summed in a map (the same floats, the
// same order), with fractional weights, nodes of no community and
// community numbers with gaps; and the layout is the same either way.
func TestGroupsDenseEqualsMap(t *testing.T) {
	in := planted(8, 30, 20, 3, 4, true)
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range in.W {
		in.W[k] = float32(rng.Float64() * 7)
	}
	for u := range in.Group {
		switch {
		case u%17 == 0:
			in.Group[u] = -1
		default:
			in.Group[u] = in.Group[u]*3 + 5 // gaps
		}
	}
	dense := groupsOf(&in, in.Group)
	lay := Compute(in, Options{Seed: 4})
	old := maxDenseGroupPairs
	maxDenseGroupPairs = 0
	defer func() { maxDenseGroupPairs = old }()
	byMap := groupsOf(&in, in.Group)
	if len(dense.ea) < 100 || !reflect.DeepEqual(dense, byMap) {
		t.Fatalf("the table gives %d links between communities, the map %d (or other sums)", len(dense.ea), len(byMap.ea))
	}
	if !reflect.DeepEqual(Compute(in, Options{Seed: 4}), lay) {
		t.Fatalf("the layout differs")
	}
}
