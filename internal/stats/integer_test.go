package stats_test

import (
	"math"
	"testing"

	"github.com/tahqiq/tahqiq/internal/stats"
)

// The two rules differ on exact ties: 541 of 2,000 is 27.05 %, which the
// exact rule counts and float64 does not (elections.md §2, A1 definitions).
func TestIntegerRules(t *testing.T) {
	for _, tc := range []struct {
		k, n       int64
		exact, flt bool
	}{
		{541, 2000, true, false},
		{540, 2000, true, true},
		{542, 2000, false, false},
		{1, 3, false, false},
		{100, 100, true, true},
		{0, 150, true, true},
	} {
		if got := stats.IsInteger(tc.k, tc.n, 1, stats.Exact); got != tc.exact {
			t.Errorf("exact %d/%d = %v", tc.k, tc.n, got)
		}
		if got := stats.IsInteger(tc.k, tc.n, 1, stats.Float); got != tc.flt {
			t.Errorf("float %d/%d = %v", tc.k, tc.n, got)
		}
	}
	if stats.IsInteger(541, 2000, 5, stats.Exact) || !stats.IsInteger(500, 2000, 5, stats.Exact) {
		t.Error("multiple of 5")
	}
}

// ProbInteger against a brute-force sum over every k.
func TestProbInteger(t *testing.T) {
	for _, n := range []int64{100, 137, 2000, 3001} {
		for _, p := range []float64{0.05, 0.3, 0.61, 0.97} {
			for _, mult := range []int64{1, 5} {
				for _, rule := range []stats.Rule{stats.Exact, stats.Float} {
					var want float64
					for k := int64(0); k <= n; k++ {
						if stats.IsInteger(k, n, mult, rule) {
							lg := func(x float64) float64 { v, _ := math.Lgamma(x); return v }
							want += math.Exp(lg(float64(n)+1) - lg(float64(k)+1) - lg(float64(n-k)+1) +
								float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
						}
					}
					got := stats.ProbInteger(n, p, mult, rule)
					if math.Abs(got-want) > 1e-9*math.Max(want, 1e-3) {
						t.Errorf("n=%d p=%v mult=%d %v: %v want %v", n, p, mult, rule, got, want)
					}
				}
			}
		}
	}
}

func BenchmarkProbInteger(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		stats.ProbInteger(2000, 0.6, 1, stats.Exact)
	}
}
