package natsbus

import (
	"math"
	"testing"
)

// TestKeySketch: the sketch of a map task's account pairs counts the
// distinct keys within a few per cent, whatever the repeats (keys as
// the fold makes them: A in the high half, A < B).
func TestKeySketch(t *testing.T) {
	for _, n := range []int{0, 10, 1000, 20000, 300000, 2000000} {
		var s keySketch
		k := 0
		for a := uint64(0); k < n; a++ {
			for b := a + 1; b < a+200 && k < n; b++ {
				s.add(a<<32 | b)
				if k%3 == 0 {
					s.add(a<<32 | b) // repeats count once
				}
				k++
			}
		}
		e := s.estimate()
		if math.Abs(e-float64(n)) > 0.05*float64(n)+1 {
			t.Errorf("%d keys: estimated %.0f", n, e)
		}
	}
}

// TestSliceSplit: a slice of the account pairs cut in two is the union
// of its halves, which do not overlap; the slices of n cover every key
// once.
func TestSliceSplit(t *testing.T) {
	for _, n := range []uint64{2, 3, 7, 23} {
		for key := uint64(0); key < 5000; key++ {
			k := key*0x10001 + key<<32
			in := 0
			for r := range n {
				s := slice{n, r}
				lo, hi := slice{2 * n, r}, slice{2 * n, r + n}
				if s.has(k) {
					in++
				}
				if s.has(k) != (lo.has(k) || hi.has(k)) || (lo.has(k) && hi.has(k)) {
					t.Fatalf("key %x, slice %v: halves %v %v", k, s.has(k), lo.has(k), hi.has(k))
				}
			}
			if in != 1 {
				t.Fatalf("key %x in %d of %d slices", k, in, n)
			}
		}
	}
	if subPasses(1, 1000) != 1 || subPasses(10000, 1000) != 12 || subPasses(1e12, 1000) != maxSubPasses {
		t.Errorf("subPasses: %d %d %d", subPasses(1, 1000), subPasses(10000, 1000), subPasses(1e12, 1000))
	}
}
