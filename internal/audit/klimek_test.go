package audit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
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
	if testing.Short() {
		t.Skip("heavy: fits of the Klimek model to simulated elections; runs without -short, as CI does")
	}
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

// Widths without a station to estimate them from are undefined: NaN, null
// in JSON, never 0; FitKlimek then does not fit.
func TestKobakHonestUndefined(t *testing.T) {
	// no station below both modes: sigma_tau undefined; none above the
	// share mode: theta undefined
	h := kobakHonest([]float64{0.6, 0.7}, []float64{0.1, 0.2}, 0.5, 0.5)
	if !math.IsNaN(h.SigmaTau) || !math.IsNaN(h.Theta) || math.Abs(h.SigmaNu-math.Sqrt((0.16+0.09)/2)) > 1e-12 {
		t.Errorf("%+v: want sigma_tau and theta NaN, sigma_nu 0.3536", h)
	}
	b, err := json.Marshal(h)
	if err != nil || string(b) != `{"tau":0.5,"nu":0.5,"sigma_tau":null,"sigma_nu":0.3535533905932738,"theta":null}` {
		t.Errorf("json %s (%v)", b, err)
	}
	k := FitKlimek([]float64{0.6, 0.7}, []float64{0.1, 0.2}, h, 100, 1)
	if k.NotFitted == "" || !math.IsNaN(k.Fi) {
		t.Errorf("fit on undefined widths: %+v", k)
	}
	if b, err := json.Marshal(k); err != nil || !strings.Contains(string(b), `"f_i":null`) {
		t.Errorf("json %s (%v)", b, err)
	}
}

// The fit stays in the documented search ranges (f_e 0..0.1, alpha 1..3):
// data simulated with alpha 4 get alpha 3, reported at the bound (the
// refinements used to step past the grid, up to 3.44).
func TestFitKlimekBounds(t *testing.T) {
	h := KlimekHonest{Tau: .55, Nu: .45, SigmaTau: .07, SigmaNu: .08, Theta: .5}
	tt, vv := simulate(10000, h, 0.6, 0.02, 4, 7)
	k := FitKlimek(tt, vv, h, 100, 42)
	if k.Alpha < 1 || k.Alpha > 3 || k.Fe < 0 || k.Fe > 0.1 || k.Fi < 0 || k.Fi > 1 {
		t.Errorf("fit %.4f %.4f %.4f outside f_i 0..1, f_e 0..0.1, alpha 1..3", k.Fi, k.Fe, k.Alpha)
	}
	if k.Alpha == 3 && !slices.Contains(k.AtBound, "alpha") {
		t.Errorf("alpha at 3 but at_bound %v", k.AtBound)
	}
	t.Logf("planted alpha 4: fitted f_i %.4f f_e %.4f alpha %.4f, at bound %v", k.Fi, k.Fe, k.Alpha, k.AtBound)
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
