package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Dip is Hartigan and Hartigan's (1985) dip statistic of x: the distance
// (sup norm) from the empirical distribution function to the nearest
// unimodal distribution function. It is at least 1/(2n) (reached by
// samples that fit a unimodal law exactly, such as equally spaced points)
// and at most 1/4 (two equal point masses). Lo and Hi are the ends of the
// modal interval found. x need not be sorted; it is not modified.
//
// The computation follows the published algorithm (P. M. Hartigan, AS 217,
// Applied Statistics 34, 1985): alternate the greatest convex minorant of
// the distribution function left of the modal interval and the least
// concave majorant right of it, shrinking the interval while the largest
// distance between the two exceeds the dip found so far.
type DipResult struct {
	Dip    float64 `json:"dip"`
	Lo     float64 `json:"modal_lo"`
	Hi     float64 `json:"modal_hi"`
	N      int     `json:"n"`
	P      float64 `json:"p"`       // Monte Carlo p-value against the uniform law (the least favourable unimodal law)
	Runs   int     `json:"mc_runs"` // uniform samples drawn for P
	NullN  int     `json:"null_n"`  // their size: N, at most 5,000
	Seed   uint64  `json:"mc_seed"`
	Method string  `json:"method"`
}

// Dip computes the dip statistic of x and its modal interval.
func Dip(x []float64) (dip, lo, hi float64) {
	s := slices.Clone(x)
	slices.Sort(s)
	d, l, h := dipSorted(s)
	if len(s) == 0 {
		return d, 0, 0
	}
	return d, s[l], s[h]
}

func dipSorted(x []float64) (float64, int, int) {
	n := len(x)
	if n == 0 {
		return 0, 0, 0
	}
	if n < 2 || x[0] == x[n-1] {
		return 1 / (2 * float64(n)), 0, n - 1
	}
	// mn[j]: the point before j on the greatest convex minorant of the
	// points (x[i], i); mj[k]: the point after k on the least concave
	// majorant.
	mn := make([]int, n)
	for j := 1; j < n; j++ {
		mn[j] = j - 1
		for {
			a := mn[j]
			if a == 0 {
				break
			}
			b := mn[a]
			if (x[j]-x[a])*float64(a-b) < (x[a]-x[b])*float64(j-a) {
				break
			}
			mn[j] = b
		}
	}
	mj := make([]int, n)
	mj[n-1] = n - 1
	for k := n - 2; k >= 0; k-- {
		mj[k] = k + 1
		for {
			a := mj[k]
			if a == n-1 {
				break
			}
			b := mj[a]
			if (x[k]-x[a])*float64(a-b) < (x[a]-x[b])*float64(k-a) {
				break
			}
			mj[k] = b
		}
	}
	gcm := make([]int, 0, n)
	lcm := make([]int, 0, n)
	low, high := 0, n-1
	dip := 1.0 // in units of 1/n, doubled at the end: the least possible dip, 1/(2n)
	for {
		gcm = append(gcm[:0], high)
		for gcm[len(gcm)-1] > low {
			gcm = append(gcm, mn[gcm[len(gcm)-1]])
		}
		lg := len(gcm) - 1
		lcm = append(lcm[:0], low)
		for lcm[len(lcm)-1] < high {
			lcm = append(lcm, mj[lcm[len(lcm)-1]])
		}
		lh := len(lcm) - 1
		// the largest distance between the minorant and the majorant
		ig, ih := lg, lh
		d := 1.0
		if lg != 1 || lh != 1 {
			d = 0
			ix, iv := lg-1, 1
			for {
				gx, lv := gcm[ix], lcm[iv]
				if gx > lv {
					// majorant vertex lv against the minorant segment gcm[ix+1]..gcm[ix]
					g1 := gcm[ix+1]
					dx := float64(lv-g1+1) - (x[lv]-x[g1])*float64(gx-g1)/(x[gx]-x[g1])
					iv++
					if dx >= d {
						d, ig, ih = dx, ix+1, iv-1
					}
				} else {
					// minorant vertex gx against the majorant segment lcm[iv-1]..lcm[iv]
					l1 := lcm[iv-1]
					dx := (x[gx]-x[l1])*float64(lv-l1)/(x[lv]-x[l1]) - float64(gx-l1-1)
					ix--
					if dx >= d {
						d, ig, ih = dx, ix+1, iv
					}
				}
				ix = max(ix, 0)
				iv = min(iv, lh)
				if gcm[ix] == lcm[iv] {
					break
				}
			}
		}
		if d < dip {
			break
		}
		// the dips of the minorant left of the new modal interval and of
		// the majorant right of it
		dl := 0.0
		for j := ig; j < lg; j++ {
			t := 1.0
			jb, je := gcm[j+1], gcm[j]
			if je-jb > 1 && x[je] != x[jb] {
				c := float64(je-jb) / (x[je] - x[jb])
				for k := jb; k <= je; k++ {
					t = max(t, float64(k-jb+1)-(x[k]-x[jb])*c)
				}
			}
			dl = max(dl, t)
		}
		du := 0.0
		for j := ih; j < lh; j++ {
			t := 1.0
			jb, je := lcm[j], lcm[j+1]
			if je-jb > 1 && x[je] != x[jb] {
				c := float64(je-jb) / (x[je] - x[jb])
				for k := jb; k <= je; k++ {
					t = max(t, (x[k]-x[jb])*c-float64(k-jb-1))
				}
			}
			du = max(du, t)
		}
		dip = max(dip, dl, du)
		if low == gcm[ig] && high == lcm[ih] {
			break
		}
		low, high = gcm[ig], lcm[ih]
	}
	return dip / (2 * float64(n)), low, high
}

// dipNullMax is the largest sample size simulated for a dip p-value.
const dipNullMax = 5000

// DipTest is Dip with a Monte Carlo p-value: the share of runs uniform
// samples whose dip is at least x's (the uniform law is the least
// favourable unimodal null, as in Hartigan and Hartigan). Beyond 5,000
// points the null is simulated at 5,000 and compared on the sqrt(n) scale
// (sqrt(n) D_n has a limiting law under the null, the scaling Hartigan's
// tables and R's diptest use beyond their largest n).
func DipTest(x []float64, runs int, seed uint64) DipResult {
	d, lo, hi := Dip(x)
	n := len(x)
	r := DipResult{Dip: d, Lo: lo, Hi: hi, N: n, Runs: runs, Seed: seed, P: 1, NullN: min(n, dipNullMax),
		Method: "Hartigan & Hartigan (1985) dip, algorithm AS 217; p-value: share of seeded uniform samples with a dip at least as large (of size null_n, on the sqrt(n) scale when null_n < n)"}
	if runs <= 0 || n < 4 {
		return r
	}
	m := r.NullN
	scaled := d * math.Sqrt(float64(n)/float64(m))
	rng := rand.New(rand.NewPCG(seed, 0x646970))
	u := make([]float64, m)
	ge := 0
	for range runs {
		for i := range u {
			u[i] = rng.Float64()
		}
		slices.Sort(u)
		if du, _, _ := dipSorted(u); du >= scaled {
			ge++
		}
	}
	r.P = float64(1+ge) / float64(1+runs) // the data counts as one draw of the null: p is never 0
	return r
}
