// Package stats holds the statistics of the election forensics: the
// integer-percentage test with its exact Poisson-binomial null (Kobak,
// Shpilkin & Pshenichnikov 2016), distribution moments, correlation and
// regression, chi-square tails, digit laws, kernel density modes and the dip
// test. It knows nothing of elections or files: numbers in, numbers out.
package stats

import (
	"math"
)

// Rule decides whether a percentage 100k/n is "integer".
type Rule int

const (
	// Exact: r = (100k) mod n; integer iff 20*min(r, n-r) <= n, so exactly
	// within +-0.05 percentage points of an integer, ties included.
	Exact Rule = iota
	// Float is the authors' float64 rule: p := float64(100k)/float64(n);
	// |p - RoundToEven(p)| <= 0.05. It differs from Exact only on exact
	// ties (k=541, n=2000 gives 0.05000000000000071: not integer).
	Float
)

func (r Rule) String() string {
	if r == Float {
		return "float"
	}
	return "exact"
}

// NearestInteger reports whether 100k/n is integer under rule (within 0.05
// percentage points) and which integer percentage j it is near.
func NearestInteger(k, n int64, rule Rule) (int64, bool) {
	if n <= 0 {
		return 0, false
	}
	if rule == Float {
		p := float64(100*k) / float64(n)
		j := math.RoundToEven(p)
		return int64(j), math.Abs(p-j) <= 0.05
	}
	q, r := (100*k)/n, (100*k)%n
	if r <= n-r {
		return q, 20*r <= n
	}
	return q + 1, 20*(n-r) <= n
}

// IsInteger reports whether 100k/n is within 0.05 pp of an integer
// multiple of mult (mult 1: any integer; 5 or 10: coarser round numbers).
func IsInteger(k, n int64, mult int64, rule Rule) bool {
	j, ok := NearestInteger(k, n, rule)
	if !ok {
		return false
	}
	return mult <= 1 || j%mult == 0
}

// ProbInteger is P(100K/n is integer under rule, a multiple of mult) for K ~
// Binomial(n, p): the exact sum of binomial probabilities over the +-0.05 pp
// windows around each integer, taken where the binomial has mass (12 sd).
func ProbInteger(n int64, p float64, mult int64, rule Rule) float64 {
	return ProbIntegerBy(n, p, mult, rule, nil)
}

// ProbIntegerBy is ProbInteger that also adds the probability of each
// integer percentage j into byJ[j] (when byJ has 101 entries).
func ProbIntegerBy(n int64, p float64, mult int64, rule Rule, byJ []float64) float64 {
	if n <= 0 {
		return 0
	}
	if p <= 0 || p >= 1 {
		k := int64(0)
		if p >= 1 {
			k = n
		}
		if j, ok := NearestInteger(k, n, rule); ok && (mult <= 1 || j%mult == 0) {
			if len(byJ) > int(j) {
				byJ[j]++
			}
			return 1
		}
		return 0
	}
	if mult < 1 {
		mult = 1
	}
	nf := float64(n)
	mean := nf * p
	sd := math.Sqrt(nf * p * (1 - p))
	klo := int64(math.Floor(mean - 12*sd - 2))
	khi := int64(math.Ceil(mean + 12*sd + 2))
	if klo < 0 {
		klo = 0
	}
	if khi > n {
		khi = n
	}
	jlo := (100*klo)/n - 1
	jhi := (100*khi)/n + 1
	if jlo < 0 {
		jlo = 0
	}
	if jhi > 100 {
		jhi = 100
	}
	jlo = (jlo + mult - 1) / mult * mult
	lp, lq := math.Log(p), math.Log1p(-p)
	lgn, _ := math.Lgamma(nf + 1)
	ratio := p / (1 - p)
	var total float64
	for j := jlo; j <= jhi; j += mult {
		// candidate k: |2000k - 20jn| <= n, widened by one for the float rule
		lo := ceilDiv(20*j*n-n, 2000) - 1
		hi := floorDiv(20*j*n+n, 2000) + 1
		if lo < 0 {
			lo = 0
		}
		if hi > n {
			hi = n
		}
		if lo > hi || hi < klo || lo > khi {
			continue
		}
		var pmf, pj float64
		first := true
		for k := lo; k <= hi; k++ {
			if first {
				a, _ := math.Lgamma(float64(k) + 1)
				b, _ := math.Lgamma(nf - float64(k) + 1)
				pmf = math.Exp(lgn - a - b + float64(k)*lp + (nf-float64(k))*lq)
				first = false
			} else {
				pmf *= float64(n-k+1) / float64(k) * ratio
			}
			if kj, ok := NearestInteger(k, n, rule); ok && kj == j {
				pj += pmf
			}
		}
		total += pj
		if len(byJ) > int(j) {
			byJ[j] += pj
		}
	}
	if total > 1 {
		total = 1
	}
	return total
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// PoissonBinomial accumulates a sum of independent weighted Bernoulli
// indicators: the exact null of a count of integer stations (weight 1) or
// of voters at integer stations (weight = voters).
type PoissonBinomial struct {
	Mean, Var float64
}

// Add adds one indicator with probability p and weight w.
func (s *PoissonBinomial) Add(p, w float64) {
	s.Mean += w * p
	s.Var += w * w * p * (1 - p)
}

// SD is the standard deviation.
func (s PoissonBinomial) SD() float64 { return math.Sqrt(s.Var) }
