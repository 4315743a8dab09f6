package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

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

func sumVotes(f *tahqiq.FormInstance) int64 {
	var s int64
	for _, it := range f.Items {
		if it.Key == tahqiq.KeyVotes {
			s += it.Value
		}
	}
	return s
}

func isPK(t string) bool {
	switch t {
	case tahqiq.Form28, tahqiq.Form45, tahqiq.Form46, tahqiq.Form47, tahqiq.Form48, tahqiq.Form49:
		return true
	}
	return false
}

// withinForm: P1, P2, P3 (the Form 46 identities) and A8.
func withinForm(f, f28 *tahqiq.FormInstance, o CheckOptions, add func(Flag)) {
	v := func(k string) (int64, bool) { return f.Value(k, "") }
	flag := func(rule, sev, values, msg string, more ...*tahqiq.FormInstance) {
		add(Flag{Rule: rule, Contest: f.Contest, Station: f.Station, Forms: cites(append([]*tahqiq.FormInstance{f}, more...)...),
			Values: values, Severity: sev, Message: msg})
	}
	sum := sumVotes(f)
	if others, ok := v(tahqiq.KeyOtherVotes); ok {
		sum += others // valid = itemised candidates + the others together
	}
	withVotes := hasVotes(f)
	rej, hasRej := v(tahqiq.KeyRejected)
	valid, hasValid := v(tahqiq.KeyValid)
	total, hasTotal := v(tahqiq.KeyTotalPolled)
	p1 := "A8"
	if isPK(f.Type) {
		p1 = "P1"
	}
	if withVotes && hasValid && valid != sum {
		flag(p1+"-valid", SevError, fmt.Sprintf("valid=%d sum_votes=%d", valid, sum), "valid votes differ from the sum of candidate votes")
	}
	if withVotes && hasRej && hasTotal && f.Station != "" && sum+rej != total {
		flag(p1+"-total", SevError, fmt.Sprintf("sum_votes=%d rejected=%d total_polled=%d", sum, rej, total),
			"sum of candidate votes + rejected differs from total votes polled")
	}
	if m, ok := v(tahqiq.KeyMalePolled); ok {
		if fe, ok := v(tahqiq.KeyFemalePolled); ok && hasTotal && m+fe != total {
			flag(p1+"-sex", SevError, fmt.Sprintf("male=%d female=%d total_polled=%d", m, fe, total), "male + female polled differs from total polled")
		}
	}
	boxes, hasBoxes := v(tahqiq.KeyBallotsInBoxes)
	issued, hasIssued := v(tahqiq.KeyBallotsIssued)
	received, hasReceived := v(tahqiq.KeyBallotsReceived)
	unused, hasUnused := v(tahqiq.KeyUnused)
	if f.Type == tahqiq.FormRUUIK {
		if hasBoxes && hasValid && hasRej && boxes != valid+rej {
			flag("A8-boxes", SevError, fmt.Sprintf("in_boxes=%d valid=%d invalid=%d", boxes, valid, rej), "ballots in boxes differ from valid + invalid")
		}
		lost, hl := v(tahqiq.KeyLost)
		unacc, hu := v(tahqiq.KeyUnaccounted)
		if hasReceived && hasIssued && hasUnused && hl && hu && received != issued+unused+lost-unacc {
			flag("A8-received", SevError, fmt.Sprintf("received=%d issued=%d cancelled=%d lost=%d unaccounted=%d", received, issued, unused, lost, unacc),
				"ballots received differ from issued + cancelled + lost - unaccounted")
		}
		if hasBoxes && hasIssued && boxes > issued {
			// impossible without ballots that were never issued, as Form
			// 46's P3-out-gt-issued
			flag("A8-boxes-gt-issued", SevError, fmt.Sprintf("in_boxes=%d issued=%d", boxes, issued), "more ballots in the boxes than were issued")
		}
		if hasReceived && hasIssued && issued > received {
			flag("A8-issued-gt-received", SevError, fmt.Sprintf("issued=%d received=%d", issued, received), "more ballots issued than the station received")
		}
		mob, hasMob := v(tahqiq.KeyBallotsMobile)
		out, hasOut := v(tahqiq.KeyIssuedOutside)
		if hasMob && hasOut && mob > out {
			flag("A8-mobile-gt-outside", SevWarning, fmt.Sprintf("mobile_box=%d issued_outside=%d", mob, out), "more ballots in the mobile boxes than were issued outside the polling room")
		}
		if reg, ok := v(tahqiq.KeyRegistered); ok && reg == 0 {
			flag("A8-registered-zero", SevWarning, fmt.Sprintf("registered=%d issued=%d", reg, issued),
				"no registered voters: turnout is undefined and the station is left out of the turnout forensics")
		}
	}
	if f.Type == tahqiq.Form46 {
		sp, _ := v(tahqiq.KeySpoilt)
		te, hasTe := v(tahqiq.KeyTendered)
		if hasReceived && hasIssued && hasUnused && received != issued+unused+sp && !(hasTe && received == issued+unused+sp+te) {
			flag("P3-account", SevError, fmt.Sprintf("received=%d issued=%d unused=%d spoilt=%d tendered=%d", received, issued, unused, sp, te),
				"ballots received differ from issued + unused + spoilt (+ tendered)")
		}
		if hasBoxes && hasIssued && boxes > issued {
			flag("P3-out-gt-issued", SevError, fmt.Sprintf("taken_out=%d issued=%d", boxes, issued), "more ballots taken out of the boxes than issued")
		}
	}
	// P2 / A8: polled (or issued) vs registered, on station forms and on
	// contest-level results that give the registered voters
	reg, hasReg := v(tahqiq.KeyRegistered)
	var regForm *tahqiq.FormInstance
	if !hasReg && f.Station != "" && f28 != nil && f28 != f {
		reg, hasReg = f28.Value(tahqiq.KeyRegistered, "")
		regForm = f28
	}
	given, hasGiven := issued, hasIssued
	if !hasGiven {
		given, hasGiven = total, hasTotal
	}
	if !hasReg || !hasGiven || f.Type == tahqiq.Form28 || f.Type == tahqiq.Form46 {
		return
	}
	more := []*tahqiq.FormInstance{}
	if regForm != nil {
		more = append(more, regForm)
	}
	rule := "P2"
	if !isPK(f.Type) {
		rule = "A8"
	}
	vals := fmt.Sprintf("polled=%d registered=%d", given, reg)
	switch {
	case given > reg:
		flag(rule+"-above-registered", SevError, vals, "more votes polled than registered voters", more...)
	case reg > 0 && given == reg:
		flag(rule+"-turnout-100", SevWarning, vals, "turnout 100 %", more...)
	case reg > 0 && 100*given >= o.TurnoutWarnPct*reg:
		flag(rule+"-turnout-high", SevWarning, vals, fmt.Sprintf("turnout >= %d %%", o.TurnoutWarnPct), more...)
	}
	if f28 != nil && f28 != f {
		m, okm := f.Value(tahqiq.KeyMalePolled, "")
		rm, okrm := f28.Value(tahqiq.KeyRegisteredMale, "")
		if okm && okrm && m > rm {
			flag("P2-male-above-registered", SevError, fmt.Sprintf("male_polled=%d registered_male=%d", m, rm), "more men polled than registered", f28)
		}
		fe, okf := f.Value(tahqiq.KeyFemalePolled, "")
		rf, okrf := f28.Value(tahqiq.KeyRegisteredFemale, "")
		if okf && okrf && fe > rf {
			flag("P2-female-above-registered", SevError, fmt.Sprintf("female_polled=%d registered_female=%d", fe, rf), "more women polled than registered", f28)
		}
	}
}

// ClassifyDigits names how b differs from a as written numbers: digit
// overwritten (203 -> 803), digit inserted (235 -> 1235), digit dropped
// (767 -> 67), or other.
func ClassifyDigits(a, b int64) string {
	sa, sb := strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
	switch {
	case sa == sb:
		return "equal"
	case len(sa) == len(sb):
		d := 0
		for i := range sa {
			if sa[i] != sb[i] {
				d++
			}
		}
		if d == 1 {
			return "digit-overwritten"
		}
		if d == 2 {
			for i := 0; i+1 < len(sa); i++ {
				if sa[i] == sb[i+1] && sa[i+1] == sb[i] && sa[:i] == sb[:i] && sa[i+2:] == sb[i+2:] {
					return "digits-transposed"
				}
			}
		}
	case len(sb) == len(sa)+1:
		for i := 0; i < len(sb); i++ {
			if sb[:i]+sb[i+1:] == sa {
				return "digit-inserted"
			}
		}
	case len(sa) == len(sb)+1:
		for i := 0; i < len(sa); i++ {
			if sa[:i]+sa[i+1:] == sb {
				return "digit-dropped"
			}
		}
	}
	return "other"
}

// copies: P4, every pair of instances of one form of one station.
func copies(contest string, forms []*tahqiq.FormInstance, add func(Flag)) {
	groups := map[string][]*tahqiq.FormInstance{}
	var keys []string
	for _, f := range forms {
		if f.Station == "" || !isPK(f.Type) {
			continue
		}
		k := f.Station + "\x00" + f.Type
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	for _, k := range keys {
		g := groups[k]
		for i := 0; i < len(g); i++ {
			for j := i + 1; j < len(g); j++ {
				diffCopies(contest, g[i], g[j], add)
			}
		}
	}
}

func diffCopies(contest string, a, b *tahqiq.FormInstance, add func(Flag)) {
	type key struct{ k, c string }
	va, vb := map[key]int64{}, map[key]int64{}
	var order []key
	for _, it := range a.Items {
		va[key{it.Key, it.Candidate}] = it.Value
		order = append(order, key{it.Key, it.Candidate})
	}
	for _, it := range b.Items {
		k := key{it.Key, it.Candidate}
		vb[k] = it.Value
		if _, ok := va[k]; !ok {
			order = append(order, k)
		}
	}
	swapped := map[key]bool{}
	for _, x := range order {
		for _, y := range order {
			if x == y || x.k != tahqiq.KeyVotes || y.k != tahqiq.KeyVotes || swapped[x] || swapped[y] {
				continue
			}
			ax, okax := va[x]
			ay, okay := va[y]
			bx, okbx := vb[x]
			by, okby := vb[y]
			if okax && okay && okbx && okby && ax != ay && ax == by && ay == bx {
				swapped[x], swapped[y] = true, true
				add(Flag{Rule: "P4-copy-swap", Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevError,
					Values:  fmt.Sprintf("%s: %d vs %d; %s: %d vs %d", x.c, ax, bx, y.c, ay, by),
					Message: fmt.Sprintf("votes of %s and %s swapped between the copies", x.c, y.c)})
			}
		}
	}
	for _, x := range order {
		if swapped[x] {
			continue
		}
		ax, oka := va[x]
		bx, okb := vb[x]
		name := x.k
		if x.c != "" {
			name += " " + x.c
		}
		switch {
		case oka && okb && ax != bx:
			cl := ClassifyDigits(ax, bx)
			add(Flag{Rule: "P4-copy-" + cl, Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevError,
				Values: fmt.Sprintf("%s: %d vs %d (delta %+d)", name, ax, bx, bx-ax), Message: "copies of the same form differ: " + cl})
		case oka != okb:
			add(Flag{Rule: "P4-copy-missing-line", Contest: contest, Station: a.Station, Forms: cites(a, b), Severity: SevWarning,
				Values: name, Message: "a line is on one copy only"})
		}
	}
}

// stationForms picks one form of type typ per station, preferring the
// official source, then the first seen.
func stationForms(forms []*tahqiq.FormInstance, typ, source string) map[string]*tahqiq.FormInstance {
	out := map[string]*tahqiq.FormInstance{}
	for _, f := range forms {
		if f.Type != typ || f.Station == "" || (source != "" && f.Source != source) {
			continue
		}
		if g, ok := out[f.Station]; !ok || (g.Source != tahqiq.SourceOfficial && f.Source == tahqiq.SourceOfficial) {
			out[f.Station] = f
		}
	}
	return out
}

func contestForm(forms []*tahqiq.FormInstance, typ string) *tahqiq.FormInstance {
	var out *tahqiq.FormInstance
	for _, f := range forms {
		if f.Type == typ && f.Station == "" && (out == nil || (out.Source != tahqiq.SourceOfficial && f.Source == tahqiq.SourceOfficial)) {
			out = f
		}
	}
	return out
}

func votesMap(fs ...*tahqiq.FormInstance) map[string]int64 {
	m := map[string]int64{}
	for _, f := range fs {
		for _, it := range f.Items {
			if it.Key == tahqiq.KeyVotes {
				m[it.Candidate] += it.Value
			}
		}
	}
	return m
}

func sortedStations(m map[string]*tahqiq.FormInstance) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return stationLess(out[i], out[j]) })
	return out
}

func stationLess(a, b string) bool {
	if isDigits(a) && isDigits(b) {
		if len(a) != len(b) {
			return len(strings.TrimLeft(a, "0")) < len(strings.TrimLeft(b, "0")) || (len(strings.TrimLeft(a, "0")) == len(strings.TrimLeft(b, "0")) && strings.TrimLeft(a, "0") < strings.TrimLeft(b, "0"))
		}
		return a < b
	}
	return a < b
}

func isDigits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hasVotes(f *tahqiq.FormInstance) bool {
	for i := range f.Items {
		if f.Items[i].Key == tahqiq.KeyVotes {
			return true
		}
	}
	return false
}

func candKeys(ms ...map[string]int64) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// consolidation: P5 (45 -> 47), P6 (45 -> 48, coverage vs 28, gaps), P7 (47 -> 49).
func consolidation(contest string, forms []*tahqiq.FormInstance, add func(Flag)) {
	f45 := stationForms(forms, tahqiq.Form45, "")
	f48 := stationForms(forms, tahqiq.Form48, "")
	f28 := stationForms(forms, tahqiq.Form28, "")
	f47 := contestForm(forms, tahqiq.Form47)
	f49 := contestForm(forms, tahqiq.Form49)
	var list45 []*tahqiq.FormInstance
	for _, s := range sortedStations(f45) {
		list45 = append(list45, f45[s])
	}
	// P5
	if f47 != nil && len(list45) > 0 {
		sum45, v47 := votesMap(list45...), votesMap(f47)
		for _, c := range candKeys(sum45, v47) {
			if sum45[c] != v47[c] {
				add(Flag{Rule: "P5-47-vs-45", Contest: contest, Forms: cites(append([]*tahqiq.FormInstance{f47}, list45...)...), Severity: SevError,
					Values:  fmt.Sprintf("%s: form47=%d sum45=%d delta=%+d", c, v47[c], sum45[c], v47[c]-sum45[c]),
					Message: "Form 47 total differs from the sum of the Form 45s"})
			}
		}
		if rep, ok := f47.Value(tahqiq.KeyStationsReported, ""); ok && rep != int64(len(list45)) {
			add(Flag{Rule: "P5-stations-reported", Contest: contest, Forms: cites(f47), Severity: SevWarning,
				Values: fmt.Sprintf("reported=%d form45=%d", rep, len(list45)), Message: "stations reported on Form 47 differ from the Form 45s at hand"})
		}
	}
	// P6
	for _, s := range sortedStations(f48) {
		a, ok := f45[s]
		if !ok {
			continue
		}
		b := f48[s]
		va, vb := votesMap(a), votesMap(b)
		for _, c := range candKeys(va, vb) {
			if va[c] != vb[c] {
				add(Flag{Rule: "P6-48-vs-45", Contest: contest, Station: s, Forms: cites(a, b), Severity: SevError,
					Values:  fmt.Sprintf("%s: form45=%d form48=%d (%s)", c, va[c], vb[c], ClassifyDigits(va[c], vb[c])),
					Message: "Form 48 row differs from the station's Form 45"})
			}
		}
	}
	if len(f28) > 0 {
		for _, m := range []map[string]*tahqiq.FormInstance{f45, f48} {
			for _, s := range sortedStations(m) {
				if _, ok := f28[s]; !ok {
					add(Flag{Rule: "P6-not-in-scheme", Contest: contest, Station: s, Forms: cites(m[s]), Severity: SevError,
						Values: "station " + s, Message: "station has a result form but is not in the polling scheme (Form 28)"})
				}
			}
		}
		for _, s := range sortedStations(f28) {
			_, a := f45[s]
			_, b := f48[s]
			if !a && !b {
				add(Flag{Rule: "P6-no-result", Contest: contest, Station: s, Forms: cites(f28[s]), Severity: SevWarning,
					Values: "station " + s, Message: "station in the polling scheme has no Form 45 or Form 48"})
			}
		}
	}
	all := map[int]bool{}
	lo, hi := -1, -1
	for _, m := range []map[string]*tahqiq.FormInstance{f28, f45, f48} {
		for s := range m {
			if !isDigits(s) {
				continue
			}
			if n, err := strconv.Atoi(s); err == nil {
				all[n] = true
				if lo < 0 || n < lo {
					lo = n
				}
				if n > hi {
					hi = n
				}
			}
		}
	}
	if len(all) > 1 && hi-lo < 100000 {
		var gaps []string
		for n := lo; n <= hi; n++ {
			if !all[n] {
				gaps = append(gaps, strconv.Itoa(n))
			}
		}
		if len(gaps) > 0 {
			add(Flag{Rule: "P6-numbering-gap", Contest: contest, Severity: SevWarning, Values: "missing " + strings.Join(gaps, " "),
				Message: fmt.Sprintf("station numbers %d..%d have gaps", lo, hi)})
		}
	}
	// P7
	if f47 != nil && f49 != nil {
		v47, v49 := votesMap(f47), votesMap(f49)
		postal := map[string]int64{}
		for _, it := range f49.Items {
			if it.Key == tahqiq.KeyPostal {
				postal[it.Candidate] += it.Value
			}
		}
		// station changes: Form 48 rows minus the Form 45 they replace;
		// stations in 45 but not in 48 are excluded stations.
		stDelta := map[string]int64{}
		var stForms []*tahqiq.FormInstance
		if len(f48) > 0 {
			for _, s := range sortedStations(f45) {
				a := f45[s]
				b, ok := f48[s]
				va := votesMap(a)
				if !ok {
					for c, x := range va {
						stDelta[c] -= x
					}
					stForms = append(stForms, a)
					continue
				}
				vb := votesMap(b)
				for _, c := range candKeys(va, vb) {
					if d := vb[c] - va[c]; d != 0 {
						stDelta[c] += d
						stForms = append(stForms, a, b)
					}
				}
			}
			for _, s := range sortedStations(f48) {
				b := f48[s]
				if _, ok := f45[s]; !ok {
					for c, x := range votesMap(b) {
						stDelta[c] += x
					}
					stForms = append(stForms, b)
				}
			}
		}
		for _, c := range candKeys(v47, v49) {
			d := v49[c] - v47[c]
			if d == 0 {
				continue
			}
			un := d - postal[c] - stDelta[c]
			fl := Flag{Rule: "P7-49-vs-47", Contest: contest, Forms: cites(append([]*tahqiq.FormInstance{f47, f49}, stForms...)...),
				Values: fmt.Sprintf("%s: form47=%d form49=%d delta=%+d postal=%+d stations=%+d unexplained=%+d", c, v47[c], v49[c], d, postal[c], stDelta[c], un)}
			if un == 0 {
				fl.Severity, fl.Message = SevInfo, "Form 49 differs from Form 47, explained by postal ballots and recounted or excluded stations"
			} else {
				fl.Severity, fl.Message = SevError, "Form 49 differs from Form 47 by more than postal ballots and station changes explain"
			}
			add(fl)
		}
	}
}

// provisional: A9, per station provisional vs final tallies.
func provisional(contest string, forms []*tahqiq.FormInstance, add func(Flag)) []ProvisionalSum {
	pre := stationForms(forms, tahqiq.FormAFPrelim, "")
	fin := stationForms(forms, tahqiq.FormAFFinal, "")
	if len(pre) == 0 && len(fin) == 0 {
		return nil
	}
	ps := ProvisionalSum{Contest: contest, Provisional: map[string]int64{}, Final: map[string]int64{}, FinalValid: map[string]int64{}, Units: map[string]int{}}
	for _, s := range sortedStations(pre) {
		p := pre[s]
		for c, v := range votesMap(p) {
			ps.Provisional[c] += v
		}
		f, ok := fin[s]
		if !ok {
			ps.Units["dropped"]++
			add(Flag{Rule: "A9-dropped", Contest: contest, Station: s, Forms: cites(p), Severity: SevWarning, Values: KV(votesMap(p)),
				Message: "unit in the provisional results is absent from the final results"})
			continue
		}
		vp, vf := votesMap(p), votesMap(f)
		var diffs []string
		for _, c := range candKeys(vp, vf) {
			if vp[c] != vf[c] {
				diffs = append(diffs, fmt.Sprintf("%s: %d -> %d (%+d)", c, vp[c], vf[c], vf[c]-vp[c]))
			}
		}
		if strings.EqualFold(f.Status, "Invalidated") || strings.Contains(strings.ToLower(f.Status), "disqualif") {
			ps.Units["invalidated"]++
			add(Flag{Rule: "A9-invalidated", Contest: contest, Station: s, Forms: cites(p, f), Severity: SevInfo,
				Values: KV(vp), Message: "unit invalidated by the audit (" + f.Status + "); excluded from the final total"})
		} else if len(diffs) > 0 {
			ps.Units["changed"]++
			add(Flag{Rule: "A9-changed", Contest: contest, Station: s, Forms: cites(p, f), Severity: SevInfo,
				Values: strings.Join(diffs, "; "), Message: "final tally differs from the provisional tally"})
		} else {
			ps.Units["unchanged"]++
		}
	}
	for _, s := range sortedStations(fin) {
		f := fin[s]
		vf := votesMap(f)
		for c, v := range vf {
			ps.Final[c] += v
		}
		inv := strings.EqualFold(f.Status, "Invalidated")
		if !inv {
			for c, v := range vf {
				ps.FinalValid[c] += v
			}
		}
		if _, ok := pre[s]; !ok {
			ps.Units["added"]++
			add(Flag{Rule: "A9-added", Contest: contest, Station: s, Forms: cites(f), Severity: SevWarning, Values: KV(vf),
				Message: "unit in the final results was not in the provisional results"})
		}
	}
	return []ProvisionalSum{ps}
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
