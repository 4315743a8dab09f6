package audit

import (
	"sort"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Small helpers over a contest's forms shared by the checks.

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
