package stats

import (
	"math"
	"sort"
)

// Moments are the sample moments of a variable.
type Moments struct {
	N        int     `json:"n"`
	Mean     float64 `json:"mean"`
	SD       float64 `json:"sd"`       // ddof = 1
	Skewness float64 `json:"skewness"` // g1 = m3 / m2^1.5 (population moments)
	Kurtosis float64 `json:"kurtosis"` // excess kurtosis g2 = m4 / m2^2 - 3
}

// Describe computes the moments of x.
func Describe(x []float64) Moments {
	n := len(x)
	if n == 0 {
		return Moments{}
	}
	var s float64
	for _, v := range x {
		s += v
	}
	mean := s / float64(n)
	var m2, m3, m4 float64
	for _, v := range x {
		d := v - mean
		d2 := d * d
		m2 += d2
		m3 += d2 * d
		m4 += d2 * d2
	}
	out := Moments{N: n, Mean: mean}
	if n > 1 {
		out.SD = math.Sqrt(m2 / float64(n-1))
	}
	m2 /= float64(n)
	m3 /= float64(n)
	m4 /= float64(n)
	if m2 > 0 {
		out.Skewness = m3 / math.Pow(m2, 1.5)
		out.Kurtosis = m4/(m2*m2) - 3
	}
	return out
}

// Regression is the Pearson correlation and the OLS line y = a + b x.
type Regression struct {
	N         int     `json:"n"`
	R         float64 `json:"r"`
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
	MeanY     float64 `json:"mean_y"`
}

// Regress computes the correlation of x and y and the OLS slope of y on x.
func Regress(x, y []float64) Regression {
	n := len(x)
	if n < 2 || len(y) != n {
		return Regression{N: n}
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, syy, sxy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	out := Regression{N: n, MeanY: my}
	if sxx > 0 {
		out.Slope = sxy / sxx
		out.Intercept = my - out.Slope*mx
	}
	if sxx > 0 && syy > 0 {
		out.R = sxy / math.Sqrt(sxx*syy)
	}
	return out
}

// ChiSquareSF is P(X > x) for X ~ chi-square with df degrees of freedom.
func ChiSquareSF(x float64, df int) float64 {
	if x <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, x/2)
}

// gammaQ is the regularised upper incomplete gamma function Q(a, x).
func gammaQ(a, x float64) float64 {
	lga, _ := math.Lgamma(a)
	if x < a+1 {
		// series for P
		sum, term, ap := 1/a, 1/a, a
		for i := 0; i < 10000; i++ {
			ap++
			term *= x / ap
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lga)
	}
	// continued fraction for Q (modified Lentz)
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 10000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lga) * h
}

// NormalSF is P(Z > z) for a standard normal Z.
func NormalSF(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// ChiSquare is Pearson's goodness-of-fit test of counts against expected
// probabilities.
type ChiSquare struct {
	N        int64     `json:"n"`
	Observed []int64   `json:"observed"`
	Expected []float64 `json:"expected_share"`
	Stat     float64   `json:"chi2"`
	DF       int       `json:"df"`
	P        float64   `json:"p"`
}

// ChiSquareTest tests observed counts against probabilities probs.
func ChiSquareTest(obs []int64, probs []float64) ChiSquare {
	var n int64
	for _, o := range obs {
		n += o
	}
	out := ChiSquare{N: n, Observed: obs, Expected: probs, DF: len(obs) - 1}
	if n == 0 {
		out.P = 1
		return out
	}
	for i, o := range obs {
		e := probs[i] * float64(n)
		if e > 0 {
			d := float64(o) - e
			out.Stat += d * d / e
		}
	}
	out.P = ChiSquareSF(out.Stat, out.DF)
	return out
}

// Benford2 returns the second-digit Benford probabilities for 0..9.
func Benford2() []float64 {
	p := make([]float64, 10)
	for d := 0; d < 10; d++ {
		for k := 1; k <= 9; k++ {
			p[d] += math.Log10(1 + 1/float64(10*k+d))
		}
	}
	return p
}

// KDEMode1D is Kobak's "honest mode" heuristic: a Gaussian kernel density
// of x with scipy's default bandwidth (Scott: n^(-1/5) x sample sd, ddof 1)
// on the grid 0:0.001:1, and the first grid point above 0.3 after which the
// density decreases.
func KDEMode1D(x []float64) (mode, bandwidth float64) {
	n := len(x)
	if n < 2 {
		return math.NaN(), 0
	}
	m := Describe(x)
	bw := m.SD * math.Pow(float64(n), -0.2)
	if bw <= 0 {
		return math.NaN(), 0
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	dens := func(g float64) float64 {
		lo := sort.SearchFloat64s(s, g-8*bw)
		hi := sort.SearchFloat64s(s, g+8*bw)
		var d float64
		for _, v := range s[lo:hi] {
			z := (v - g) / bw
			d += math.Exp(-0.5 * z * z)
		}
		return d
	}
	prev := math.NaN()
	for i := 0; i <= 1000; i++ {
		g := float64(i) / 1000
		if g <= 0.3 {
			continue
		}
		d := dens(g)
		if !math.IsNaN(prev) && d < prev {
			return float64(i-1) / 1000, bw
		}
		prev = d
	}
	return 1, bw
}
