package coord

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWeightSetEqualsQuantile: the threshold and the count above it from
// a weightSet are Quantile's and a count over the list, to the bit, for
// whole-number weights (counts), many distinct ones (the list, switched
// to mid-way) and sets of one and two weights, at several probabilities.
func TestWeightSetEqualsQuantile(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sets := map[string][]float64{
		"one":   {3},
		"two":   {5, 2},
		"equal": {1, 1, 1, 1},
	}
	whole := make([]float64, 100000)
	for i := range whole {
		whole[i] = float64(1 + r.IntN(40)*r.IntN(3))
	}
	sets["whole numbers"] = whole
	many := make([]float64, 3*maxDistinctWeights)
	for i := range many {
		if i < len(many)/2 {
			many[i] = float64(1 + r.IntN(5))
		} else {
			many[i] = r.Float64() * 10
		}
	}
	sets["distinct past the counts"] = many
	for name, ws := range sets {
		for _, p := range []float64{0, 0.1, 0.5, 0.95, 0.999, 1} {
			var s weightSet
			for _, w := range ws {
				s.add(w)
			}
			if s.n != int64(len(ws)) {
				t.Fatalf("%s: %d weights, want %d", name, s.n, len(ws))
			}
			if name == "distinct past the counts" != s.listed {
				t.Fatalf("%s: listed %v", name, s.listed)
			}
			want := Quantile(append([]float64(nil), ws...), p)
			got := s.quantile(p)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s at %v: %v, want %v", name, p, got, want)
			}
			var above int64
			for _, w := range ws {
				if w > want {
					above++
				}
			}
			if n := s.above(got); n != above {
				t.Fatalf("%s at %v: %d above, want %d", name, p, n, above)
			}
		}
	}
}
