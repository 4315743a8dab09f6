package audit

import (
	"fmt"

	"github.com/tahqiq/tahqiq"
)

// Severities of a flag.
const (
	SevError   = "error"   // an identity fails or the outcome is in doubt
	SevWarning = "warning" // implausible, needs a look
	SevInfo    = "info"    // a documented difference (explained delta, audit label)
)

// Flag is one finding, citing the form instances that prove it.
type Flag struct {
	Rule     string   `json:"rule"`
	Contest  string   `json:"contest"`
	Station  string   `json:"station,omitempty"`
	Forms    []string `json:"forms"` // "id (type, source, file sha256[:12] page N line L)"
	Values   string   `json:"values"`
	Severity string   `json:"severity"`
	Message  string   `json:"message"`
}

// CheckOptions are the parameters of the checks.
type CheckOptions struct {
	RecountPct      float64 // Sec. 95(5): margin < this % of votes polled (default 5)
	RecountNA       int64   // ... or < this many votes, whichever is less (default 8000)
	RecountPA       int64   // (default 4000)
	TurnoutWarnPct  int64   // default 90
	PublicationDays int     // Sec. 95(10), default 14
}

func (o *CheckOptions) defaults() {
	if o.RecountPct == 0 {
		o.RecountPct = 5
	}
	if o.RecountNA == 0 {
		o.RecountNA = 8000
	}
	if o.RecountPA == 0 {
		o.RecountPA = 4000
	}
	if o.TurnoutWarnPct == 0 {
		o.TurnoutWarnPct = 90
	}
	if o.PublicationDays == 0 {
		o.PublicationDays = 14
	}
}

// Cite names a form instance with its provenance.
func Cite(f *tahqiq.FormInstance) string {
	h := f.SHA256
	if len(h) > 12 {
		h = h[:12]
	}
	s := fmt.Sprintf("%s (form %s, %s, %s sha256:%s", f.ID, f.Type, f.Source, f.File, h)
	if f.Page > 0 {
		s += fmt.Sprintf(" page %d", f.Page)
	}
	return s + fmt.Sprintf(" line %d)", f.Line)
}

func cites(fs ...*tahqiq.FormInstance) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = Cite(f)
	}
	return out
}

// CheckResult is the outcome of Check.
type CheckResult struct {
	Flags       []Flag           `json:"-"`
	Counts      map[string]int   `json:"flags_by_rule"`
	Forms       int              `json:"forms_checked"`
	Provisional []ProvisionalSum `json:"provisional_vs_final,omitempty"`
	Evidence    []EvidenceSet    `json:"evidence_sets,omitempty"`
	// RecountRules counts the contests with Pakistani forms by the recount
	// rule that applies to them.
	RecountRules map[string]int `json:"recount_rules,omitempty"`
}

// Check runs every reconciliation check (elections.md §3 P1-P9, A8-A10).
func Check(imp *Import, o CheckOptions) *CheckResult {
	o.defaults()
	res := &CheckResult{Counts: map[string]int{}, Forms: len(imp.Election.Forms)}
	add := func(fl Flag) {
		res.Flags = append(res.Flags, fl)
		res.Counts[fl.Rule]++
	}
	dates := map[string]string{}
	for _, c := range imp.Election.Contests {
		dates[c.ID] = c.Date
	}
	byContest := map[string][]*tahqiq.FormInstance{}
	var contests []string
	for _, f := range imp.Election.Forms {
		if _, ok := byContest[f.Contest]; !ok {
			contests = append(contests, f.Contest)
		}
		byContest[f.Contest] = append(byContest[f.Contest], f)
	}
	for _, c := range contests {
		forms := byContest[c]
		reg28 := map[string]*tahqiq.FormInstance{}
		for _, f := range forms {
			if f.Type == tahqiq.Form28 && f.Station != "" {
				reg28[f.Station] = f
			}
		}
		for _, f := range forms {
			withinForm(f, reg28[f.Station], o, add)
		}
		copies(c, forms, add)
		consolidation(c, forms, add)
		res.Provisional = append(res.Provisional, provisional(c, forms, add)...)
		ev := evidenceSets(c, forms)
		outcome(c, ev, dates[c], o, add)
		for _, e := range ev {
			if e.RecountRule != "" {
				if res.RecountRules == nil {
					res.RecountRules = map[string]int{}
				}
				res.RecountRules[e.RecountRule]++
				break
			}
		}
		res.Evidence = append(res.Evidence, ev...)
		timing(imp, c, forms, o, add)
	}
	return res
}
