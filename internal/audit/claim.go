package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Claim is "in contest C, X's margin over Y was inflated by at least N"
// (elections.md §3 P10), about the official result.
type Claim struct {
	Contest string `json:"contest"`
	X       string `json:"x"`
	Y       string `json:"y"`
	N       int64  `json:"n"`
}

// ClaimResult is the verdict of a claim against every evidence set.
type ClaimResult struct {
	Claim     Claim      `json:"claim"`
	X, Y      string     `json:"-"`
	Reference string     `json:"reference"` // the official evidence set
	RefMargin int64      `json:"reference_margin"`
	Sets      []ClaimSet `json:"evidence_sets"`
	Verdict   string     `json:"verdict"`
}

// ClaimSet is one evidence set's margin and swing against the reference.
type ClaimSet struct {
	Name     string `json:"name"`
	Margin   int64  `json:"margin_x_over_y"`
	Swing    int64  `json:"swing"` // reference margin - this margin
	Supports bool   `json:"supports_claim"`
	// Evidence is false for a party's claimed figures (source party_claim):
	// they are what is to be tested, not evidence, and the verdict does not
	// count them.
	Evidence bool           `json:"counts_as_evidence"`
	Stations []StationSwing `json:"stations,omitempty"`
	Note     string         `json:"note,omitempty"`
}

// StationSwing is one station's share of a swing.
type StationSwing struct {
	Station string   `json:"station"`
	Forms   []string `json:"forms"`
	Ref     int64    `json:"reference_margin"`
	Other   int64    `json:"other_margin"`
	Swing   int64    `json:"swing"`
}

// matchCandidate finds q among cands: the exact label, else the code that
// starts a label ("c05" for "c05 Putin ..."), else the one label that
// contains q, ignoring case. Several or none is an error naming them.
func matchCandidate(cands []string, q string) (string, error) {
	for _, c := range cands {
		if c == q {
			return c, nil
		}
	}
	for _, c := range cands {
		if code, _, ok := strings.Cut(c, " "); ok && strings.EqualFold(code, q) {
			return c, nil
		}
	}
	var hits []string
	for _, c := range cands {
		if strings.Contains(strings.ToLower(c), strings.ToLower(q)) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	if len(hits) == 0 {
		return "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no candidate matches %q (candidates: %s)", q, strings.Join(cands, "; "))
	}
	return "", tahqiq.Errorf(tahqiq.EINVALID, "%q matches several candidates: %s", q, strings.Join(hits, "; "))
}

// TestClaim tests cl against every evidence set of its contest.
func TestClaim(imp *Import, cl Claim) (*ClaimResult, error) {
	var forms []*tahqiq.FormInstance
	var contests []string
	for _, f := range imp.Election.Forms {
		if f.Contest == cl.Contest {
			forms = append(forms, f)
		}
	}
	if len(forms) == 0 {
		for _, c := range imp.Election.Contests {
			if strings.EqualFold(contestNumber(c.ID), cl.Contest) {
				contests = append(contests, c.ID)
			}
		}
		if len(contests) != 1 {
			return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "contest %q not found (or ambiguous: %v)", cl.Contest, contests)
		}
		cl.Contest = contests[0]
		for _, f := range imp.Election.Forms {
			if f.Contest == cl.Contest {
				forms = append(forms, f)
			}
		}
	}
	var cands []string
	for _, c := range imp.Election.Contests {
		if c.ID == cl.Contest {
			cands = c.Candidates
		}
	}
	x, err := matchCandidate(cands, cl.X)
	if err != nil {
		return nil, err
	}
	y, err := matchCandidate(cands, cl.Y)
	if err != nil {
		return nil, err
	}
	ev := evidenceSets(cl.Contest, forms)
	if len(ev) == 0 {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "contest %s has no vote counts", cl.Contest)
	}
	ref := -1
	rank := func(e EvidenceSet) int {
		if len(e.Forms) == 0 || e.Forms[0].Source != tahqiq.SourceOfficial {
			return 0
		}
		switch {
		case e.stations == nil && e.Forms[0].Type == tahqiq.Form49:
			return 5
		case e.stations == nil && e.Forms[0].Type == tahqiq.Form47:
			return 4
		case e.Forms[0].Type == tahqiq.Form48:
			return 3
		}
		return 2
	}
	for i := range ev {
		if ref < 0 || rank(ev[i]) > rank(ev[ref]) {
			ref = i
		}
	}
	r := &ClaimResult{Claim: cl, X: x, Y: y, Reference: ev[ref].Name}
	r.RefMargin = ev[ref].Votes[x] - ev[ref].Votes[y]
	// station forms of the reference side: the reference's own, else the
	// official Form 48 or 45 rows
	refSt := ev[ref].stations
	if refSt == nil {
		refSt = stationForms(forms, tahqiq.Form48, tahqiq.SourceOfficial)
		if len(refSt) == 0 {
			refSt = stationForms(forms, tahqiq.Form45, tahqiq.SourceOfficial)
		}
	}
	supported, formSets, claims, claimsSupport := 0, 0, 0, 0
	for i, e := range ev {
		if i == ref {
			continue
		}
		cs := ClaimSet{Name: e.Name, Margin: e.Votes[x] - e.Votes[y], Evidence: !partyClaim(e)}
		cs.Swing = r.RefMargin - cs.Margin
		cs.Supports = cs.Swing >= cl.N
		switch {
		case cs.Evidence:
			formSets++
			if cs.Supports {
				supported++
			}
		default:
			claims++
			if cs.Supports {
				claimsSupport++
			}
		}
		if e.stations != nil && len(refSt) > 0 {
			for _, s := range sortedStations(e.stations) {
				o := e.stations[s]
				vo := votesMap(o)
				ss := StationSwing{Station: s, Other: vo[x] - vo[y], Forms: cites(o)}
				if rf, ok := refSt[s]; ok {
					vr := votesMap(rf)
					ss.Ref = vr[x] - vr[y]
					ss.Forms = cites(rf, o)
				}
				ss.Swing = ss.Ref - ss.Other
				if ss.Swing != 0 {
					cs.Stations = append(cs.Stations, ss)
				}
			}
			for s, rf := range refSt {
				if _, ok := e.stations[s]; !ok {
					vr := votesMap(rf)
					if m := vr[x] - vr[y]; m != 0 {
						cs.Stations = append(cs.Stations, StationSwing{Station: s, Forms: cites(rf), Ref: m, Swing: m})
					}
				}
			}
			sort.Slice(cs.Stations, func(i, j int) bool {
				a, b := abs64(cs.Stations[i].Swing), abs64(cs.Stations[j].Swing)
				if a != b {
					return a > b
				}
				return stationLess(cs.Stations[i].Station, cs.Stations[j].Station)
			})
		} else {
			cs.Note = "no station-level forms on both sides: the stations carrying the swing cannot be named"
		}
		if !cs.Evidence {
			cs.Note = strings.TrimPrefix(cs.Note+"; a party's claimed figures: what is to be tested, not evidence, so not counted in the verdict", "; ")
		}
		r.Sets = append(r.Sets, cs)
	}
	r.Verdict = claimVerdict(supported, formSets, claims, claimsSupport)
	return r, nil
}

// partyClaim reports whether an evidence set is a party's claimed figures.
func partyClaim(e EvidenceSet) bool {
	for _, f := range e.Forms {
		if f.Source != tahqiq.SourcePartyClaim {
			return false
		}
	}
	return len(e.Forms) > 0
}

// claimVerdict words the verdict from the evidence sets of forms (supported
// of forms) and the party claims beside them, which never count.
func claimVerdict(supported, forms, claims, claimsSupport int) string {
	plural := func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	agree := func() string {
		switch claimsSupport {
		case 0:
			return "none of them supports it"
		case claims:
			if claims == 1 {
				return "which supports it"
			}
			return "all of which support it"
		}
		return fmt.Sprintf("%d of which support it", claimsSupport)
	}
	if forms == 0 {
		if claims == 0 {
			return "untested: the reference is the only evidence set"
		}
		return fmt.Sprintf("untested: the only other evidence is a party's own claim (%s, %s), which is not evidence; official, agent, observer or snapshot copies of the forms are needed",
			plural(claims, "set", "sets"), agree())
	}
	var v string
	switch {
	case supported == forms:
		v = fmt.Sprintf("supported by every other evidence set of forms (%d)", forms)
	case supported > 0:
		v = fmt.Sprintf("supported by %d of %d other evidence sets of forms", supported, forms)
	default:
		v = fmt.Sprintf("not supported by any other evidence set of forms (%d)", forms)
	}
	if claims > 0 {
		v += fmt.Sprintf(" (not counted: %s, %s)", plural(claims, "party claim", "party claims"), agree())
	}
	return v
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
