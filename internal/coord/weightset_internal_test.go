package coord

import (
	"maps"
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

// TestWeightSetMerge: weights added to sets of their own (the parts of a
// run weighed on goroutines of their own) and merged give the threshold
// and the count above it of one set of every weight, to the bit: counts
// and counts (within the distinct values the counts hold, and past them),
// counts and a list, a list and counts, empty parts. (No NaN: no
// weight is one, and Quantile's pick among NaNs depends on their order,
// as it did with one set.)
func TestWeightSetMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	whole := func(n int) []float64 {
		ws := make([]float64, n)
		for i := range ws {
			ws[i] = float64(1 + r.IntN(30))
		}
		return ws
	}
	distinct := func(n int) []float64 {
		ws := make([]float64, n)
		for i := range ws {
			ws[i] = r.Float64() * 10
		}
		return ws
	}
	cases := map[string][][]float64{
		"counts and counts":        {whole(5000), whole(7000)},
		"counts past the distinct": {distinct(maxDistinctWeights * 2 / 3), distinct(maxDistinctWeights * 2 / 3)},
		"counts and a list":        {whole(3000), distinct(2 * maxDistinctWeights)},
		"a list and counts":        {distinct(2 * maxDistinctWeights), whole(3000)},
		"empty parts":              {nil, whole(100), nil},
		"three parts":              {whole(10), distinct(100), whole(1)},
		"one weight":               {{4}},
		"lists and lists":          {distinct(2 * maxDistinctWeights), distinct(maxDistinctWeights + 5)},
	}
	for name, parts := range cases {
		var all []float64
		var sets []weightSet
		for _, part := range parts {
			var s weightSet
			for _, w := range part {
				s.add(w)
			}
			sets = append(sets, s)
			all = append(all, part...)
		}
		for _, p := range []float64{0, 0.5, 0.95, 1} {
			var one weightSet
			for _, w := range all {
				one.add(w)
			}
			m := weightSet{}
			for k := range sets {
				c := sets[k]
				c.list = append([]float64(nil), c.list...)
				c.counts = maps.Clone(c.counts)
				m.merge(&c)
			}
			if m.n != int64(len(all)) {
				t.Fatalf("%s: %d weights merged, want %d", name, m.n, len(all))
			}
			want := one.quantile(p)
			got := m.quantile(p)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s at %v: %v, want %v", name, p, got, want)
			}
			if a, b := m.above(got), one.above(want); a != b {
				t.Fatalf("%s at %v: %d above, want %d", name, p, a, b)
			}
		}
	}
}
