package coord

import (
	"math"
	"slices"
)

// weightSet holds the weights of a run's kept edges for the percentile
// threshold (Quantile) and the count above it, as counts of distinct
// values while there are few of them (the pairs, messages and objects
// weights are whole numbers: a few hundred values for 85M edges at 10M
// synthetic posts, where a []float64 of them was 680 MB), and as the
// list of values once there are more (collab, TF-IDF). Both give
// Quantile's result to the bit (TestWeightSetEqualsQuantile).
type weightSet struct {
	counts map[float64]int64
	listed bool // the values are in list, not counts
	list   []float64
	n      int64
}

// maxDistinctWeights is how many distinct values the counts hold before
// the set keeps the list instead.
const maxDistinctWeights = 1 << 16

func (s *weightSet) add(w float64) {
	s.n++
	if !s.listed {
		if s.counts == nil {
			s.counts = map[float64]int64{}
		}
		if _, ok := s.counts[w]; ok || len(s.counts) < maxDistinctWeights && !math.IsNaN(w) {
			s.counts[w]++
			return
		}
		// too many values, or one that is no map key: the list (in
		// any order: Quantile selects)
		s.toList(s.n)
	}
	s.list = append(s.list, w)
}

// toList makes s keep its values in the list (room for n of them).
func (s *weightSet) toList(n int64) {
	if s.listed {
		return
	}
	s.listed = true
	s.list = make([]float64, 0, n)
	for v, k := range s.counts {
		for range k {
			s.list = append(s.list, v)
		}
	}
	s.counts = nil
}

// merge adds t's weights to s's (the sets of the parts of a run weighed
// on goroutines of their own): the set of every weight, whichever part
// held it, so the quantile and the count above it are those of one set.
func (s *weightSet) merge(t *weightSet) {
	if t.n == 0 {
		return
	}
	if !s.listed && !t.listed {
		if s.counts == nil {
			s.counts = map[float64]int64{}
		}
		for v, k := range t.counts {
			s.counts[v] += k
		}
		s.n += t.n
		if len(s.counts) > maxDistinctWeights {
			s.toList(s.n)
		}
		return
	}
	s.toList(s.n + t.n)
	s.n += t.n
	if t.listed {
		s.list = append(s.list, t.list...)
		return
	}
	for v, k := range t.counts {
		for range k {
			s.list = append(s.list, v)
		}
	}
}

// quantile is Quantile of the weights at probability p (n > 0).
func (s *weightSet) quantile(p float64) float64 {
	if s.listed {
		return Quantile(s.list, p)
	}
	vals := make([]float64, 0, len(s.counts))
	for v := range s.counts {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	// the values at ranks lo and lo+1 of the sorted weights
	h := float64(s.n-1) * p
	lo := int64(math.Floor(h))
	if lo+1 >= s.n {
		return vals[len(vals)-1]
	}
	var below int64
	at := func(rank int64) float64 {
		below = 0
		for _, v := range vals {
			if below += s.counts[v]; rank < below {
				return v
			}
		}
		return vals[len(vals)-1]
	}
	x, next := at(lo), at(lo+1)
	return x + (h-float64(lo))*(next-x)
}

// above returns how many weights are greater than t.
func (s *weightSet) above(t float64) int64 {
	var n int64
	if s.listed {
		for _, w := range s.list {
			if w > t {
				n++
			}
		}
		return n
	}
	for v, k := range s.counts {
		if v > t {
			n += k
		}
	}
	return n
}
