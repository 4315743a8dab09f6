package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/chromium"
)

const auditFixture = "../audit/testdata/na999-template.csv"

const ruFixture = "../audit/testdata/ru/ru_2099.csv"

func TestCLIAudit(t *testing.T) {
	if testing.Short() {
		t.Skip("every audit command on real results: not in -short (go test ./..., as CI runs it, does)")
	}
	data := filepath.Join(t.TempDir(), "data")
	out := t.TempDir()
	headerOnly := filepath.Join(t.TempDir(), "ru_2099.csv")
	if err := os.WriteFile(headerOnly, []byte("region,oik,tik,uik,registered,ballots_issued,invalid,c01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := filepath.Join(t.TempDir(), "tiny.csv")
	if err := os.WriteFile(tiny, []byte("contest,station,form_type,form_id,source,item,candidate,value\nNA-1,1,45,a,official,votes,A,9\nNA-1,1,45,a,official,votes,B,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"check", []string{"audit", "check", "--input", auditFixture, "--map", "pk-long", "--out", out}, 0, "P4-copy-swap                 1", "non-integer count"},
		{"claim", []string{"audit", "claim", "--input", auditFixture, "--map", "pk-long", "--contest", "NA-999", "--x", "A", "--y", "B", "--n", "100"}, 0, "station 2: official -62 other +538 swing -600", ""},
		{"forensics", []string{"audit", "forensics", "--input", auditFixture, "--map", "pk-long", "--out", filepath.Join(out, "f")}, 0, "integer test (exact rule", ""},
		{"import", []string{"audit", "import", "--input", auditFixture, "--map", "pk-long"}, 0, "17 form instances", ""},
		{"import twice", []string{"audit", "import", "--input", auditFixture, "--map", "pk-long"}, 4, "", "imported already"},
		{"unknown map", []string{"audit", "check", "--input", auditFixture, "--map", "nope"}, 2, "", `unknown column map "nope"`},
		{"missing input", []string{"audit", "check", "--input", "/nonexistent.csv", "--map", "ru"}, 3, "", "does not exist"},
		{"bad rule", []string{"audit", "forensics", "--input", auditFixture, "--map", "pk-long", "--rule", "x"}, 2, "", "--rule must be"},
		{"map does not fit", []string{"audit", "check", "--input", auditFixture, "--map", "ru"}, 2, "", `no column "tik"`},
		{"leader by code", []string{"audit", "forensics", "--input", ruFixture, "--map", "ru", "--leader", "c02"}, 0, "6 stations, leader c02 Petrov Petr Ivanovich", ""},
		{"leader unknown", []string{"audit", "forensics", "--input", ruFixture, "--map", "ru", "--leader", "Putin"}, 3, "", `no candidate matches "Putin" (candidates: c01 Ivanov Ivan Ivanovich;`},
		{"leader ambiguous", []string{"audit", "forensics", "--input", ruFixture, "--map", "ru", "--leader", "ivanov"}, 2, "", `"ivanov" matches several candidates`},
		{"no station forms of the type", []string{"audit", "forensics", "--input", ruFixture, "--map", "ru", "--form", "45"}, 2, "", "has no polling-station forms of type 45 to analyse; its forms: ru-uik (6 stations)"},
		{"nothing to count", []string{"audit", "forensics", "--input", tiny, "--map", "pk-long"}, 0, "n/a: no station meets the inclusion rule", ""},
		{"no digits", []string{"audit", "forensics", "--input", tiny, "--map", "pk-long"}, 0, "digits: n/a (no leader count of 10 or more)", ""},
		{"header only", []string{"audit", "forensics", "--input", headerOnly, "--map", "ru"}, 2, "", "no data rows after the header"},
		{"header only, check", []string{"audit", "check", "--input", headerOnly, "--map", "ru"}, 2, "", "no data rows after the header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, o, e := run(t, data, "", tc.args...)
			if code != tc.code || !strings.Contains(o, tc.inStdout) || !strings.Contains(e, tc.inStderr) {
				t.Errorf("tahqiq %s: exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
					strings.Join(tc.args, " "), code, o, e, tc.code, tc.inStdout, tc.inStderr)
			}
		})
	}
	for _, f := range []string{"flags.csv", "checks.json", "report.html", "form_deltas.svg", "form_deltas.png",
		"f/forensics.json", "f/flags.csv", "f/report.html", "f/fingerprint.svg", "f/fingerprint.png", "f/integer_percentages.png", "f/turnout_histogram.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// Audit reports get report.pdf beside report.html where Chromium is
// installed, as case reports do; without it the command says so and the
// HTML report is complete.
func TestCLIAuditPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("audit reports as PDF through Chromium: not in -short (go test ./..., as CI runs it, does)")
	}
	if chromium.Find() == "" {
		t.Skip("Chromium not installed (apt-get install chromium): audit report PDF not tested")
	}
	data := filepath.Join(t.TempDir(), "data")
	out := t.TempDir()
	for _, args := range [][]string{
		{"audit", "check", "--input", auditFixture, "--map", "pk-long", "--out", filepath.Join(out, "c")},
		{"audit", "forensics", "--input", ruFixture, "--map", "ru", "--out", filepath.Join(out, "f")},
	} {
		code, o, e := run(t, data, "", args...)
		if code != 0 || !strings.Contains(o, "report.pdf") {
			t.Fatalf("tahqiq %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, o, e)
		}
	}
	for _, f := range []string{"c/report.pdf", "f/report.pdf"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) < 10000 {
			t.Errorf("%s: %v, %d bytes", f, err, len(b))
		}
	}
}
