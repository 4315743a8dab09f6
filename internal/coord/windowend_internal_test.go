package coord

import (
	"math/rand/v2"
	"testing"
)

// TestWindowEnd checks the window rule against its definition, row by
// row, for every window kind, whatever earlier end it is given to start
// from (the sweeps carry one from row to row).
func TestWindowEnd(t *testing.T) {
	inWindow := map[string]func(t0, ti, tj, w int64) bool{
		Sliding:     func(t0, ti, tj, w int64) bool { return tj-ti <= w },
		FastReshare: func(t0, ti, tj, w int64) bool { return tj-ti <= w },
		Tumbling:    func(t0, ti, tj, w int64) bool { return (tj-t0)/w == (ti-t0)/w },
		FromFirst:   func(t0, ti, tj, w int64) bool { return tj-t0 <= w },
	}
	rng := rand.New(rand.NewPCG(1, 18))
	for trial := range 200 {
		n := 1 + rng.IntN(40)
		in := &interned{rows: make([]row, n+2)}
		// rows 1 to n+1 are the object's, sorted by time, with ties;
		// rows 0 and n+1 are other objects' (never looked at)
		tt := uint32(rng.IntN(1000))
		for k := 1; k <= n; k++ {
			tt += uint32(rng.IntN(40))
			in.rows[k].t = tt
		}
		in.rows[0].t, in.rows[n+1].t = 0, 0
		lo, hi := int32(1), int32(n+1)
		t0 := int64(in.rows[lo].t)
		w := int64(1 + rng.IntN(90))
		if trial%10 == 0 {
			w = 1
		}
		for kind, ok := range inWindow {
			prev := lo
			for i := lo; i < hi; i++ {
				want := i + 1
				for want < hi && ok(t0, int64(in.rows[i].t), int64(in.rows[want].t), w) {
					want++
				}
				if got := in.windowEnd(kind, t0, i, prev, hi, w); got != want {
					t.Fatalf("trial %d %s w=%d row %d from %d: end %d, want %d", trial, kind, w, i, prev, got, want)
				}
				if got := in.windowEnd(kind, t0, i, lo, hi, w); got != want {
					t.Fatalf("trial %d %s w=%d row %d from %d: end %d, want %d", trial, kind, w, i, lo, got, want)
				}
				prev = want
			}
		}
	}
}
