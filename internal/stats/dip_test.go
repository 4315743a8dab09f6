package stats_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/stats"
)

// normalQuantiles are the points Phi^-1((i-0.5)/n): their empirical
// distribution is within 1/(2n) of the normal law, which is unimodal, so
// their dip is exactly 1/(2n).
func normalQuantiles(n int, mu, sd float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		p := (float64(i) + 0.5) / float64(n)
		x[i] = mu + sd*math.Sqrt2*math.Erfinv(2*p-1)
	}
	return x
}

func TestDipExact(t *testing.T) {
	grid := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i)
		}
		return x
	}
	for _, tc := range []struct {
		name string
		x    []float64
		want float64
	}{
		{"one point", []float64{3}, 0.5},
		{"three points", []float64{1, 5, 6}, 1.0 / 6},
		{"all equal", []float64{2, 2, 2, 2}, 1.0 / 8},
		{"equally spaced 10", grid(10), 1.0 / 20},
		{"equally spaced 1000", grid(1000), 1.0 / 2000},
		{"normal quantiles 500", normalQuantiles(500, 0, 1), 1.0 / 1000},
		{"skewed unimodal (exponential quantiles)", func() []float64 {
			x := make([]float64, 400)
			for i := range x {
				x[i] = -math.Log(1 - (float64(i)+0.5)/400)
			}
			return x
		}(), 1.0 / 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := stats.Dip(tc.x)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("dip = %.6f, want %.6f", got, tc.want)
			}
		})
	}
}

func TestDipBimodal(t *testing.T) {
	// two equal, far-apart normal clusters: close to the maximum 1/4
	x := append(normalQuantiles(500, 0, 1), normalQuantiles(500, 1000, 1)...)
	d, lo, hi := stats.Dip(x)
	if d < 0.24 || d > 0.25 {
		t.Errorf("dip of two separated clusters = %.4f, want just under 1/4", d)
	}
	// the best unimodal law has its mode at one of the clusters
	if !(lo > -5 && hi < 5) && !(lo > 995 && hi < 1005) {
		t.Errorf("modal interval [%.1f, %.1f] should lie in one cluster", lo, hi)
	}
	// overlapping clusters are less bimodal, and unimodal ones least
	near := append(normalQuantiles(500, 0, 1), normalQuantiles(500, 3, 1)...)
	far := append(normalQuantiles(500, 0, 1), normalQuantiles(500, 6, 1)...)
	dn, _, _ := stats.Dip(near)
	df, _, _ := stats.Dip(far)
	if !(1.0/2000 < dn && dn < df && df < d) {
		t.Errorf("dips not ordered by separation: near %.4f far %.4f very far %.4f", dn, df, d)
	}
}

func TestDipInvariances(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 4 + r.IntN(60)
		x := make([]float64, n)
		for i := range x {
			if r.IntN(2) == 0 {
				x[i] = r.NormFloat64()
			} else {
				x[i] = 3 + 0.5*r.NormFloat64()
			}
		}
		d, _, _ := stats.Dip(x)
		mirror := make([]float64, n)
		affine := make([]float64, n)
		for i, v := range x {
			mirror[i] = -v
			affine[i] = 7 + 2.5*v
		}
		slices.Reverse(mirror)
		dm, _, _ := stats.Dip(mirror)
		da, _, _ := stats.Dip(affine)
		if math.Abs(d-dm) > 1e-12 || math.Abs(d-da) > 1e-12 {
			t.Fatalf("trial %d (n %d): dip %.6f, mirrored %.6f, affine %.6f", trial, n, d, dm, da)
		}
		if d < 1/(2*float64(n))-1e-12 || d > 0.25+1e-12 {
			t.Fatalf("trial %d: dip %.6f outside [1/(2n), 1/4]", trial, d)
		}
	}
}

func TestDipTestPValue(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	uni := make([]float64, 300)
	for i := range uni {
		uni[i] = r.Float64()
	}
	if res := stats.DipTest(uni, 200, 1); res.P < 0.05 {
		t.Errorf("a uniform sample is rejected: dip %.4f p %.3f", res.Dip, res.P)
	}
	bi := append(normalQuantiles(150, 0, 1), normalQuantiles(150, 5, 1)...)
	if res := stats.DipTest(bi, 200, 1); res.P > 0.01 {
		t.Errorf("a bimodal sample is not rejected: dip %.4f p %.3f", res.Dip, res.P)
	}
	// beyond 5,000 points the null is simulated at 5,000 on the sqrt(n) scale
	big := make([]float64, 20000)
	for i := range big {
		big[i] = r.Float64()
	}
	if res := stats.DipTest(big, 100, 1); res.NullN != 5000 || res.P < 0.05 {
		t.Errorf("a uniform sample of 20,000 is rejected: %+v", res)
	}
	bigBi := append(normalQuantiles(10000, 0, 1), normalQuantiles(10000, 4, 1)...)
	if res := stats.DipTest(bigBi, 100, 1); res.P != 1.0/101 {
		t.Errorf("a bimodal sample of 20,000 is not rejected: %+v", res)
	}
	a, b := stats.DipTest(bi, 50, 9), stats.DipTest(bi, 50, 9)
	if a != b {
		t.Error("the same seed gave different p-values")
	}
}

func BenchmarkDip(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 100000)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	b.ReportAllocs()
	for b.Loop() {
		stats.Dip(x)
	}
}
