package runs_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func TestRunAudit(t *testing.T) {
	st := &runs.Store{Dir: t.TempDir()}
	ctx := context.Background()
	// a table of contest-level results only (the layout of the 2024 Form 47
	// vs claimed Form 45 file, hand-made): checks, and forensics.json saying
	// why the station-level forensics did not run
	contests := filepath.Join(t.TempDir(), "contests.csv")
	if err := os.WriteFile(contests, []byte("constituency,province,candidate,party,votes_form47,votes_claimed_form45\n"+
		"NA-1,X,A,P,100,50\nNA-1,X,B,Q,90,120\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, map_, leader string
		stations                 int64
		notRun, err              string
	}{
		{"station forms", "../audit/testdata/na999-template.csv", "pk-long", "", 4, "", ""},
		{"contest-level forms only", contests, "pk2024", "", 0, "has no polling-station forms to analyse", ""},
		{"unknown leader", "../audit/testdata/na999-template.csv", "pk-long", "Nobody", 0, "", `no candidate matches "Nobody"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := st.RunAudit(ctx, runs.AuditRequest{File: tc.file, Map: tc.map_, Leader: tc.leader}, "tester", nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || tahqiq.ErrorCode(err) == tahqiq.EINTERNAL {
					t.Errorf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if in.Counts["stations"] != tc.stations {
				t.Errorf("stations %d, want %d", in.Counts["stations"], tc.stations)
			}
			files, err := st.Files(runs.Audit, in.ID)
			if err != nil || !slices.Contains(files, "checks-flags.csv") || !slices.Contains(files, "forensics.json") {
				t.Errorf("files %v (%v)", files, err)
			}
			p, _ := st.File(runs.Audit, in.ID, "forensics.json")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var f struct {
				Stations int64  `json:"stations"`
				NotRun   string `json:"not_run"`
			}
			if err := json.Unmarshal(b, &f); err != nil || f.Stations != tc.stations || !strings.Contains(f.NotRun, tc.notRun) || (tc.notRun == "") != (f.NotRun == "") {
				t.Errorf("forensics.json: %+v (%v), want %d stations and not_run containing %q", f, err, tc.stations, tc.notRun)
			}
		})
	}
}

// TestRunAuditNamesTheUsersFile: a run of a file kept under another name
// (the server's upload, u-….part) names it as the user sent it
// everywhere, forms without a file of their own included, and keeps the
// run's name.
func TestRunAuditNamesTheUsersFile(t *testing.T) {
	st := &runs.Store{Dir: t.TempDir()}
	b, err := os.ReadFile("../audit/testdata/na999-template.csv")
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "u-e05e0123abcd.part")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := st.RunAudit(context.Background(), runs.AuditRequest{File: tmp, Name: "na999.csv", Map: "pk-long", RunName: " NA-999 forms\x00 "}, "tester", nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "NA-999 forms" || !slices.Equal(in.Inputs, []string{"na999.csv"}) {
		t.Errorf("run %q of %v", in.Name, in.Inputs)
	}
	cs, err := st.Contest(in.ID, "NA-999")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(cs)
	dir := filepath.Join(st.Dir, runs.Audit, in.ID)
	for _, f := range []string{"forensics.json", "flags.jsonl", "checks-flags.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		out = append(out, b...)
	}
	if strings.Contains(string(out), "u-e05e") || !strings.Contains(string(out), "na999.csv") {
		t.Errorf("the run names the temporary file or not the user's:\n%.2000s", out)
	}
}
