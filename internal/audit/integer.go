package audit

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tahqiq/tahqiq/internal/stats"
)

// IntegerOptions are the parameters of the integer-percentage test (A1).
type IntegerOptions struct {
	Rule     stats.Rule
	Weight   string // "stations" (default) or "voters"
	Multiple int64  // 1 (any integer), 5 or 10
	Leader   int    // candidate index
	MCRuns   int    // 0: exact null only
	Seed     uint64
}

// Component is one count of the integer test with its exact null.
type Component struct {
	Observed float64 `json:"observed"`
	Expected float64 `json:"expected"` // exact Poisson-binomial mean
	SD       float64 `json:"sd"`       // exact Poisson-binomial sd
	Excess   float64 `json:"excess"`   // observed - expected
	Z        float64 `json:"z"`
	P        float64 `json:"p_normal"` // one-sided normal approximation
	MCMean   float64 `json:"mc_mean,omitempty"`
	MCSD     float64 `json:"mc_sd,omitempty"`
	MCP999   float64 `json:"mc_p999,omitempty"` // 99.9th percentile of the MC null
	MCP      float64 `json:"mc_p,omitempty"`    // share of MC runs >= observed
}

// IntegerResult is the integer-percentage test (Kobak et al. 2016).
type IntegerResult struct {
	Rule     string          `json:"rule"`
	Weight   string          `json:"weight"`
	Multiple int64           `json:"multiple"`
	Leader   string          `json:"leader"`
	Turnout  string          `json:"turnout_definition"`
	Included int             `json:"stations_included"`
	Excluded int             `json:"stations_excluded"`
	Null     string          `json:"null"`
	MCRuns   int             `json:"mc_runs,omitempty"`
	Seed     uint64          `json:"mc_seed,omitempty"`
	Either   Component       `json:"either"`
	TurnoutC *Component      `json:"turnout,omitempty"`
	Share    Component       `json:"share"`
	ByRegion []RegionInteger `json:"by_region,omitempty"`
	// Hist counts the integer turnouts and shares of included stations by
	// percentage 0..100; NullHist and NullVar are the exact null mean and
	// variance per percentage.
	Hist     []float64 `json:"observed_by_percent"`
	NullHist []float64 `json:"expected_by_percent"`
	NullVar  []float64 `json:"variance_by_percent"`
}

// RegionInteger is the "either" component within one region.
type RegionInteger struct {
	Region  string     `json:"region"`
	N       int        `json:"stations"`
	Either  Component  `json:"either"`
	Turnout *Component `json:"turnout,omitempty"`
	Share   Component  `json:"share"`
}

func finishComp(c *Component) {
	c.Excess = c.Observed - c.Expected
	if c.SD > 0 {
		c.Z = c.Excess / c.SD
		c.P = stats.NormalSF(c.Z)
	}
}

// IntegerTest runs A1 on the station table. Inclusion (Kobak et al.):
// received > 0, registered >= 100, turnout <= 99 %, leader share <= 99 %.
// Turnout = given/registered, share = leader/received. Under the null each
// station's count is Binomial(n, k/n), turnout and share independent; the
// exact null of the count is Poisson-binomial. The optional Monte Carlo
// draws the same per-station indicators (Bernoulli with the exact
// probabilities), seeded, which is the same distribution as redrawing the
// binomials.
func IntegerTest(t *StationTable, turnoutDef string, o IntegerOptions) *IntegerResult {
	if o.Multiple < 1 {
		o.Multiple = 1
	}
	if o.Weight == "" {
		o.Weight = "stations"
	}
	res := &IntegerResult{Rule: o.Rule.String(), Weight: o.Weight, Multiple: o.Multiple, Turnout: turnoutDef,
		Null: "exact Poisson-binomial (each station Binomial(n, k/n), turnout and share independent)"}
	if o.Leader >= 0 && o.Leader < len(t.Candidates) {
		res.Leader = t.Candidates[o.Leader]
	}
	hasTurnout := false
	for _, r := range t.Rows {
		if r.Registered >= 0 && r.Given >= 0 {
			hasTurnout = true
			break
		}
	}
	if !hasTurnout {
		res.Turnout = "unavailable (no registered voters)"
	}
	res.Hist, res.NullHist, res.NullVar = make([]float64, 101), make([]float64, 101), make([]float64, 101)
	byJ := make([]float64, 101)
	addJ := func(w float64) {
		for j, p := range byJ {
			if p != 0 {
				res.NullHist[j] += w * p
				res.NullVar[j] += w * w * p * (1 - p)
				byJ[j] = 0
			}
		}
	}
	var et, es, ee stats.PoissonBinomial
	type ind struct{ pt, ps, w float64 }
	var inds []ind
	type regionAcc struct {
		n            int
		c, ct, cs    Component
		pb, pbt, pbs stats.PoissonBinomial
	}
	regions := map[string]*regionAcc{}
	for _, r := range t.Rows {
		if o.Leader < 0 || o.Leader >= len(r.Votes) || r.Received <= 0 {
			res.Excluded++
			continue
		}
		lead := r.Votes[o.Leader]
		if 100*lead > 99*r.Received {
			res.Excluded++
			continue
		}
		if hasTurnout {
			if r.Registered < 100 || r.Given < 0 || 100*r.Given > 99*r.Registered {
				res.Excluded++
				continue
			}
		}
		res.Included++
		w := 1.0
		if o.Weight == "voters" {
			if r.Registered < 0 {
				w = float64(r.Received)
			} else {
				w = float64(r.Registered)
			}
		}
		var pt, it float64
		if hasTurnout {
			pt = stats.ProbIntegerBy(r.Registered, float64(r.Given)/float64(r.Registered), o.Multiple, o.Rule, byJ)
			addJ(w)
			if stats.IsInteger(r.Given, r.Registered, o.Multiple, o.Rule) {
				it = 1
			}
			et.Add(pt, w)
			if j, ok := stats.NearestInteger(r.Given, r.Registered, o.Rule); ok && it == 1 && j <= 100 {
				res.Hist[j] += w
			}
		}
		ps := stats.ProbIntegerBy(r.Received, float64(lead)/float64(r.Received), o.Multiple, o.Rule, byJ)
		addJ(w)
		is := 0.0
		if stats.IsInteger(lead, r.Received, o.Multiple, o.Rule) {
			is = 1
		}
		if j, ok := stats.NearestInteger(lead, r.Received, o.Rule); ok && is == 1 && j <= 100 {
			res.Hist[j] += w
		}
		es.Add(ps, w)
		pe := 1 - (1-pt)*(1-ps)
		ee.Add(pe, w)
		ie := math.Max(it, is)
		if res.TurnoutC == nil && hasTurnout {
			res.TurnoutC = &Component{}
		}
		if hasTurnout {
			res.TurnoutC.Observed += w * it
		}
		res.Share.Observed += w * is
		res.Either.Observed += w * ie
		inds = append(inds, ind{pt, ps, w})
		rg := regions[r.Region]
		if rg == nil {
			rg = &regionAcc{}
			regions[r.Region] = rg
		}
		rg.n++
		rg.c.Observed += w * ie
		rg.pb.Add(pe, w)
		rg.ct.Observed += w * it
		rg.pbt.Add(pt, w)
		rg.cs.Observed += w * is
		rg.pbs.Add(ps, w)
	}
	if res.TurnoutC != nil {
		res.TurnoutC.Expected, res.TurnoutC.SD = et.Mean, et.SD()
		finishComp(res.TurnoutC)
	}
	res.Share.Expected, res.Share.SD = es.Mean, es.SD()
	finishComp(&res.Share)
	res.Either.Expected, res.Either.SD = ee.Mean, ee.SD()
	finishComp(&res.Either)
	for name, rg := range regions {
		c, cs := rg.c, rg.cs
		c.Expected, c.SD = rg.pb.Mean, rg.pb.SD()
		finishComp(&c)
		cs.Expected, cs.SD = rg.pbs.Mean, rg.pbs.SD()
		finishComp(&cs)
		ri := RegionInteger{Region: name, N: rg.n, Either: c, Share: cs}
		if hasTurnout {
			ct := rg.ct
			ct.Expected, ct.SD = rg.pbt.Mean, rg.pbt.SD()
			finishComp(&ct)
			ri.Turnout = &ct
		}
		res.ByRegion = append(res.ByRegion, ri)
	}
	sort.Slice(res.ByRegion, func(i, j int) bool {
		if res.ByRegion[i].Either.Excess != res.ByRegion[j].Either.Excess {
			return res.ByRegion[i].Either.Excess > res.ByRegion[j].Either.Excess
		}
		return res.ByRegion[i].Region < res.ByRegion[j].Region
	})
	if o.MCRuns > 0 {
		res.MCRuns, res.Seed = o.MCRuns, o.Seed
		rng := rand.New(rand.NewPCG(o.Seed, 0x7461687169710001))
		se, st, ss := make([]float64, o.MCRuns), make([]float64, o.MCRuns), make([]float64, o.MCRuns)
		for run := 0; run < o.MCRuns; run++ {
			for _, x := range inds {
				a := rng.Float64() < x.pt
				b := rng.Float64() < x.ps
				if a {
					st[run] += x.w
				}
				if b {
					ss[run] += x.w
				}
				if a || b {
					se[run] += x.w
				}
			}
		}
		mc(&res.Either, se)
		mc(&res.Share, ss)
		if res.TurnoutC != nil {
			mc(res.TurnoutC, st)
		}
	}
	return res
}

func mc(c *Component, runs []float64) {
	s := append([]float64(nil), runs...)
	sort.Float64s(s)
	m := stats.Describe(s)
	c.MCMean, c.MCSD = m.Mean, m.SD
	c.MCP999 = s[int(math.Ceil(0.999*float64(len(s))))-1]
	ge := 0
	for _, v := range s {
		if v >= c.Observed {
			ge++
		}
	}
	c.MCP = float64(ge) / float64(len(s))
}
