package audit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Consolidation (P5-P6): each level's totals against the forms below it,
// and the provisional sums of a contest.

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
