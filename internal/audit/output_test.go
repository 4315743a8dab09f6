package audit_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/audit"
)

// The checks report lists the flags by severity, the rarest rules first,
// with every error: Russia 2012's 13 stations with more ballots in the
// boxes than issued (an error) come before its 13,000 turnout warnings,
// which fell beyond the first 500 flags in file order.
func TestChecksReportOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("every check over real results (about 6 s): not in -short (go test ./..., as CI runs it, does)")
	}
	imp := load(t, "ru/ru_2012.csv.gz", "ru")
	res := audit.Check(imp, audit.CheckOptions{})
	if res.Counts["A8-boxes-gt-issued"] != 13 || len(res.Flags) < 13000 {
		t.Fatalf("flags %v", res.Counts)
	}
	dir := t.TempDir()
	if err := audit.WriteChecks(dir, imp, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	rows := regexp.MustCompile(`<tr class=flag><td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]+)</td>`).FindAllStringSubmatch(html, -1)
	if len(rows) == 0 {
		t.Fatal("no flag rows in the report")
	}
	errs, lastErr, firstWarn := 0, -1, -1
	for i, r := range rows {
		switch r[2] {
		case audit.SevError:
			errs++
			lastErr = i
		case audit.SevWarning:
			if firstWarn < 0 {
				firstWarn = i
			}
		}
	}
	n := 0
	for _, f := range res.Flags {
		if f.Severity == audit.SevError {
			n++
		}
	}
	if errs != n || errs < 13 || (firstWarn >= 0 && firstWarn < lastErr) {
		t.Errorf("report: %d of %d errors, last error at row %d, first warning at row %d", errs, n, lastErr, firstWarn)
	}
	if rows[0][1] != "A8-boxes-gt-issued" {
		t.Errorf("first row %s, want A8-boxes-gt-issued", rows[0][1])
	}
	if !strings.Contains(html, "every error") {
		t.Errorf("the report does not say which flags it shows")
	}
}

// No Go value leaks into the text of reports and flags (map[...]), and the
// Monte Carlo columns appear only when a simulation ran.
func TestReportsText(t *testing.T) {
	if testing.Short() {
		t.Skip("the reports of real results (about 4 s): not in -short (go test ./..., as CI runs it, does)")
	}
	imp := load(t, "af/af_2014_runoff_ps_results.csv.gz", "af2014")
	dir := t.TempDir()
	res := audit.Check(imp, audit.CheckOptions{})
	if err := audit.WriteChecks(filepath.Join(dir, "c"), imp, res); err != nil {
		t.Fatal(err)
	}
	for _, mc := range []int{0, 20} {
		f := forensics(t, imp, audit.ForensicsOptions{MCRuns: mc, Seed: 1})
		d := filepath.Join(dir, "f"+string(rune('0'+mc/10)))
		if err := audit.WriteForensics(d, imp, f); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(string(b), "MC mean"); has != (mc > 0) {
			t.Errorf("--mc %d: report has Monte Carlo columns: %v", mc, has)
		}
	}
	for _, p := range []string{"c/report.html", "c/flags.csv", "f0/report.html", "f0/flags.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(string(b), "map["); i >= 0 {
			t.Errorf("%s: %q", p, b[max(i-80, 0):min(i+80, len(b))])
		}
	}
}
