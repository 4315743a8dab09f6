package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
	"github.com/tahqiq/tahqiq/internal/plot"
)

// FlagColumns is the header of flags.csv.
var FlagColumns = []string{"rule", "contest", "station", "forms", "values", "severity", "message"}

// WriteFlags writes flags as CSV (forms joined by " | ").
func WriteFlags(w io.Writer, flags []Flag) error {
	cw := csv.NewWriter(w)
	cw.Write(FlagColumns)
	for _, f := range flags {
		cw.Write([]string{f.Rule, f.Contest, f.Station, strings.Join(f.Forms, " | "), f.Values, f.Severity, f.Message})
	}
	cw.Flush()
	return cw.Error()
}

// writeFile writes a file atomically: temp file, fsync, rename.
func writeFile(path string, fill func(w io.Writer) error) error {
	if err := atomicfile.WriteFunc(path, 0o644, fill); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	return writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

func writePlot(dir, name string, c *plot.Canvas) ([]string, error) {
	if err := writeFile(filepath.Join(dir, name+".svg"), c.SVG); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, name+".png"), c.PNG); err != nil {
		return nil, err
	}
	return []string{name + ".svg", name + ".png"}, nil
}

// OutlierFlags turns the outlier flags of a forensics run into flags.
func OutlierFlags(imp *Import, f *Forensics) []Flag {
	t := Stations(imp, f.Input.Form, f.Parameters["turnout"].(string))
	var out []Flag
	keys := []string{OTurnout100, OAboveReg, OBallotCap, OCandidate95}
	for i, r := range t.Rows {
		for _, k := range keys {
			if !f.Outliers.Flagged(k, i) {
				continue
			}
			var sum int64
			for _, v := range r.Votes {
				sum += v
			}
			out = append(out, Flag{Rule: k, Contest: r.Form.Contest, Station: r.Form.Station, Forms: cites(r.Form), Severity: SevWarning,
				Values:  fmt.Sprintf("registered=%d given=%d received=%d sum_votes=%d", r.Registered, r.Given, r.Received, sum),
				Message: f.Outliers.Rules[k]})
		}
	}
	return out
}

// WriteForensics writes forensics.json, flags.csv (outlier flags), the
// plots and report.html into dir.
func WriteForensics(dir string, imp *Import, f *Forensics) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, "forensics.json"), f); err != nil {
		return err
	}
	flags := OutlierFlags(imp, f)
	if err := writeFile(filepath.Join(dir, "flags.csv"), func(w io.Writer) error { return WriteFlags(w, flags) }); err != nil {
		return err
	}
	var plots []string
	// turnout histogram, 1 % bins
	th := make([]float64, 101)
	for i, row := range f.Fingerprint.Counts {
		for _, v := range row {
			th[i*100/f.Fingerprint.Bins] += float64(v)
		}
	}
	ps, err := writePlot(dir, "turnout_histogram", plot.Histogram(plot.HistOptions{Title: "Turnout (1 % bins)", XLabel: "turnout %", YLabel: "stations", X0: 0, DX: 1}, th[:100]))
	if err != nil {
		return err
	}
	plots = append(plots, ps...)
	ps, err = writePlot(dir, "fingerprint", plot.HeatMap("Turnout x "+shorten(f.Leader, 30)+" share", "turnout %", shorten(f.Leader, 30)+" share %", "stations per cell", f.Fingerprint.Counts))
	if err != nil {
		return err
	}
	plots = append(plots, ps...)
	band := make([][2]float64, 101)
	for j := range band {
		sd := math.Sqrt(f.Integer.NullVar[j])
		band[j] = [2]float64{math.Max(f.Integer.NullHist[j]-2*sd, 0), f.Integer.NullHist[j] + 2*sd}
	}
	ps, err = writePlot(dir, "integer_percentages", plot.Histogram(plot.HistOptions{Title: "Integer turnout and leader-share percentages: observed (bars), exact null mean ± 2 sd (band)",
		XLabel: "percentage (integer)", YLabel: f.Integer.Weight, X0: 0, DX: 1, Centred: true, Band: band}, f.Integer.Hist))
	if err != nil {
		return err
	}
	plots = append(plots, ps...)
	return writeFile(filepath.Join(dir, "report.html"), func(w io.Writer) error { return forensicsReport(w, f, flags, plots) })
}

// WriteNotRun writes forensics.json for an input whose forensics could not
// run (why: RunForensics' error, e.g. ErrNothingToAnalyse): its input, 0
// stations and the reason, so that a run directory still says what
// happened.
func WriteNotRun(dir string, imp *Import, why error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return writeJSON(filepath.Join(dir, "forensics.json"), struct {
		Input    InputInfo `json:"input"`
		Stations int       `json:"stations"`
		NotRun   string    `json:"not_run"`
	}{InputInfo{File: imp.File, SHA256: imp.SHA256, Map: imp.Map, Rows: imp.Rows, Rejects: len(imp.Rejects), Form: imp.StationForm}, 0, tahqiq.ErrorMessage(why)})
}

// WriteChecks writes flags.csv, checks.json, the form-delta chart and
// report.html into dir.
func WriteChecks(dir string, imp *Import, c *CheckResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "flags.csv"), func(w io.Writer) error { return WriteFlags(w, c.Flags) }); err != nil {
		return err
	}
	summary := struct {
		Input InputInfo `json:"input"`
		*CheckResult
	}{InputInfo{File: imp.File, SHA256: imp.SHA256, Map: imp.Map, Rows: imp.Rows, Rejects: len(imp.Rejects)}, c}
	if err := writeJSON(filepath.Join(dir, "checks.json"), summary); err != nil {
		return err
	}
	labels, values := FormDeltas(c)
	var plots []string
	if len(labels) > 0 {
		ps, err := writePlot(dir, "form_deltas", plot.Bars("Margin of the official winner: other evidence set minus official (largest 40)", labels, values))
		if err != nil {
			return err
		}
		plots = ps
	}
	return writeFile(filepath.Join(dir, "report.html"), func(w io.Writer) error { return checksReport(w, imp, c, plots) })
}

// FormDeltas is the per-contest form-delta chart: for each contest with
// more than one evidence set, the official winner's margin over the
// runner-up in each other set minus the official margin (largest 40).
func FormDeltas(c *CheckResult) ([]string, []float64) {
	by := map[string][]EvidenceSet{}
	var order []string
	for _, e := range c.Evidence {
		if _, ok := by[e.Contest]; !ok {
			order = append(order, e.Contest)
		}
		by[e.Contest] = append(by[e.Contest], e)
	}
	type lv struct {
		l string
		v float64
	}
	var all []lv
	for _, ct := range order {
		ev := by[ct]
		if len(ev) < 2 {
			continue
		}
		ref := ev[0]
		for _, e := range ev[1:] {
			m := e.Votes[ref.Winner] - e.Votes[ref.Runner]
			all = append(all, lv{ct + ": " + shorten(e.Name, 40), float64(m - ref.Margin)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return math.Abs(all[i].v) > math.Abs(all[j].v) })
	if len(all) > 40 {
		all = all[:40]
	}
	var l []string
	var v []float64
	for _, x := range all {
		l, v = append(l, x.l), append(v, x.v)
	}
	return l, v
}

// KV writes a map as "key=value, ..." in key order (never Go's map[...]).
func KV[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%v", k, m[k])
	}
	return b.String()
}

// Num formats x with prec decimals, or "undefined" for NaN (a statistic
// with nothing to compute it from).
func Num(x float64, prec int) string {
	if math.IsNaN(x) {
		return "undefined"
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// shorten cuts s to n characters (not bytes: names may be Cyrillic or
// Urdu), marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

var reportTmpl = template.Must(template.New("r").Funcs(template.FuncMap{
	"f": func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"g": func(v float64) string { return fmt.Sprintf("%.3g", v) },
}).Parse(`<!doctype html><html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.caveat{background:#fff4e0;border-left:4px solid #e80;padding:.5em 1em}
img{max-width:100%}code{background:#f3f3f3}</style></head><body>
<h1>{{.Title}}</h1>
<p>Input <code>{{.Input.File}}</code> (sha256 <code>{{.Input.SHA256}}</code>), map <code>{{.Input.Map}}</code>:
{{.Input.Rows}} rows, {{.Input.Rejects}} rejected rows. Produced by tahqiq; every number below is recomputable
from the input file, the parameters and the seed.</p>
{{.Body}}
</body></html>`))

type reportData struct {
	Title string
	Input InputInfo
	Body  template.HTML
}

func forensicsReport(w io.Writer, f *Forensics, flags []Flag, plots []string) error {
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, "<p>%d stations (form %s), leader <b>%s</b> (the overall winner unless chosen). Parameters: <code>%s</code>.</p>",
		f.Stations, esc(f.Input.Form), esc(f.Leader), esc(KV(f.Parameters)))
	in := f.Integer
	fmt.Fprintf(&b, "<h2>A1 Integer percentages (Kobak, Shpilkin &amp; Pshenichnikov 2016)</h2><p>Rule: <b>%s</b> (exact: integer arithmetic, ties counted; float: the authors' float64 rule). Weight: %s; multiples of %d; turnout: %s. %d stations included, %d excluded (received &gt; 0, registered &ge; 100, turnout &le; 99 %%, share &le; 99 %%). Null: %s.</p>",
		in.Rule, in.Weight, in.Multiple, esc(in.Turnout), in.Included, in.Excluded, esc(in.Null))
	// the Monte Carlo columns only when a simulation ran (--mc)
	mcHead := ""
	if in.MCRuns > 0 {
		mcHead = fmt.Sprintf("<th>MC mean</th><th>MC sd</th><th>MC 99.9th pct</th><th>MC p (%d runs, seed %d)</th>", in.MCRuns, in.Seed)
	}
	b.WriteString("<table><tr><th>count</th><th>observed</th><th>expected</th><th>sd</th><th>excess</th><th>z</th>" + mcHead + "</tr>")
	row := func(name string, c *Component) {
		if c == nil {
			return
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%.0f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.2f</td>", name, c.Observed, c.Expected, c.SD, c.Excess, c.Z)
		if in.MCRuns > 0 {
			fmt.Fprintf(&b, "<td>%.3f</td><td>%.3f</td><td>%.1f</td><td>%.4g</td>", c.MCMean, c.MCSD, c.MCP999, c.MCP)
		}
		b.WriteString("</tr>")
	}
	row("turnout or share (either)", &in.Either)
	row("turnout", in.TurnoutC)
	row("leader share", &in.Share)
	b.WriteString("</table><p>Regions with the largest excess:</p><table><tr><th>region</th><th>stations</th><th>observed</th><th>expected</th><th>excess</th><th>z</th></tr>")
	for i, r := range in.ByRegion {
		if i == 10 {
			break
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%.0f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td></tr>", esc(r.Region), r.N, r.Either.Observed, r.Either.Expected, r.Either.Excess, r.Either.Z)
	}
	b.WriteString("</table>")
	fp := f.Fingerprint
	n := Num
	fmt.Fprintf(&b, "<h2>A2 Turnout &times; share fingerprint (Klimek et al. 2012)</h2><p>%d stations with at least %d registered voters (%d smaller stations left out); at the 100 %%/100 %% corner: %d. KDE modes (Kobak's heuristic): turnout %s (bw %s), share %s (bw %s); Kobak's widths &sigma;<sub>&tau;</sub> %s, &sigma;<sub>&nu;</sub> %s, &theta; %s.</p><p>Inclusion: %s.</p><p class=caveat>%s</p>",
		fp.N, fp.MinRegistered, fp.Excluded, fp.Corner100, n(fp.ModeTurnout, 3), n(fp.BWTurnout, 5), n(fp.ModeShare, 3), n(fp.BWShare, 5),
		n(fp.Honest.SigmaTau, 5), n(fp.Honest.SigmaNu, 5), n(fp.Honest.Theta, 5), esc(fp.Inclusion), esc(fp.Caveat))
	if k := f.Klimek; k != nil && k.NotFitted != "" {
		fmt.Fprintf(&b, "<h3>Klimek model fit</h3><p>Not fitted: %s.</p>", esc(k.NotFitted))
	} else if k != nil {
		at := ""
		if len(k.AtBound) > 0 {
			at = " At the edge of the search range (the best value may lie beyond): " + strings.Join(k.AtBound, ", ") + "."
		}
		fmt.Fprintf(&b, "<h3>Klimek model fit</h3><p>f<sub>i</sub> = %.4f, f<sub>e</sub> = %.4f, &alpha; = %.3f; histogram distance %.0f (honest model: %.0f); %d stations, %d bins, seed %d.%s</p><p>%s</p><p class=caveat>%s</p>",
			k.Fi, k.Fe, k.Alpha, k.Distance, k.Null, k.Stations, k.Bins, k.Seed, esc(at), esc(k.Method), esc(k.Caveat))
	}
	sh := f.Shape
	fmt.Fprintf(&b, "<h2>A7 Distribution shape</h2><p>Hartigan's dip: turnout %.5f (p %.2f), leader share %.5f (p %.2f); %d uniform samples, seed %d.</p>", sh.DipTurnout.Dip, sh.DipTurnout.P, sh.DipShare.Dip, sh.DipShare.P, sh.DipTurnout.Runs, sh.DipTurnout.Seed)
	fmt.Fprintf(&b, "<table><tr><th></th><th>mean</th><th>sd</th><th>skewness</th><th>excess kurtosis</th></tr><tr><td>turnout</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr><tr><td>leader share</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr></table><p>r(turnout, share) = %.4f; Sobyanin&ndash;Sukhovolsky slope = %.4f (minus mean share: %.4f). %s</p>",
		sh.Turnout.Mean, sh.Turnout.SD, sh.Turnout.Skewness, sh.Turnout.Kurtosis, sh.Share.Mean, sh.Share.SD, sh.Share.Skewness, sh.Share.Kurtosis,
		sh.Regression.R, sh.SobyaninSlope, sh.SobyaninExcess, esc(sh.Note))
	fmt.Fprintf(&b, "<h2>A4/A5 Digit screens</h2><p class=caveat>%s</p><table><tr><th>test</th><th>n</th><th>&chi;&sup2;</th><th>df</th><th>p</th><th>mean digit</th></tr>", esc(DigitCaveat))
	for _, d := range []*DigitTest{f.Benford2, f.LastDigit} {
		if d.N == 0 {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>0</td><td colspan=4>n/a: no leader count of 10 or more</td></tr>", esc(d.Law))
			continue
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%.2f</td><td>%d</td><td>%.3g</td><td>%.3f</td></tr>", esc(d.Law), d.N, d.Stat, d.DF, d.P, d.Mean)
	}
	p := f.DigitPairs
	fmt.Fprintf(&b, "</table><p>Last-two-digit pairs (n %d): equal %.4f (expected 0.10, z %.2f), adjacent %.4f (0.20, z %.2f), non-adjacent %.4f (0.70, z %.2f).</p>",
		p.N, p.Equal, p.ZEqual, p.Adjacent, p.ZAdjacent, p.NonAdjacent, p.ZNonAdj)
	b.WriteString("<h2>Outlier flags</h2><table><tr><th>rule</th><th>meaning</th><th>stations</th></tr>")
	for _, k := range []string{OTurnout100, OAboveReg, OBallotCap, OCandidate95} {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%d</td></tr>", k, esc(f.Outliers.Rules[k]), f.Outliers.Counts[k])
	}
	b.WriteString("</table><p>Each flagged station is listed in <code>flags.csv</code> with its form instance.</p>")
	if len(f.Evaluation) > 0 {
		b.WriteString("<h3>Evaluation against the audit labels</h3><table><tr><th>rule</th><th>status</th><th>flagged / stations</th><th>rate</th></tr>")
		for _, e := range f.Evaluation {
			var st []string
			for s := range e.ByStatus {
				st = append(st, s)
			}
			sort.Strings(st)
			for _, s := range st {
				c := e.ByStatus[s]
				fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%d / %d</td><td>%.4f</td></tr>", e.Rule, esc(s), c[0], c[1], float64(c[0])/math.Max(float64(c[1]), 1))
			}
		}
		b.WriteString("</table>")
	}
	b.WriteString("<h2>Plots</h2>")
	for _, p := range plots {
		if strings.HasSuffix(p, ".svg") {
			fmt.Fprintf(&b, `<p><img src="%s" alt="%s"></p>`, p, p)
		}
	}
	return reportTmpl.Execute(w, reportData{Title: "tahqiq election forensics", Input: f.Input, Body: template.HTML(b.String())})
}

// reportOthers is how many warnings and information flags the checks report
// lists after every error.
const reportOthers = 500

// ReportFlags orders flags for reading: by severity (error, warning,
// info), then the rules with fewest flags first (a handful of impossible
// protocols before thousands of high turnouts), then input order. It
// returns every error and at most others further flags, and the number of
// errors.
func ReportFlags(flags []Flag, others int) ([]Flag, int) {
	sev := map[string]int{SevError: 0, SevWarning: 1, SevInfo: 2}
	count := map[string]int{}
	for _, f := range flags {
		count[f.Rule]++
	}
	out := slices.Clone(flags)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if sa, sb := sev[a.Severity], sev[b.Severity]; sa != sb {
			return sa < sb
		}
		if count[a.Rule] != count[b.Rule] {
			return count[a.Rule] < count[b.Rule]
		}
		return a.Rule < b.Rule // then input order (stable)
	})
	errs := 0
	for _, f := range out {
		if f.Severity == SevError {
			errs++
		}
	}
	if len(out) > errs+others {
		out = out[:errs+others]
	}
	return out, errs
}

func checksReport(w io.Writer, imp *Import, c *CheckResult, plots []string) error {
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, "<p>%d form instances checked; %d flags.</p><h2>Flags by rule</h2><table><tr><th>rule</th><th>count</th></tr>", c.Forms, len(c.Flags))
	var rules []string
	for r := range c.Counts {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td></tr>", esc(r), c.Counts[r])
	}
	b.WriteString("</table>")
	if len(c.RecountRules) > 0 {
		b.WriteString("<h2>Recount rule (P8)</h2><table><tr><th>rule</th><th>contests</th></tr>")
		var rr []string
		for r := range c.RecountRules {
			rr = append(rr, r)
		}
		sort.Strings(rr)
		for _, r := range rr {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td></tr>", esc(r), c.RecountRules[r])
		}
		b.WriteString("</table>")
	}
	for _, p := range c.Provisional {
		fmt.Fprintf(&b, "<h2>Provisional vs final: %s</h2><table><tr><th>candidate</th><th>provisional</th><th>final (all units)</th><th>final excluding invalidated</th></tr>", esc(p.Contest))
		for _, k := range candKeys(p.Provisional, p.Final) {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td></tr>", esc(k), p.Provisional[k], p.Final[k], p.FinalValid[k])
		}
		fmt.Fprintf(&b, "</table><p>Units: %s</p>", esc(KV(p.Units)))
	}
	for _, p := range plots {
		if strings.HasSuffix(p, ".svg") {
			fmt.Fprintf(&b, `<h2>Form deltas</h2><p><img src="%s" alt="%s"></p>`, p, p)
		}
	}
	shown, errs := ReportFlags(c.Flags, reportOthers)
	others := len(c.Flags) - errs
	fmt.Fprintf(&b, "<h2>Flags</h2><p>Ordered by severity (errors, warnings, information), the rarest rules first: every error (%d), then ", errs)
	if len(shown)-errs < others {
		fmt.Fprintf(&b, "the first %d of the %d warnings and information flags.", len(shown)-errs, others)
	} else {
		fmt.Fprintf(&b, "every warning and information flag (%d).", others)
	}
	b.WriteString(" <code>flags.csv</code> has them all, in the order of the input.</p>")
	b.WriteString("<table><tr><th>rule</th><th>contest</th><th>station</th><th>values</th><th>severity</th><th>forms</th></tr>")
	for _, f := range shown {
		fmt.Fprintf(&b, "<tr class=flag><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td style='text-align:left;font-size:small'>%s</td></tr>",
			esc(f.Rule), esc(f.Contest), esc(f.Station), esc(f.Values), esc(f.Severity), esc(strings.Join(f.Forms, "; ")))
	}
	b.WriteString("</table>")
	in := InputInfo{File: imp.File, SHA256: imp.SHA256, Map: imp.Map, Rows: imp.Rows, Rejects: len(imp.Rejects)}
	return reportTmpl.Execute(w, reportData{Title: "tahqiq election-results checks", Input: in, Body: template.HTML(b.String())})
}
