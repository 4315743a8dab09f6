package audit

import (
	"math"
	"math/rand/v2"
)

// KlimekCaveat is printed with every Klimek fit.
const KlimekCaveat = "The Klimek et al. (PNAS 2012) fit is a model fit, not a test: f_i and f_e are the mixture weights " +
	"that make the model's turnout x share histogram closest (least squares) to the observed one, given honest-mode " +
	"parameters estimated by Kobak's heuristics. It assumes one honest Gaussian cloud; regional heterogeneity, " +
	"mobilisation that raises turnout and share together, or a wrong honest mode all produce f_i > 0 without fraud. " +
	"The paper's fit procedure is under-specified (elections.md A2); our values are not expected to equal the published ones."

// KlimekHonest are the parameters of the honest cloud of the Klimek model,
// estimated as in Kobak's re-implementation (dkobak/elections,
// meduza2018): tau and nu are the KDE modes ("first decrease after 0.3");
// with t' = turnout - tau and v' = share - nu, sigma_tau =
// sqrt(mean(t'^2 | t' < 0 and v' < 0)), sigma_nu = sqrt(mean(v'^2 | v' <
// 0)), theta = sqrt(sqrt(mean(v'^2 | v' > 0))) (Kobak: "yes, double sqrt").
type KlimekHonest struct {
	Tau      float64 `json:"tau"`
	Nu       float64 `json:"nu"`
	SigmaTau float64 `json:"sigma_tau"`
	SigmaNu  float64 `json:"sigma_nu"`
	Theta    float64 `json:"theta"`
	N        int     `json:"stations"`
}

// HonestMode estimates the honest-cloud parameters from per-station
// turnout and leader share, given the modes tau and nu; nil when a
// conditional mean has no stations (no cloud on one side of the mode).
func HonestMode(turnout, share []float64, tau, nu float64) *KlimekHonest {
	h := KlimekHonest{Tau: tau, Nu: nu, N: len(turnout)}
	var st, sn, sp float64
	var nt, nn, np int
	for i, t := range turnout {
		dt, dv := t-tau, share[i]-nu
		if dt < 0 && dv < 0 {
			st += dt * dt
			nt++
		}
		if dv < 0 {
			sn += dv * dv
			nn++
		}
		if dv > 0 {
			sp += dv * dv
			np++
		}
	}
	if nt == 0 || nn == 0 || np == 0 {
		return nil
	}
	h.SigmaTau = math.Sqrt(st / float64(nt))
	h.SigmaNu = math.Sqrt(sn / float64(nn))
	h.Theta = math.Sqrt(math.Sqrt(sp / float64(np)))
	return &h
}

// KlimekOptions are the parameters of a fit.
type KlimekOptions struct {
	Bins      int       // histogram bins per axis (default 100)
	SimFactor int       // simulated stations per observed station and component (default 4)
	Seed      uint64    // simulation seed
	Alphas    []float64 // grid of alpha (default 0.5, 0.6, ..., 4.0)
	ExtremeSD float64   // sd of 1 - x for extreme fraud (default 0.075, as Kobak)
}

// KlimekFit is the result of a fit of the Klimek et al. (2012) model.
type KlimekFit struct {
	Honest     KlimekHonest `json:"honest"`
	FI         float64      `json:"f_i"`
	FE         float64      `json:"f_e"`
	Alpha      float64      `json:"alpha"`
	AlphaEdge  bool         `json:"alpha_at_grid_edge"` // the best alpha is an end of the grid: alpha is not identified within it
	SSE        float64      `json:"sse"`                // sum of squared differences of the normalised histograms
	SSENull    float64      `json:"sse_null"`           // the same with f_i = f_e = 0
	Stations   int          `json:"stations"`
	Bins       int          `json:"bins"`
	Simulated  int          `json:"simulated_per_component"`
	Seed       uint64       `json:"seed"`
	AlphaGrid  [3]float64   `json:"alpha_grid"` // from, to, step
	ExtremeSD  float64      `json:"extreme_sd"`
	Inclusion  string       `json:"inclusion"`
	Method     string       `json:"method"`
	Caveat     string       `json:"caveat"`
	Comparison string       `json:"published,omitempty"`
}

// klimekDraws are the common random numbers of one fit: honest turnout and
// share, incremental and extreme stuffing fractions.
type klimekDraws struct{ t, v, xi, xe []float64 }

func truncNormal(rng *rand.Rand, mu, sigma, a, b float64) float64 {
	pa := 0.5 * math.Erfc(-(a-mu)/(sigma*math.Sqrt2))
	pb := 0.5 * math.Erfc(-(b-mu)/(sigma*math.Sqrt2))
	p := pa + rng.Float64()*(pb-pa)
	x := mu + sigma*math.Sqrt2*math.Erfinv(2*p-1)
	return min(max(x, a), b)
}

func drawKlimek(m int, h KlimekHonest, extremeSD float64, seed uint64) klimekDraws {
	rng := rand.New(rand.NewPCG(seed, 0x6b6c696d656b3132))
	d := klimekDraws{make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)}
	for i := range m {
		d.t[i] = truncNormal(rng, h.Tau, h.SigmaTau, 0, 1)
		d.v[i] = truncNormal(rng, h.Nu, h.SigmaNu, 0, 1)
		d.xi[i] = truncNormal(rng, 0, h.Theta, 0, 1)
		d.xe[i] = 1 - truncNormal(rng, 0, extremeSD, 0, 1)
	}
	return d
}

// klimekStation applies stuffing fraction x with exponent alpha to a
// station with honest turnout t and share v: a fraction x of the
// non-voters is added for the leader and a fraction x^alpha of the other
// candidates' votes is moved to the leader.
func klimekStation(t, v, x, alpha float64) (float64, float64) {
	leader := t*v + x*(1-t) + math.Pow(x, alpha)*(1-v)*t
	given := 1 - (1-x)*(1-t)
	if given <= 0 {
		return 0, v
	}
	return given, leader / given
}

// SimulateKlimek draws n stations (turnout, share) from the Klimek model
// with fraud probabilities fi (incremental) and fe (extreme).
func SimulateKlimek(n int, h KlimekHonest, fi, fe, alpha float64, seed uint64) (turnout, share []float64) {
	d := drawKlimek(n, h, 0.075, seed)
	rng := rand.New(rand.NewPCG(seed, 0x73696d756c617465))
	turnout, share = make([]float64, n), make([]float64, n)
	for i := range n {
		x := 0.0
		switch u := rng.Float64(); {
		case u < fi:
			x = d.xi[i]
		case u < fi+fe:
			x = d.xe[i]
		}
		turnout[i], share[i] = klimekStation(d.t[i], d.v[i], x, alpha)
	}
	return turnout, share
}

// stuffHist adds the histogram of the stations (t, v) stuffed with
// fractions x (lx = log x) and exponent alpha to out: klimekStation with
// x^alpha computed as exp(alpha log x).
func stuffHist(t, v, x, lx []float64, alpha float64, bins int, w float64, out []float64) {
	fb := float64(bins)
	for i := range t {
		xa := 0.0
		if x[i] > 0 {
			xa = math.Exp(alpha * lx[i])
		}
		leader := t[i]*v[i] + x[i]*(1-t[i]) + xa*(1-v[i])*t[i]
		given := 1 - (1-x[i])*(1-t[i])
		share := v[i]
		if given > 0 {
			share = leader / given
		} else {
			given = 0
		}
		bt := min(max(int(given*fb), 0), bins-1)
		bv := min(max(int(share*fb), 0), bins-1)
		out[bt*bins+bv] += w
	}
}

func hist2(t, v []float64, bins int, w float64, out []float64) {
	bin := func(x float64) int { return min(max(int(math.Floor(x*float64(bins))), 0), bins-1) }
	for i := range t {
		out[bin(t[i])*bins+bin(v[i])] += w
	}
}

// FitKlimek (nil when there are no stations or no honest cloud) fits f_i, f_e and alpha of the Klimek model to the observed
// stations (turnout <= 1). The model histogram is the mixture (1 - f_i -
// f_e) C + f_i I(alpha) + f_e E(alpha) of the simulated component
// histograms (clean, incremental, extreme; common random numbers, seeded);
// for each alpha on the grid, (f_i, f_e) minimise the sum of squared
// differences to the observed normalised histogram subject to f_i, f_e >= 0
// and f_i + f_e <= 1 (closed form); the alpha with the smallest sum wins.
func FitKlimek(turnout, share []float64, h KlimekHonest, o KlimekOptions) *KlimekFit {
	if o.Bins <= 0 {
		o.Bins = 100
	}
	if o.SimFactor <= 0 {
		o.SimFactor = 4
	}
	if o.ExtremeSD <= 0 {
		o.ExtremeSD = 0.075
	}
	if len(o.Alphas) == 0 {
		for a := 5; a <= 40; a++ {
			o.Alphas = append(o.Alphas, float64(a)/10)
		}
	}
	n := len(turnout)
	f := &KlimekFit{Honest: h, Stations: n, Bins: o.Bins, Seed: o.Seed, ExtremeSD: o.ExtremeSD,
		AlphaGrid: [3]float64{o.Alphas[0], o.Alphas[len(o.Alphas)-1], 0},
		Method: "component histograms simulated once (common random numbers); per alpha, constrained least squares for (f_i, f_e) on the normalised " +
			"turnout x share histogram; honest turnout ~ N(tau, sigma_tau) and share ~ N(nu, sigma_nu) truncated to [0,1]; incremental x ~ |N(0, theta)| truncated to [0,1]; " +
			"extreme x = 1 - |N(0, extreme_sd)|; the leader gains x of the non-voters and x^alpha of the others' votes",
		Caveat: KlimekCaveat}
	if len(o.Alphas) > 1 {
		f.AlphaGrid[2] = math.Round((o.Alphas[1]-o.Alphas[0])*1e9) / 1e9
	}
	if n == 0 || !(h.SigmaTau > 0) || !(h.SigmaNu > 0) || !(h.Theta > 0) {
		return nil // no honest cloud to fit around
	}
	m := n * o.SimFactor
	f.Simulated = m
	d := drawKlimek(m, h, o.ExtremeSD, o.Seed)
	B := o.Bins * o.Bins
	obs := make([]float64, B)
	hist2(turnout, share, o.Bins, 1/float64(n), obs)
	clean := make([]float64, B)
	hist2(d.t, d.v, o.Bins, 1/float64(m), clean)
	var r0 float64
	for k := range obs {
		r0 += (obs[k] - clean[k]) * (obs[k] - clean[k])
	}
	f.SSENull = r0
	f.SSE = math.Inf(1)
	inc, ext := make([]float64, B), make([]float64, B)
	lxi, lxe := make([]float64, m), make([]float64, m)
	for i := range m {
		lxi[i], lxe[i] = math.Log(d.xi[i]), math.Log(d.xe[i])
	}
	for _, alpha := range o.Alphas {
		clear(inc)
		clear(ext)
		stuffHist(d.t, d.v, d.xi, lxi, alpha, o.Bins, 1/float64(m), inc)
		stuffHist(d.t, d.v, d.xe, lxe, alpha, o.Bins, 1/float64(m), ext)
		fi, fe, sse := mixLS(obs, clean, inc, ext)
		if sse < f.SSE {
			f.SSE, f.FI, f.FE, f.Alpha = sse, fi, fe, alpha
		}
	}
	f.AlphaEdge = f.Alpha == o.Alphas[0] || f.Alpha == o.Alphas[len(o.Alphas)-1]
	return f
}

// mixLS minimises ||obs - C - a (I - C) - b (E - C)||^2 over a, b >= 0,
// a + b <= 1.
func mixLS(obs, c, inc, ext []float64) (a, b, sse float64) {
	var aa, ab, bb, ar, br, rr float64
	for k := range obs {
		x, y, r := inc[k]-c[k], ext[k]-c[k], obs[k]-c[k]
		aa += x * x
		ab += x * y
		bb += y * y
		ar += x * r
		br += y * r
		rr += r * r
	}
	obj := func(a, b float64) float64 { return rr - 2*a*ar - 2*b*br + a*a*aa + 2*a*b*ab + b*b*bb }
	feasible := func(a, b float64) bool { return a >= 0 && b >= 0 && a+b <= 1+1e-12 }
	best := math.Inf(1)
	try := func(x, y float64) {
		if feasible(x, y) {
			if v := obj(x, y); v < best {
				best, a, b = v, x, y
			}
		}
	}
	if det := aa*bb - ab*ab; det > 0 {
		try((ar*bb-br*ab)/det, (br*aa-ar*ab)/det)
	}
	clamp := func(x float64) float64 { return min(max(x, 0), 1) }
	if aa > 0 {
		try(clamp(ar/aa), 0) // b = 0
	}
	if bb > 0 {
		try(0, clamp(br/bb)) // a = 0
	}
	// a + b = 1: minimise over a with b = 1 - a
	if den := aa - 2*ab + bb; den > 0 {
		x := clamp((ar - br - ab + bb) / den)
		try(x, 1-x)
	}
	try(0, 0)
	return a, b, max(best, 0)
}
