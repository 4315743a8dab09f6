package audit

import (
	"encoding/json"
	"math"
	"math/rand/v2"
)

// KlimekHonest is the honest part of Klimek et al.'s (PNAS 2012) model:
// turnout ~ N(Tau, SigmaTau) and leader share ~ N(Nu, SigmaNu), both
// truncated to [0, 1]; Theta is the width of the incremental-fraud
// fraction. Kobak estimates them from the data (kobakHonest).
type KlimekHonest struct {
	Tau      float64 `json:"tau"`
	Nu       float64 `json:"nu"`
	SigmaTau float64 `json:"sigma_tau"`
	SigmaNu  float64 `json:"sigma_nu"`
	Theta    float64 `json:"theta"`
}

// kobakHonest computes Kobak's estimates around the KDE modes tau, nu
// (meduza2018/meduza.ipynb): sigma_tau = RMS of t - tau over stations
// below both modes, sigma_nu = RMS of v - nu over stations below the share
// mode, theta = the square root of the RMS of v - nu above it (the double
// square root is Kobak's, kept so that the published values reproduce).
func kobakHonest(t, v []float64, tau, nu float64) KlimekHonest {
	h := KlimekHonest{Tau: tau, Nu: nu}
	var st, sv, sth float64
	var nt, nv, nth int
	for i := range t {
		dt, dv := t[i]-tau, v[i]-nu
		if dt < 0 && dv < 0 {
			st += dt * dt
			nt++
		}
		if dv < 0 {
			sv += dv * dv
			nv++
		} else if dv > 0 {
			sth += dv * dv
			nth++
		}
	}
	// a width with no station to estimate it from is undefined: NaN, null
	// in JSON (Russia 2018: no station below both modes)
	h.SigmaTau, h.SigmaNu, h.Theta = math.NaN(), math.NaN(), math.NaN()
	if nt > 0 {
		h.SigmaTau = math.Sqrt(st / float64(nt))
	}
	if nv > 0 {
		h.SigmaNu = math.Sqrt(sv / float64(nv))
	}
	if nth > 0 {
		h.Theta = math.Sqrt(math.Sqrt(sth / float64(nth)))
	}
	return h
}

// MarshalJSON writes undefined (NaN) values as null.
func (h KlimekHonest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Tau      *float64 `json:"tau"`
		Nu       *float64 `json:"nu"`
		SigmaTau *float64 `json:"sigma_tau"`
		SigmaNu  *float64 `json:"sigma_nu"`
		Theta    *float64 `json:"theta"`
	}{finite(h.Tau), finite(h.Nu), finite(h.SigmaTau), finite(h.SigmaNu), finite(h.Theta)})
}

// MarshalJSON writes the numbers of a fit that was not made as null.
func (k KlimekFit) MarshalJSON() ([]byte, error) {
	type plain KlimekFit
	return json.Marshal(struct {
		plain
		Fi       *float64 `json:"f_i"`
		Fe       *float64 `json:"f_e"`
		Alpha    *float64 `json:"alpha"`
		Distance *float64 `json:"distance"`
		Null     *float64 `json:"distance_honest"`
	}{plain(k), finite(k.Fi), finite(k.Fe), finite(k.Alpha), finite(k.Distance), finite(k.Null)})
}

// Search ranges of the fit (FitKlimek).
const (
	fitMaxFe    = 0.1
	fitMinAlpha = 1.0
	fitMaxAlpha = 3.0
)

// KlimekFit is the fitted fraud part of the model: with probability Fi a
// station gets incremental fraud (a fraction x ~ |N(0, Theta)| of the
// non-voters is added for the leader and x^Alpha of the others' votes is
// moved to it), with probability Fe extreme fraud (x near 1).
type KlimekFit struct {
	Honest   KlimekHonest `json:"honest"`
	Fi       float64      `json:"f_i"`
	Fe       float64      `json:"f_e"`
	Alpha    float64      `json:"alpha"`
	Distance float64      `json:"distance"`        // of the fitted model's histogram to the data's
	Null     float64      `json:"distance_honest"` // of the honest model (f_i = f_e = 0)
	Stations int          `json:"stations"`
	Bins     int          `json:"bins"`
	Seed     uint64       `json:"seed"`
	Method   string       `json:"method"`
	// AtBound names the parameters fitted at a bound of the search range
	// (f_i 0..1, f_e 0..0.1, alpha 1..3): the best value may lie beyond.
	AtBound []string `json:"at_bound,omitempty"`
	// NotFitted says why there is no fit (the other numbers are then NaN,
	// null in JSON).
	NotFitted string `json:"not_fitted,omitempty"`
	Caveat    string `json:"caveat"`
}

// klimekSim holds the random draws of one simulation, shared by every
// parameter value tried (common random numbers make the distance a smooth
// function of the parameters, so the grid search is not chasing noise).
type klimekSim struct {
	t, v, u, inc, ext []float64
	bins              int
	h                 []float64
}

// truncNormal draws N(mu, sigma) truncated to [0, 1] by rejection.
func truncNormal(r *rand.Rand, mu, sigma float64) float64 {
	if sigma <= 0 {
		return min(max(mu, 0), 1)
	}
	for range 1000 {
		x := mu + sigma*r.NormFloat64()
		if x >= 0 && x <= 1 {
			return x
		}
	}
	return min(max(mu, 0), 1)
}

func newKlimekSim(n int, h KlimekHonest, bins int, seed uint64) *klimekSim {
	r := rand.New(rand.NewPCG(seed, 0x6b6c696d656b))
	s := &klimekSim{bins: bins, h: make([]float64, bins*bins),
		t: make([]float64, n), v: make([]float64, n), u: make([]float64, n), inc: make([]float64, n), ext: make([]float64, n)}
	for i := range n {
		s.t[i] = truncNormal(r, h.Tau, h.SigmaTau)
		s.v[i] = truncNormal(r, h.Nu, h.SigmaNu)
		s.u[i] = r.Float64()
		s.inc[i] = truncNormal(r, 0, h.Theta)
		s.ext[i] = 1 - truncNormal(r, 0, 0.075) // Kobak's width of the extreme-fraud peak
	}
	return s
}

// hist fills the simulated turnout x share histogram for (fi, fe, alpha)
// (the model as Kobak's simulateklimek writes it).
func (s *klimekSim) hist(fi, fe, alpha float64) []float64 {
	clear(s.h)
	bins := float64(s.bins)
	bin := func(x float64) int { return min(max(int(math.Floor(x*bins)), 0), s.bins-1) }
	for i := range s.t {
		given, share := s.station(i, fi, fe, alpha)
		s.h[bin(given)*s.bins+bin(share)]++
	}
	return s.h
}

// station is simulated station i's turnout and leader share.
func (s *klimekSim) station(i int, fi, fe, alpha float64) (given, share float64) {
	t, v := s.t[i], s.v[i]
	var x float64
	switch u := s.u[i]; {
	case u <= fi:
		x = s.inc[i]
	case u <= fi+fe:
		x = s.ext[i]
	}
	leader := t*v + x*(1-t)
	if x > 0 {
		leader += math.Pow(x, alpha) * (1 - v) * t
	}
	given = 1 - (1-x)*(1-t)
	if given > 0 {
		share = leader / given
	}
	return given, share
}

// histDistance is a symmetric chi-square distance between histograms:
// sum of (a-b)^2/(a+b) over bins where either is non-zero.
func histDistance(a, b []float64) float64 {
	var d float64
	for i := range a {
		if s := a[i] + b[i]; s > 0 {
			d += (a[i] - b[i]) * (a[i] - b[i]) / s
		}
	}
	return d
}

// klimekNotFitted is a fit of n stations before fitting: its numbers NaN
// (null in JSON), why not fitted ("" when the fit is to be made).
func klimekNotFitted(n int, honest KlimekHonest, bins int, seed uint64, why string) KlimekFit {
	nan := math.NaN()
	return KlimekFit{Honest: honest, Stations: n, Bins: bins, Seed: seed, NotFitted: why,
		Fi: nan, Fe: nan, Alpha: nan, Distance: nan, Null: nan,
		Method: "grid search minimising sum (sim-obs)^2/(sim+obs) over the turnout x share histogram; f_i 0..1 step .05, f_e 0..0.1 step .01, alpha 1..3 step .5, then 3 refinements halving the steps within the same ranges (at_bound names a parameter fitted at the edge of its range); one seeded simulation of the model (Kobak's simulateklimek) with common random numbers",
		Caveat: "Klimek et al. give no complete fitting procedure (their SI fits by eye against the histograms); this fit follows the model exactly but its numbers are not theirs (paper, Russia 2011: f_i 0.64, f_e 0.033, alpha 2.3; Mebane-Kalinin: f_i 0.121, f_e 0.0032). A good fit says the data look like the model's fraud, not that fraud happened."}
}

// FitKlimek fits f_i, f_e and alpha of Klimek's model to stations'
// turnout t and leader share v, with the honest part given. The fit
// minimises histDistance between the observed bins x bins histogram and
// the simulated one (same number of stations, draws fixed by seed): a grid
// over f_i in [0, 1] by 0.05, f_e in [0, 0.1] by 0.01, alpha in [1, 3] by
// 0.5, then three refinements halving the steps around the best point.
func FitKlimek(t, v []float64, honest KlimekHonest, bins int, seed uint64) KlimekFit {
	if bins <= 0 {
		bins = 100
	}
	fit := klimekNotFitted(len(t), honest, bins, seed, "")
	switch {
	case len(t) == 0:
		fit.NotFitted = "no station to fit"
	case !(honest.SigmaTau > 0) || !(honest.SigmaNu > 0) || !(honest.Theta > 0) || math.IsNaN(honest.Tau) || math.IsNaN(honest.Nu):
		fit.NotFitted = "the honest mode or a width around it is undefined or zero (Kobak's KDE heuristic failed or too few stations): no model to fit"
	}
	if fit.NotFitted != "" {
		return fit
	}
	obs := make([]float64, bins*bins)
	bin := func(x float64) int { return min(max(int(math.Floor(x*float64(bins))), 0), bins-1) }
	for i := range t {
		obs[bin(t[i])*bins+bin(v[i])]++
	}
	sim := newKlimekSim(len(t), honest, bins, seed)
	dist := func(fi, fe, a float64) float64 { return histDistance(sim.hist(fi, fe, a), obs) }
	fit.Null = dist(0, 0, 1)
	best := struct{ fi, fe, a, d float64 }{0, 0, 1, fit.Null}
	try := func(fi, fe, a float64) {
		const eps = 1e-9
		if fi < 0 || fe < 0 || fi+fe > 1+eps || fe > fitMaxFe+eps || a < fitMinAlpha-eps || a > fitMaxAlpha+eps {
			return
		}
		if d := dist(fi, fe, a); d < best.d {
			best.fi, best.fe, best.a, best.d = fi, fe, a, d
		}
	}
	for i := 0; i <= 20; i++ {
		for j := 0; j <= 10; j++ {
			for k := 0; k <= 4; k++ {
				try(float64(i)*0.05, float64(j)*0.01, 1+float64(k)*0.5)
			}
		}
	}
	sfi, sfe, sa := 0.05, 0.01, 0.5
	for range 3 {
		sfi, sfe, sa = sfi/2, sfe/2, sa/2
		c := best
		for _, di := range []float64{-1, 0, 1} {
			for _, dj := range []float64{-1, 0, 1} {
				for _, dk := range []float64{-1, 0, 1} {
					try(c.fi+di*sfi, c.fe+dj*sfe, c.a+dk*sa)
				}
			}
		}
	}
	fit.Fi, fit.Fe, fit.Alpha, fit.Distance = round4(best.fi), round4(best.fe), round4(best.a), best.d
	if fit.Fi >= 1 {
		fit.AtBound = append(fit.AtBound, "f_i")
	}
	if fit.Fe >= fitMaxFe {
		fit.AtBound = append(fit.AtBound, "f_e")
	}
	if fit.Fi+fit.Fe > 0 && (fit.Alpha <= fitMinAlpha || fit.Alpha >= fitMaxAlpha) {
		fit.AtBound = append(fit.AtBound, "alpha")
	}
	return fit
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
