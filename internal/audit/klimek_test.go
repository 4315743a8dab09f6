package audit

import (
	"math"
	"math/rand/v2"
	"testing"
)

// simulate draws n stations of Klimek's model with its own seed.
func simulate(n int, h KlimekHonest, fi, fe, alpha float64, seed uint64) (t, v []float64) {
	s := newKlimekSim(n, h, 100, seed)
	for i := range n {
		g, sh := s.station(i, fi, fe, alpha)
		t, v = append(t, g), append(v, sh)
	}
	return t, v
}

// TestFitKlimekRecovers plants fraud parameters in simulated stations
// (one seed) and fits them with another seed.
func TestFitKlimekRecovers(t *testing.T) {
	h := KlimekHonest{Tau: .55, Nu: .45, SigmaTau: .07, SigmaNu: .08, Theta: .5}
	for _, tc := range []struct{ fi, fe, alpha float64 }{
		{0, 0, 1},
		{0.3, 0.02, 2},
		{0.6, 0.04, 1.5},
	} {
		tt, vv := simulate(60000, h, tc.fi, tc.fe, tc.alpha, 7)
		k := FitKlimek(tt, vv, h, 100, 42)
		if math.Abs(k.Fi-tc.fi) > 0.05 || math.Abs(k.Fe-tc.fe) > 0.01 {
			t.Errorf("planted f_i %.2f f_e %.3f alpha %.1f: fitted %.4f %.4f %.3f", tc.fi, tc.fe, tc.alpha, k.Fi, k.Fe, k.Alpha)
		}
		if tc.fi >= 0.3 && math.Abs(k.Alpha-tc.alpha) > 0.5 {
			t.Errorf("planted alpha %.1f: fitted %.3f", tc.alpha, k.Alpha)
		}
		if tc.fi > 0 && k.Distance >= k.Null {
			t.Errorf("the fit (%.0f) is no better than the honest model (%.0f)", k.Distance, k.Null)
		}
	}
}

func TestKobakHonestWidths(t *testing.T) {
	// hand-computable: two stations below both modes at -0.1 and -0.3,
	// shares -0.2 and -0.4 below nu, one above by 0.16.
	tt := []float64{0.4, 0.2, 0.9}
	vv := []float64{0.3, 0.1, 0.66}
	h := kobakHonest(tt, vv, 0.5, 0.5)
	if want := math.Sqrt((0.01 + 0.09) / 2); math.Abs(h.SigmaTau-want) > 1e-12 {
		t.Errorf("sigma_tau %v, want %v", h.SigmaTau, want)
	}
	if want := math.Sqrt((0.04 + 0.16) / 2); math.Abs(h.SigmaNu-want) > 1e-12 {
		t.Errorf("sigma_nu %v, want %v", h.SigmaNu, want)
	}
	if want := math.Sqrt(0.16); math.Abs(h.Theta-want) > 1e-12 {
		t.Errorf("theta %v, want %v (sqrt of the RMS 0.16)", h.Theta, want)
	}
}

func TestTruncNormalInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		if x := truncNormal(r, 0, 0.5); x < 0 || x > 1 {
			t.Fatalf("draw %v outside [0, 1]", x)
		}
	}
}

func BenchmarkFitKlimek(b *testing.B) {
	h := KlimekHonest{Tau: .55, Nu: .45, SigmaTau: .07, SigmaNu: .08, Theta: .5}
	tt, vv := simulate(100000, h, 0.3, 0.02, 2, 7)
	b.ReportAllocs()
	for b.Loop() {
		FitKlimek(tt, vv, h, 100, 42)
	}
}
