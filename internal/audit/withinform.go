package audit

import (
	"fmt"
	"strconv"

	"github.com/tahqiq/tahqiq"
)

// The within-form checks (elections.md §3 P1-P3): a form's own arithmetic,
// its totals against its votes, and how two numbers differ digit by digit.

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
