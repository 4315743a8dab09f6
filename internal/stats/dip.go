package stats

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Dip is Hartigan's dip statistic (Hartigan & Hartigan, Ann. Statist.
// 13(1):70-84, 1985) of the sample x: the largest distance between the
// empirical distribution function and the closest unimodal distribution
// function. It lies in [1/(2n), 1/4]; 1/(2n) for equally spaced points.
// x need not be sorted and is not changed. Dip returns NaN for an empty
// sample.
//
// The computation follows the paper's description: on the current modal
// interval [low, high] take the greatest convex minorant (GCM) and the least
// concave majorant (LCM) of the empirical distribution function; find the
// largest vertical distance between them at their touching points; if it
// does not exceed the dip found so far, stop; else add the largest
// deviation of the function from the GCM left of the new interval and from
// the LCM right of it, shrink the interval and repeat. Heights are counted
// in observations (the jump of the function at x_i is 1) and the result is
// divided by 2n at the end. It agrees with R's diptest 0.76-0 to 1e-12
// on 877 reference samples, ties included (testdata/dip_reference.txt).
func Dip(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return DipSorted(s)
}

// DipSorted is Dip for a sample already sorted in increasing order.
func DipSorted(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	if n == 1 || x[0] == x[n-1] {
		return 1 / (2 * float64(n))
	}
	var d dipWork
	d.x = x
	return d.run() / (2 * float64(n))
}

type dipWork struct {
	x        []float64
	gcm, lcm []int // vertex indices, increasing
}

// height of point i (0-based): the empirical distribution function at x_i
// counted in observations.
func height(i int) float64 { return float64(i + 1) }

// hull computes the vertices of the greatest convex minorant (convex = true)
// or least concave majorant of the points (x_i, i+1), i in [lo, hi].
func (d *dipWork) hull(lo, hi int, convex bool, out []int) []int {
	out = out[:0]
	x := d.x
	for i := lo; i <= hi; i++ {
		for len(out) >= 2 {
			a, b := out[len(out)-2], out[len(out)-1]
			// cross product of (b-a) x (i-a); > 0: left turn (convex), < 0: right turn
			cr := (x[b]-x[a])*(height(i)-height(a)) - (height(b)-height(a))*(x[i]-x[a])
			if (convex && cr <= 0) || (!convex && cr >= 0) {
				out = out[:len(out)-1]
				continue
			}
			break
		}
		out = append(out, i)
	}
	return out
}

// at evaluates the piecewise-linear hull with vertices v at x_i, with
// j the index of the segment [v[j], v[j+1]] that holds x_i.
func (d *dipWork) at(v []int, j, i int) float64 {
	a, b := v[j], v[j+1]
	if d.x[b] == d.x[a] {
		return height(b)
	}
	return height(a) + (height(b)-height(a))*(d.x[i]-d.x[a])/(d.x[b]-d.x[a])
}

func (d *dipWork) run() float64 {
	low, high := 0, len(d.x)-1
	dip := 1.0
	for {
		d.gcm = d.hull(low, high, true, d.gcm)
		d.lcm = d.hull(low, high, false, d.lcm)
		if len(d.gcm) < 2 || len(d.lcm) < 2 {
			return dip
		}
		// largest distance between the hulls at their vertices; a GCM vertex
		// g is bracketed by the LCM vertices around it in index order (not in
		// x), so that with tied values the new interval ends at the first
		// LCM vertex after g and always shrinks; likewise for LCM vertices.
		best, newLow, newHigh := 0.0, low, high
		j := 0
		for k, g := range d.gcm {
			for j+2 < len(d.lcm) && d.lcm[j+1] <= g {
				j++
			}
			dist := d.at(d.lcm, j, g) - height(g)
			if dist > best || k == 0 {
				best, newLow, newHigh = dist, g, d.lcm[j+1]
			}
		}
		j = 0
		for _, l := range d.lcm {
			for j+2 < len(d.gcm) && d.gcm[j+1] < l {
				j++
			}
			dist := height(l) - d.at(d.gcm, j, l)
			if dist > best {
				best, newLow, newHigh = dist, d.gcm[j], l
			}
		}
		if best+1 <= dip || (newLow == low && newHigh == high) {
			// no further shrinking: what is left between the hulls is a
			// vertical stack of tied values, a jump at the mode
			return dip
		}
		// deviations of the function from the GCM on [low, newLow] and from
		// the LCM on [newHigh, high]; the jump of 1 at a touching point is
		// the other side of the tube.
		j = 0
		for i := low; i <= newLow; i++ {
			for j+2 < len(d.gcm) && d.x[d.gcm[j+1]] < d.x[i] {
				j++
			}
			dip = max(dip, height(i)-d.at(d.gcm, j, i)+1)
		}
		j = 0
		for i := newHigh; i <= high; i++ {
			for j+2 < len(d.lcm) && d.x[d.lcm[j+1]] < d.x[i] {
				j++
			}
			// the left limit of the function at x_i is height(i)-1
			dip = max(dip, d.at(d.lcm, j, i)-height(i)+1)
		}
		low, high = newLow, newHigh
	}
}

// DipTest is the dip of a sample with a Monte Carlo p-value against the
// uniform distribution (Hartigan & Hartigan 1985: the uniform is the
// least favourable unimodal null).
type DipTest struct {
	N       int     `json:"n"`
	Dip     float64 `json:"dip"`
	P       float64 `json:"p_uniform_mc"` // (1 + #{dip_sim >= dip}) / (1 + runs); 1 without runs
	MCRuns  int     `json:"mc_runs"`
	MCSeed  uint64  `json:"mc_seed"`
	MCMean  float64 `json:"mc_mean"`
	MCP95   float64 `json:"mc_p95"`
	MCP99   float64 `json:"mc_p99"`
	Null    string  `json:"null"`
	Verdict string  `json:"verdict"`
}

// RunDipTest computes the dip of x and its p-value from runs samples of
// size len(x) from the uniform distribution on [0, 1] (DipNull).
func RunDipTest(x []float64, runs int, seed uint64) DipTest {
	return DipTestAgainst(x, DipNull(len(x), runs, seed), seed)
}

// DipNull returns the sorted dips of runs samples of size n from the
// uniform distribution on [0, 1], drawn with a PCG seeded by seed (sorted
// uniform samples are generated directly as normalised cumulative sums of
// exponential spacings). The null depends only on n, runs and seed, so one
// null serves every variable of the same size.
func DipNull(n, runs int, seed uint64) []float64 {
	if n == 0 || runs <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x6469707465737431))
	u := make([]float64, n)
	sims := make([]float64, runs)
	for r := range runs {
		sum := 0.0
		for i := range u {
			sum += rng.ExpFloat64()
			u[i] = sum
		}
		sum += rng.ExpFloat64()
		for i := range u {
			u[i] /= sum
		}
		sims[r] = DipSorted(u)
	}
	sort.Float64s(sims)
	return sims
}

// DipTestAgainst computes the dip of x and its p-value against null (from
// DipNull with len(x) and seed).
func DipTestAgainst(x []float64, null []float64, seed uint64) DipTest {
	n, runs := len(x), len(null)
	if n == 0 {
		return DipTest{P: 1, Verdict: "no data"}
	}
	t := DipTest{N: n, Dip: Dip(x), MCRuns: runs, MCSeed: seed,
		Null: "uniform on [0,1], same n; p = (1 + #{simulated dip >= observed}) / (1 + runs)"}
	if runs == 0 {
		t.P = 1
		t.Verdict = "not tested (no Monte Carlo runs)"
		return t
	}
	ge := 0
	for _, d := range null {
		t.MCMean += d
		if d >= t.Dip {
			ge++
		}
	}
	t.MCMean /= float64(runs)
	t.MCP95 = null[min(runs-1, int(math.Ceil(0.95*float64(runs)))-1)]
	t.MCP99 = null[min(runs-1, int(math.Ceil(0.99*float64(runs)))-1)]
	t.P = float64(1+ge) / float64(1+runs)
	if t.P < 0.05 {
		t.Verdict = "unimodality rejected at 5 %"
	} else {
		t.Verdict = "unimodality not rejected at 5 %"
	}
	return t
}
