package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/stats"
)

// ErrNothingToAnalyse is in the chain of RunForensics' error when the input
// has no polling-station forms to analyse (errors.Is); the error is also an
// EINVALID *tahqiq.Error with the message for the user.
var ErrNothingToAnalyse = errors.New("nothing to analyse")

type nothingError struct{ e *tahqiq.Error }

func (n nothingError) Error() string   { return n.e.Error() }
func (n nothingError) Unwrap() []error { return []error{n.e, ErrNothingToAnalyse} }

// nothingToAnalyse says which forms imp has instead of station forms of
// formType.
func nothingToAnalyse(imp *Import, formType string) error {
	st, ct := map[string]int{}, map[string]int{}
	for _, f := range imp.Election.Forms {
		if f.Station != "" {
			st[f.Type]++
		} else {
			ct[f.Type]++
		}
	}
	var have []string
	for _, k := range sortedKeys(st) {
		have = append(have, fmt.Sprintf("%s (%d stations)", k, st[k]))
	}
	for _, k := range sortedKeys(ct) {
		have = append(have, fmt.Sprintf("%s without a station (%d)", k, ct[k]))
	}
	what := "polling-station forms"
	if formType != "" {
		what += " of type " + formType
	}
	msg := fmt.Sprintf("%s (map %s) has no %s to analyse; its forms: %s. The station-level forensics need one form per polling station",
		filepath.Base(imp.File), imp.Map, what, strings.Join(have, ", "))
	if len(st) > 0 {
		msg += " (choose the form type with --form)"
	} else {
		msg += "; tahqiq audit check runs the checks on these forms"
	}
	return nothingError{tahqiq.Errorf(tahqiq.EINVALID, "%s", msg)}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DigitCaveat is printed with every digit test (elections.md §1, A4/A5).
const DigitCaveat = "Digit tests (Mebane 2BL, Beber-Scacco last digit) are descriptive screens, not fraud tests: " +
	"they are unreliable as fraud signals (Deckert, Myagkov & Ordeshook 2011; Mebane 2013 on Russia); 2BL rejects in " +
	"every Russian election and its size does not track the integer anomaly (2018 chi2 612 / integer z 14.6, 2020 chi2 25 / z 31)."

// ForensicsOptions are the parameters of a forensics run.
type ForensicsOptions struct {
	FormType string // station form type; the map's default when empty
	Turnout  string // TurnoutIssued (default) or TurnoutBoxes
	Leader   string // candidate name; the overall winner when empty
	Rule     stats.Rule
	Weight   string
	Multiple int64
	MCRuns   int
	Seed     uint64
	Bins     int // fingerprint bins per axis (default 100)
	// MinRegistered leaves stations with fewer registered voters out of the
	// fingerprint, the shape statistics and the Klimek fit, as Klimek et
	// al. (2012) did; 0 means 100, 1 keeps every station with voters.
	MinRegistered int64
	// KlimekFit also fits Klimek et al.'s fraud model (f_i, f_e, alpha) to
	// the fingerprint, seeded by Seed (a few seconds per 100,000 stations).
	KlimekFit bool
}

// Forensics is every statistic of one run (written as forensics.json).
type Forensics struct {
	Input      InputInfo      `json:"input"`
	Parameters map[string]any `json:"parameters"`
	Stations   int            `json:"stations"`
	// Copies counts further copies of station forms that are not analysed
	// (one copy per station is: the official one, else the first read).
	Copies      int              `json:"copies_not_analysed"`
	Candidates  []string         `json:"candidates"`
	Leader      string           `json:"leader"`
	Totals      map[string]int64 `json:"totals"`
	Integer     *IntegerResult   `json:"integer"`
	Fingerprint *Fingerprint     `json:"fingerprint"`
	Benford2    *DigitTest       `json:"benford_second_digit"`
	LastDigit   *DigitTest       `json:"last_digit"`
	DigitPairs  *PairTest        `json:"last_two_digit_pairs"`
	Shape       *Shape           `json:"shape"`
	Klimek      *KlimekFit       `json:"klimek_fit,omitempty"`
	Outliers    *OutlierSummary  `json:"outliers"`
	Evaluation  []FlagEvaluation `json:"evaluation,omitempty"`
}

// InputInfo identifies the input of a run.
type InputInfo struct {
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	Map     string `json:"map"`
	Rows    int64  `json:"rows"`
	Rejects int    `json:"rejects"`
	Form    string `json:"form_type"`
}

// Fingerprint is the turnout x leader-share 2-D histogram (Klimek et al.
// 2012) with Kobak's KDE estimates of the honest mode.
type Fingerprint struct {
	Bins        int       `json:"bins"`
	Counts      [][]int64 `json:"counts"` // [turnout bin][share bin]; bin = min(floor(x*bins), bins-1)
	N           int       `json:"stations"`
	Corner100   int       `json:"corner_100_100"` // turnout >= 99.5 % and share >= 99.5 %
	ModeTurnout float64   `json:"kde_mode_turnout"`
	ModeShare   float64   `json:"kde_mode_share"`
	BWTurnout   float64   `json:"kde_bandwidth_turnout"`
	BWShare     float64   `json:"kde_bandwidth_share"`
	// Honest is Kobak's estimate of the honest mode and widths around the
	// KDE modes (tau, nu, sigma_tau, sigma_nu, theta).
	Honest KlimekHonest `json:"kobak_honest"`
	// MinRegistered is the station size the histogram, the shape
	// statistics and the Klimek fit start at; Excluded counts the stations
	// with votes below it; Inclusion says so in words.
	MinRegistered int64  `json:"min_registered"`
	Excluded      int    `json:"stations_below_min_registered"`
	Inclusion     string `json:"inclusion"`
	// HeuristicFailed: a KDE mode is at 0.301, the first grid point the
	// heuristic may return, so the heuristic failed and the widths around
	// the modes mean nothing (Russia 2018, 2020, 2024).
	HeuristicFailed bool   `json:"kde_heuristic_failed"`
	Caveat          string `json:"caveat"`
	turnout         []float64
	share           []float64
}

// DigitTest is a chi-square digit screen.
type DigitTest struct {
	stats.ChiSquare
	MinCount int64   `json:"min_count"`
	Counts   string  `json:"counts"`
	Law      string  `json:"law"`
	Mean     float64 `json:"mean_digit"`
	Caveat   string  `json:"caveat"`
}

// PairTest is the Beber-Scacco last-two-digit pair screen.
type PairTest struct {
	N           int64   `json:"n"`
	Counts      string  `json:"counts"`
	MinCount    int64   `json:"min_count"`
	Equal       float64 `json:"share_equal"`       // expected 0.10
	Adjacent    float64 `json:"share_adjacent"`    // expected 0.20 (cyclic)
	NonAdjacent float64 `json:"share_nonadjacent"` // expected 0.70
	ZEqual      float64 `json:"z_equal"`
	ZAdjacent   float64 `json:"z_adjacent"`
	ZNonAdj     float64 `json:"z_nonadjacent"`
	Caveat      string  `json:"caveat"`
}

// Shape holds A7: moments, correlation, Sobyanin-Sukhovolsky, dip.
type Shape struct {
	Turnout        stats.Moments    `json:"turnout"`
	Share          stats.Moments    `json:"leader_share"`
	Regression     stats.Regression `json:"share_on_turnout"`
	SobyaninSlope  float64          `json:"sobyanin_sukhovolsky_slope"`
	SobyaninExcess float64          `json:"sobyanin_sukhovolsky_slope_minus_mean_share"`
	DipTurnout     stats.DipResult  `json:"dip_turnout"`
	DipShare       stats.DipResult  `json:"dip_leader_share"`
	Note           string           `json:"note"`
}

// RunForensics computes every station-level statistic of imp. It refuses
// (ErrNothingToAnalyse) an input without station forms of the type, and a
// leader that matches no candidate or several.
func RunForensics(imp *Import, o ForensicsOptions) (*Forensics, error) {
	if o.Turnout == "" {
		o.Turnout = TurnoutIssued
	}
	if o.Bins <= 0 {
		o.Bins = 100
	}
	minReg := o.MinRegistered
	if minReg <= 0 {
		minReg = DefaultMinRegistered
	}
	t := Stations(imp, o.FormType, o.Turnout)
	if len(t.Rows) == 0 {
		return nil, nothingToAnalyse(imp, t.FormType)
	}
	leader := t.Winner()
	if leader < 0 {
		return nil, nothingError{tahqiq.Errorf(tahqiq.EINVALID, "%s (map %s): the %d station forms of type %s give no candidate votes: nothing to analyse",
			filepath.Base(imp.File), imp.Map, len(t.Rows), t.FormType)}
	}
	if o.Leader != "" {
		name, err := matchCandidate(t.Candidates, o.Leader)
		if err != nil {
			return nil, fmt.Errorf("--leader: %w", err)
		}
		for i, c := range t.Candidates {
			if c == name {
				leader = i
			}
		}
	}
	f := &Forensics{
		Input: InputInfo{File: imp.File, SHA256: imp.SHA256, Map: imp.Map, Rows: imp.Rows, Rejects: len(imp.Rejects), Form: t.FormType},
		Parameters: map[string]any{"turnout": o.Turnout, "rule": o.Rule.String(), "weight": orDefault(o.Weight, "stations"),
			"multiple": max(o.Multiple, 1), "mc_runs": o.MCRuns, "seed": o.Seed, "bins": o.Bins, "leader": o.Leader, "klimek_fit": o.KlimekFit,
			"min_registered": minReg},
		Stations: len(t.Rows), Copies: t.Copies, Candidates: t.Candidates, Totals: map[string]int64{},
	}
	if leader >= 0 {
		f.Leader = t.Candidates[leader]
	}
	for _, r := range t.Rows {
		for i, v := range r.Votes {
			f.Totals[t.Candidates[i]] += v
		}
	}
	f.Integer = IntegerTest(t, o.Turnout, IntegerOptions{Rule: o.Rule, Weight: o.Weight, Multiple: o.Multiple, Leader: leader, MCRuns: o.MCRuns, Seed: o.Seed})
	f.Fingerprint = fingerprint(t, leader, o.Bins, minReg)
	f.Benford2, f.LastDigit, f.DigitPairs = digits(t, leader)
	f.Shape = shape(f.Fingerprint, o.Seed)
	if o.KlimekFit {
		fp := f.Fingerprint
		var k KlimekFit
		if fp.HeuristicFailed {
			k = klimekNotFitted(len(fp.turnout), fp.Honest, o.Bins, o.Seed,
				"Kobak's KDE heuristic failed (a mode at 0.301): the honest part of the model is unknown, so there is nothing to fit")
		} else {
			k = FitKlimek(fp.turnout, fp.share, fp.Honest, o.Bins, o.Seed)
		}
		f.Klimek = &k
	}
	f.Outliers = Outliers(t, leader, imp.BallotCap)
	if imp.Map == "af2014" {
		f.Evaluation = Evaluate(t, f.Outliers)
	}
	return f, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// DefaultMinRegistered is Klimek et al.'s minimum station size: stations
// with fewer registered voters are left out of the fingerprint, the shape
// statistics and the Klimek fit.
const DefaultMinRegistered = 100

func fingerprint(t *StationTable, leader, bins int, minReg int64) *Fingerprint {
	fp := &Fingerprint{Bins: bins, Counts: make([][]int64, bins), MinRegistered: minReg,
		Caveat: "The KDE 'first decrease after 0.3' heuristic and the widths around it are Kobak's (used for Russia 2007, 2011, 2012); the mode heuristic fails for 2018, 2020, 2024 (returns 0.301), and the widths are then meaningless. Klimek's fraud-model fit is computed only on request (klimek_fit)."}
	fp.Inclusion = fmt.Sprintf("histogram, corner, shape statistics and Klimek fit: stations with votes and at least %d registered voters (Klimek et al. 2012 left out stations under 100 voters, as Kobak's code does); KDE modes and Kobak's widths: every station with votes and registered voters, as Kobak computes them", minReg)
	var allT, allS []float64
	for i := range fp.Counts {
		fp.Counts[i] = make([]int64, bins)
	}
	bin := func(x float64) int {
		b := int(math.Floor(x * float64(bins)))
		return min(max(b, 0), bins-1)
	}
	for _, r := range t.Rows {
		if leader < 0 || r.Received <= 0 || r.Registered <= 0 || r.Given < 0 {
			continue
		}
		tu := float64(r.Given) / float64(r.Registered)
		sh := float64(r.Votes[leader]) / float64(r.Received)
		if tu > 1 {
			tu = 1 // counted in the top bin; turnout >= 100 % is an outlier flag
		}
		allT, allS = append(allT, tu), append(allS, sh)
		if r.Registered < minReg {
			fp.Excluded++
			continue
		}
		fp.turnout = append(fp.turnout, tu)
		fp.share = append(fp.share, sh)
		fp.Counts[bin(tu)][bin(sh)]++
		if 200*r.Given >= 199*r.Registered && 200*r.Votes[leader] >= 199*r.Received {
			fp.Corner100++
		}
	}
	fp.N = len(fp.turnout)
	// NaN (null in JSON) when undefined: fewer than two stations, no spread
	fp.ModeTurnout, fp.BWTurnout = stats.KDEMode1D(allT)
	fp.ModeShare, fp.BWShare = stats.KDEMode1D(allS)
	fp.Honest = kobakHonest(allT, allS, fp.ModeTurnout, fp.ModeShare)
	// the grid's first point after 0.3: no decrease found where a mode
	// should be
	fp.HeuristicFailed = fp.ModeTurnout <= 0.3015 || fp.ModeShare <= 0.3015
	if fp.HeuristicFailed {
		fp.Caveat = fmt.Sprintf("Here the KDE heuristic failed (mode turnout %.3f, share %.3f: 0.301 is where it stops when it finds no decrease after 0.3), so the honest mode and the widths around it mean nothing, and no Klimek fit is attempted on them. ", fp.ModeTurnout, fp.ModeShare) + fp.Caveat
	}
	return fp
}

// MarshalJSON writes undefined (NaN) modes and bandwidths as null.
func (fp *Fingerprint) MarshalJSON() ([]byte, error) {
	type plain Fingerprint
	return json.Marshal(struct {
		*plain
		ModeTurnout *float64 `json:"kde_mode_turnout"`
		ModeShare   *float64 `json:"kde_mode_share"`
		BWTurnout   *float64 `json:"kde_bandwidth_turnout"`
		BWShare     *float64 `json:"kde_bandwidth_share"`
	}{(*plain)(fp), finite(fp.ModeTurnout), finite(fp.ModeShare), finite(fp.BWTurnout), finite(fp.BWShare)})
}

// finite is &x, or nil (null in JSON) for NaN and infinities.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// digits runs A4 and A5 on the leader's vote counts >= 10 (the counts on
// which elections.md's reference values were computed: 2018 2BL chi2 612,
// 2020 25, 2016 last-digit p 0.78).
func digits(t *StationTable, leader int) (*DigitTest, *DigitTest, *PairTest) {
	var second, last [10]int64
	var pairs, eq, adj int64
	var sum2, sumL float64
	for _, r := range t.Rows {
		for i, v := range r.Votes {
			if i != leader || v < 10 {
				continue
			}
			s := strconv.FormatInt(v, 10)
			d2 := int(s[1] - '0')
			second[d2]++
			sum2 += float64(d2)
			dl := int(s[len(s)-1] - '0')
			last[dl]++
			sumL += float64(dl)
			d1 := int(s[len(s)-2] - '0')
			pairs++
			switch diff := (d1 - dl + 10) % 10; {
			case diff == 0:
				eq++
			case diff == 1 || diff == 9:
				adj++
			}
		}
	}
	b := &DigitTest{ChiSquare: stats.ChiSquareTest(second[:], stats.Benford2()), MinCount: 10, Counts: "leader's votes per station", Law: "Benford second digit (Mebane 2BL)", Caveat: DigitCaveat}
	uni := make([]float64, 10)
	for i := range uni {
		uni[i] = 0.1
	}
	l := &DigitTest{ChiSquare: stats.ChiSquareTest(last[:], uni), MinCount: 10, Counts: "leader's votes per station", Law: "uniform last digit (Beber & Scacco 2012)", Caveat: DigitCaveat}
	if b.N > 0 {
		b.Mean = sum2 / float64(b.N)
		l.Mean = sumL / float64(l.N)
	}
	p := &PairTest{N: pairs, MinCount: 10, Caveat: DigitCaveat}
	if pairs > 0 {
		n := float64(pairs)
		p.Equal, p.Adjacent = float64(eq)/n, float64(adj)/n
		p.NonAdjacent = 1 - p.Equal - p.Adjacent
		z := func(obs, exp float64) float64 { return (obs - exp) / math.Sqrt(exp*(1-exp)/n) }
		p.ZEqual, p.ZAdjacent, p.ZNonAdj = z(p.Equal, 0.1), z(p.Adjacent, 0.2), z(p.NonAdjacent, 0.7)
	}
	return b, l, p
}

// dipRuns is the number of uniform samples behind a dip test's p-value.
const dipRuns = 100

func shape(fp *Fingerprint, seed uint64) *Shape {
	s := &Shape{Turnout: stats.Describe(fp.turnout), Share: stats.Describe(fp.share), Regression: stats.Regress(fp.turnout, fp.share),
		Note:       "station-weighted, on the fingerprint's stations (votes, and at least min_registered voters); turnout = given/registered capped at 1, share = leader/received; Sobyanin-Sukhovolsky = OLS slope of share on turnout (and minus the mean share, as in EFToolkit); dip = Hartigan's dip of turnout and of share, p-value from 100 seeded uniform samples (of the same size up to 5,000, beyond that at 5,000 on the sqrt(n) scale; p = (1 + runs at least as large) / 101, so 0.0099 is the smallest); EFToolkit's bootstrap intervals are not computed",
		DipTurnout: stats.DipTest(fp.turnout, dipRuns, seed), DipShare: stats.DipTest(fp.share, dipRuns, seed+1)}
	s.SobyaninSlope = s.Regression.Slope
	s.SobyaninExcess = s.Regression.Slope - s.Regression.MeanY
	return s
}

// OutlierSummary counts the station outlier flags.
type OutlierSummary struct {
	Rules    map[string]string `json:"rules"`
	Counts   map[string]int    `json:"counts"`
	Stations int               `json:"stations"`
	flagged  map[string][]bool
}

// Outlier rule ids.
const (
	OTurnout100  = "O1-turnout-ge-100"
	OAboveReg    = "O2-votes-above-registered"
	OBallotCap   = "O3-ballot-cap"
	OCandidate95 = "O4-candidate-ge-95"
)

// Outliers flags turnout >= 100 %, votes above registered, totals at the
// ballot cap, and one candidate with >= 95 % of the valid votes.
func Outliers(t *StationTable, leader int, cap int64) *OutlierSummary {
	o := &OutlierSummary{Stations: len(t.Rows), Counts: map[string]int{}, flagged: map[string][]bool{},
		Rules: map[string]string{
			OTurnout100:  "ballots given >= registered voters",
			OAboveReg:    "valid + invalid > registered voters",
			OBallotCap:   "sum of votes >= ballots supplied per station (" + strconv.FormatInt(cap, 10) + "; 0 = not known)",
			OCandidate95: "one candidate >= 95 % of the sum of candidate votes (stations with votes)",
		}}
	for _, k := range []string{OTurnout100, OAboveReg, OBallotCap, OCandidate95} {
		o.flagged[k] = make([]bool, len(t.Rows))
		o.Counts[k] = 0
	}
	for i, r := range t.Rows {
		var sum, top int64
		for _, v := range r.Votes {
			sum += v
			top = max(top, v)
		}
		set := func(k string) { o.flagged[k][i] = true; o.Counts[k]++ }
		if r.Registered > 0 && r.Given >= r.Registered {
			set(OTurnout100)
		}
		if r.Registered >= 0 && r.Received > r.Registered {
			set(OAboveReg)
		}
		if cap > 0 && sum >= cap {
			set(OBallotCap)
		}
		if sum > 0 && 100*top >= 95*sum {
			set(OCandidate95)
		}
	}
	return o
}

// Flagged reports whether station row i carries outlier rule k.
func (o *OutlierSummary) Flagged(k string, i int) bool { return o.flagged[k][i] }

// FlagEvaluation is one flag's rate among stations by audit status.
type FlagEvaluation struct {
	Rule     string            `json:"rule"`
	ByStatus map[string][2]int `json:"by_status"` // status -> [flagged, stations]
	Note     string            `json:"note"`
}

// Evaluate compares each outlier flag's rate by audit status (Afghanistan
// 2014: Invalidated vs Validated vs Recounted).
func Evaluate(t *StationTable, o *OutlierSummary) []FlagEvaluation {
	var keys []string
	for k := range o.flagged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []FlagEvaluation
	for _, k := range keys {
		e := FlagEvaluation{Rule: k, ByStatus: map[string][2]int{}, Note: "counts from the " + t.FormType + " tallies of all stations"}
		for i, r := range t.Rows {
			c := e.ByStatus[r.Form.Status]
			c[1]++
			if o.flagged[k][i] {
				c[0]++
			}
			e.ByStatus[r.Form.Status] = c
		}
		out = append(out, e)
	}
	return out
}
