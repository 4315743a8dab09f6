package coord

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortedQuantile is Quantile as it was, by a sort: the reference.
func sortedQuantile(xs []float64, p float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// TestQuantileSelectEqualsSort: the quantile found by selection is the
// sort's, to the bit, for weights that repeat (counts), that do not
// (collab, TF-IDF), one value, sorted and reversed inputs, at every
// probability the runs use and at the ends.
func TestQuantileSelectEqualsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := map[string][]float64{"one": {3}, "two": {2, 1}, "same": {5, 5, 5, 5, 5, 5, 5}}
	for _, n := range []int{3, 10, 101, 5000} {
		counts, reals, asc := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range counts {
			counts[i] = float64(1 + rng.IntN(4)*rng.IntN(3))
			reals[i] = rng.Float64() * 10
			asc[i] = float64(i / 3)
		}
		desc := slices.Clone(asc)
		slices.Reverse(desc)
		inputs["counts"+string(rune('a'+len(inputs)))] = counts
		inputs["reals"+string(rune('a'+len(inputs)))] = reals
		inputs["asc"+string(rune('a'+len(inputs)))] = asc
		inputs["desc"+string(rune('a'+len(inputs)))] = desc
	}
	for name, xs := range inputs {
		for _, p := range []float64{0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999999} {
			want := sortedQuantile(xs, p)
			if got := Quantile(slices.Clone(xs), p); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("%s (%d) at %v: %v, want %v", name, len(xs), p, got, want)
			}
		}
	}
}

// FuzzQuantile: selection and sort agree on any weights.
func FuzzQuantile(f *testing.F) {
	f.Add([]byte{1, 2, 2, 3, 9, 0, 4}, uint16(32768))
	f.Fuzz(func(t *testing.T, b []byte, q uint16) {
		if len(b) == 0 {
			return
		}
		xs := make([]float64, len(b))
		for i, x := range b {
			xs[i] = float64(x % 17)
		}
		p := float64(q) / 65536
		want := sortedQuantile(xs, p)
		if got := Quantile(slices.Clone(xs), p); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%v at %v: %v, want %v", xs, p, got, want)
		}
	})
}
