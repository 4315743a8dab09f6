package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
)

// The outcome of a contest (P7-P9, A8-A10): its bodies of evidence, the
// recount rule in force, the winner each body gives, and the forms' timing.

// The recount rules of P8 (EvidenceSet.RecountRule).
const (
	RecountAct2017 = "Elections Act 2017 s.95(5): margin under 5 % of the votes polled or under 8,000 (NA) / 4,000 (PA) votes, whichever is less (as reported; verify against the Act)"
	RecountAssumed = "Elections Act 2017 s.95(5), assumed: the contest's polling day is not in the input (Forms 45-49 are the Act's forms)"
	RecountNone    = "none: the contest was held before the Elections Act 2017 came into force (2 October 2017); its s.95(5) threshold does not apply and no earlier threshold is checked"
)

// Act2017InForce is the day the Elections Act 2017 came into force (assent
// and publication, 2 October 2017).
const Act2017InForce = "2017-10-02"

// RecountRule is the recount rule for a contest polled on date (YYYY-MM-DD
// or "" when unknown).
func RecountRule(date string) string {
	switch {
	case date == "":
		return RecountAssumed
	case date < Act2017InForce:
		return RecountNone
	}
	return RecountAct2017
}

// ProvisionalSum is the A9 summary of one contest: totals of the
// provisional and final tallies, the final excluding invalidated units.
type ProvisionalSum struct {
	Contest              string           `json:"contest"`
	Provisional          map[string]int64 `json:"provisional"`
	Final                map[string]int64 `json:"final_all_units"`
	FinalValid           map[string]int64 `json:"final_excluding_invalidated"`
	Added, Dropped       int              `json:"-"`
	Changed, Invalidated int              `json:"-"`
	Units                map[string]int   `json:"units"`
}

// EvidenceSet is one contest result from one body of evidence.
type EvidenceSet struct {
	Contest  string           `json:"contest"`
	Name     string           `json:"name"` // "form 47 (official)", "sum of form 45 (agent)", ...
	Votes    map[string]int64 `json:"votes"`
	Others   int64            `json:"other_votes,omitempty"` // votes of the candidates not itemised, together (not a candidate)
	Rejected int64            `json:"rejected"`              // -1 unknown
	Polled   int64            `json:"total_polled"`
	Winner   string           `json:"winner"`
	Runner   string           `json:"runner_up"`
	Margin   int64            `json:"margin"`
	// RecountRule names the recount rule that applies to the contest
	// (Pakistani forms only): RecountAct2017, RecountAssumed or RecountNone.
	RecountRule string                 `json:"recount_rule,omitempty"`
	Forms       []*tahqiq.FormInstance `json:"-"`
	stations    map[string]*tahqiq.FormInstance
}

func newEvidence(contest, name string, forms []*tahqiq.FormInstance, stations map[string]*tahqiq.FormInstance) EvidenceSet {
	e := EvidenceSet{Contest: contest, Name: name, Votes: votesMap(forms...), Rejected: -1, Polled: -1, Forms: forms, stations: stations}
	for _, f := range forms {
		if r, ok := f.Value(tahqiq.KeyRejected, ""); ok {
			if e.Rejected < 0 {
				e.Rejected = 0
			}
			e.Rejected += r
		}
		if o, ok := f.Value(tahqiq.KeyOtherVotes, ""); ok {
			e.Others += o
		}
		if p, ok := f.Value(tahqiq.KeyTotalPolled, ""); ok {
			if e.Polled < 0 {
				e.Polled = 0
			}
			e.Polled += p
		}
	}
	type cv struct {
		c string
		v int64
	}
	var l []cv
	for c, v := range e.Votes {
		l = append(l, cv{c, v})
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].v != l[j].v {
			return l[i].v > l[j].v
		}
		return l[i].c < l[j].c
	})
	if len(l) > 0 {
		e.Winner = l[0].c
		e.Margin = l[0].v
	}
	if len(l) > 1 {
		e.Runner = l[1].c
		e.Margin -= l[1].v
	}
	return e
}

// evidenceSets: every contest-level form instance, and the sums of the
// station forms per type and source.
func evidenceSets(contest string, forms []*tahqiq.FormInstance) []EvidenceSet {
	var out []EvidenceSet
	for _, f := range forms {
		if f.Station == "" && hasVotes(f) {
			out = append(out, newEvidence(contest, fmt.Sprintf("form %s (%s) %s", f.Type, f.Source, f.ID), []*tahqiq.FormInstance{f}, nil))
		}
	}
	type ts struct{ t, s string }
	groups := map[ts]map[string]*tahqiq.FormInstance{}
	var order []ts
	for _, f := range forms {
		if f.Station == "" || !hasVotes(f) {
			continue
		}
		k := ts{f.Type, f.Source}
		if groups[k] == nil {
			groups[k] = map[string]*tahqiq.FormInstance{}
			order = append(order, k)
		}
		if _, dup := groups[k][f.Station]; !dup {
			groups[k][f.Station] = f
		}
	}
	for _, k := range order {
		var fs []*tahqiq.FormInstance
		for _, s := range sortedStations(groups[k]) {
			f := groups[k][s]
			if k.t == tahqiq.FormAFFinal && strings.EqualFold(f.Status, "Invalidated") {
				continue
			}
			fs = append(fs, f)
		}
		out = append(out, newEvidence(contest, fmt.Sprintf("sum of form %s (%s), %d stations", k.t, k.s, len(fs)), fs, groups[k]))
	}
	return out
}

// outcome: A10 / P8 on every evidence set, and winner flips between sets.
func outcome(contest string, ev []EvidenceSet, date string, o CheckOptions, add func(Flag)) {
	for i := range ev {
		e := &ev[i]
		if e.Runner == "" {
			continue
		}
		fs := e.Forms
		if len(fs) > 20 {
			fs = fs[:0:0]
		}
		if e.Rejected >= 0 && e.Rejected > e.Margin {
			add(Flag{Rule: "A10-rejected-gt-margin", Contest: contest, Forms: cites(fs...), Severity: SevWarning,
				Values:  fmt.Sprintf("%s: rejected=%d margin=%d (%s over %s)", e.Name, e.Rejected, e.Margin, e.Winner, e.Runner),
				Message: "more ballots were rejected than the winning margin"})
		}
		pk := false
		for _, f := range e.Forms {
			pk = pk || isPK(f.Type)
		}
		if pk {
			e.RecountRule = RecountRule(date)
		}
		if pk && e.RecountRule != RecountNone {
			polled := e.Polled
			if polled < 0 {
				polled = e.Others
				for _, v := range e.Votes {
					polled += v
				}
				if e.Rejected > 0 {
					polled += e.Rejected
				}
			}
			limit := o.RecountNA
			if !strings.HasPrefix(strings.ToUpper(contestNumber(contest)), "NA") && !strings.EqualFold(formsStatus(e.Forms), "National") {
				limit = o.RecountPA
			}
			pct := int64(o.RecountPct * float64(polled) / 100)
			if pct < limit {
				limit = pct
			}
			if e.Margin < limit {
				add(Flag{Rule: "P8-recount-threshold", Contest: contest, Forms: cites(fs...), Severity: SevWarning,
					Values:  fmt.Sprintf("%s: margin=%d threshold=%d polled=%d", e.Name, e.Margin, limit, polled),
					Message: "margin is under the recount threshold (" + e.RecountRule + ")"})
			}
		}
	}
	for i := 0; i < len(ev); i++ {
		for j := i + 1; j < len(ev); j++ {
			// a tie for first place has no winner to flip
			if ev[i].Winner != "" && ev[j].Winner != "" && ev[i].Margin > 0 && ev[j].Margin > 0 && ev[i].Winner != ev[j].Winner {
				var fs []*tahqiq.FormInstance
				if len(ev[i].Forms) <= 20 {
					fs = append(fs, ev[i].Forms...)
				}
				if len(ev[j].Forms) <= 20 {
					fs = append(fs, ev[j].Forms...)
				}
				add(Flag{Rule: "P8-winner-flip", Contest: contest, Forms: cites(fs...), Severity: SevError,
					Values:  fmt.Sprintf("%s: %s by %d; %s: %s by %d", ev[i].Name, ev[i].Winner, ev[i].Margin, ev[j].Name, ev[j].Winner, ev[j].Margin),
					Message: "the winner differs between evidence sets"})
			}
		}
	}
}

func contestNumber(c string) string {
	f := strings.Fields(c)
	if len(f) == 0 {
		return c
	}
	return f[len(f)-1]
}

func formsStatus(fs []*tahqiq.FormInstance) string {
	for _, f := range fs {
		if f.Status != "" {
			return f.Status
		}
	}
	return ""
}

// timing: P9, Form 47 after 2:00 am the day after polling; publication
// later than PublicationDays after polling.
func timing(imp *Import, contest string, forms []*tahqiq.FormInstance, o CheckOptions, add func(Flag)) {
	if imp.ElectionDate == "" {
		return
	}
	day, err := time.Parse("2006-01-02", imp.ElectionDate)
	if err != nil {
		return
	}
	for _, f := range forms {
		if f.Type == tahqiq.Form47 && f.IssuedAt != "" {
			t, err := time.Parse(time.RFC3339, f.IssuedAt)
			if err != nil {
				continue
			}
			deadline := time.Date(day.Year(), day.Month(), day.Day()+1, 2, 0, 0, 0, t.Location())
			if t.After(deadline) {
				add(Flag{Rule: "P9-form47-late", Contest: contest, Forms: cites(f), Severity: SevWarning,
					Values: fmt.Sprintf("issued_at=%s deadline=%s", f.IssuedAt, deadline.Format(time.RFC3339)), Message: "Form 47 issued after 2:00 am the day after polling"})
			}
		}
		if p := imp.PublishedAt[f.ID]; p != "" {
			t, err := time.Parse(time.RFC3339, p)
			if err != nil {
				continue
			}
			deadline := time.Date(day.Year(), day.Month(), day.Day()+o.PublicationDays+1, 0, 0, 0, 0, t.Location())
			if !t.Before(deadline) {
				add(Flag{Rule: "P9-published-late", Contest: contest, Station: f.Station, Forms: cites(f), Severity: SevWarning,
					Values:  fmt.Sprintf("published_at=%s deadline=%s", p, deadline.Add(-time.Second).Format(time.RFC3339)),
					Message: fmt.Sprintf("form published more than %d days after polling (Sec. 95(10))", o.PublicationDays)})
			}
		}
	}
}
