package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
)

// The hand-made template fixture fires every Pakistani check once
// (testdata/README.md); the counts per rule are the specification.
func TestChecksTemplate(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), "testdata/na999-template.csv", "pk-long")
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Rejects) != 2 || imp.Rejects[0].Line != 54 || !strings.Contains(imp.Rejects[0].Reason, "non-integer") ||
		!strings.Contains(imp.Rejects[1].Reason, "negative") {
		t.Errorf("rejects %+v", imp.Rejects)
	}
	res := audit.Check(imp, audit.CheckOptions{})
	want := map[string]int{
		"P1-total": 2, "P3-account": 1, "P4-copy-digit-overwritten": 1, "P4-copy-swap": 1, "P5-47-vs-45": 1,
		"P6-48-vs-45": 1, "P6-no-result": 1, "P6-not-in-scheme": 1, "P7-49-vs-47": 2, "P8-winner-flip": 5,
		"P9-form47-late": 1, "P9-published-late": 3,
	}
	if d := cmp.Diff(want, res.Counts); d != "" {
		t.Errorf("flags by rule (-want +got):\n%s", d)
	}
	var p7 []string
	for _, f := range res.Flags {
		if f.Rule == "P7-49-vs-47" {
			p7 = append(p7, f.Severity+" "+f.Values)
		}
	}
	wantP7 := []string{
		"info A: form47=953 form49=933 delta=-20 postal=+20 stations=-40 unexplained=+0",
		"error B: form47=705 form49=575 delta=-130 postal=+10 stations=-40 unexplained=-100",
	}
	if d := cmp.Diff(wantP7, p7); d != "" {
		t.Errorf("P7 (-want +got):\n%s", d)
	}
	dir := t.TempDir()
	if err := audit.WriteChecks(dir, imp, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "flags.csv"))
	if err != nil || strings.Count(string(b), "\n") != 21 {
		t.Errorf("flags.csv: %v, %d lines", err, strings.Count(string(b), "\n"))
	}
}

// One copy per station is analysed; the agent copies of stations 1 and 2
// are counted, not dropped without a word.
func TestForensicsCountsCopies(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), "testdata/na999-template.csv", "pk-long")
	if err != nil {
		t.Fatal(err)
	}
	f := forensics(t, imp, audit.ForensicsOptions{})
	if f.Stations != 4 || f.Copies != 2 {
		t.Errorf("%d stations, %d copies not analysed; want 4 and 2", f.Stations, f.Copies)
	}
}

func TestClaimTemplateStations(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), "testdata/na999-template.csv", "pk-long")
	if err != nil {
		t.Fatal(err)
	}
	r, err := audit.TestClaim(imp, audit.Claim{Contest: "NA-999", X: "A", Y: "B", N: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Reference != "form 49 (official) f49" || r.RefMargin != 358 {
		t.Fatalf("reference %q %d", r.Reference, r.RefMargin)
	}
	// form 47 supports (+110); B's claimed totals (+558) are a party's claim
	// and not counted; the official and agent Form 45 sums and the Form 48
	// sum do not support
	if want := "supported by 1 of 4 other evidence sets of forms (not counted: 1 party claim, which supports it)"; r.Verdict != want {
		t.Errorf("verdict %q, want %q", r.Verdict, want)
	}
	for _, s := range r.Sets {
		if strings.HasPrefix(s.Name, "sum of form 45 (agent)") {
			// station 2: official 203-265=-62, agent 803-265=538 -> swing -600;
			// station 1: 100 vs -100 -> +200; station 3 only official (410-100)
			got := map[string]int64{}
			for _, st := range s.Stations {
				got[st.Station] = st.Swing
			}
			if d := cmp.Diff(map[string]int64{"1": 200, "2": -600, "3": 310}, got); d != "" {
				t.Errorf("stations (-want +got):\n%s", d)
			}
		}
	}
}

func TestClassifyDigits(t *testing.T) {
	for _, tc := range []struct {
		a, b int64
		want string
	}{
		{203, 803, "digit-overwritten"}, {235, 1235, "digit-inserted"}, {767, 67, "digit-dropped"},
		{123, 132, "digits-transposed"}, {100, 999, "other"}, {5, 5, "equal"},
	} {
		if got := audit.ClassifyDigits(tc.a, tc.b); got != tc.want {
			t.Errorf("%d -> %d: %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"0", "12", "-3", "1.5", "", "1e3", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, why := audit.ParseCount(s)
		if why == "" && v < 0 {
			t.Fatalf("%q -> %d", s, v)
		}
	})
}

// FuzzReadLong: any input is read without panic, and every row is either a
// line item or a reject.
func FuzzReadLong(f *testing.F) {
	b, _ := os.ReadFile("testdata/na999-template.csv")
	f.Add(string(b))
	f.Add("contest,form_type,form_id,source,item,value\nNA-1,45,x,official,votes,1\n")
	f.Fuzz(func(t *testing.T, s string) {
		p := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		imp, err := audit.ReadFile(context.Background(), p, "pk-long")
		if err != nil {
			return
		}
		audit.Check(imp, audit.CheckOptions{})
	})
}

func TestDemo(t *testing.T) {
	var b strings.Builder
	dir := t.TempDir()
	if err := audit.Demo(context.Background(), &b, dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "P4-copy-swap") {
		t.Errorf("demo output:\n%s", b.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "audit-check", "report.html")); err != nil {
		t.Error(err)
	}
}

func TestSaveImport(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), "testdata/na999-template.csv", "pk-long")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, m, err := audit.Save(dir, imp, time.Unix(0, 0), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(p, "forms.jsonl"))
	if err != nil || strings.Count(string(b), "\n") != m.Forms || m.Forms != 17 || m.Rejects != 2 {
		t.Errorf("forms.jsonl: %v, %d lines, manifest %+v", err, strings.Count(string(b), "\n"), m)
	}
	if _, _, err := audit.Save(dir, imp, time.Unix(0, 0), "test"); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("second save: %v", err)
	}
}

// The compact forms.jsonl lines are valid JSON whatever the names hold.
func FuzzStoreLine(f *testing.F) {
	f.Add("NA-1", "a\"b\\c\x01\xff")
	f.Fuzz(func(t *testing.T, contest, cand string) {
		imp := &audit.Import{File: "x", SHA256: "s", Map: "pk-long", Election: &tahqiq.Election{Forms: []*tahqiq.FormInstance{{
			ID: "f", Type: "45", Source: "agent", Contest: contest, Items: []tahqiq.LineItem{{Key: "votes", Candidate: cand, Value: 3}}}}}}
		dir, _, err := audit.Save(t.TempDir(), imp, time.Unix(0, 0), "t")
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "forms.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Contest string  `json:"contest"`
			Items   [][]any `json:"items"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if utf8.ValidString(contest) && v.Contest != contest {
			t.Errorf("contest %q -> %q", contest, v.Contest)
		}
	})
}

// The long template is validated row by row: every bad field is a reject
// naming the column, the value and what was expected; a header that names a
// column twice is refused (any map).
func TestLongTemplateValidation(t *testing.T) {
	const header = "election,election_date,contest,region,station,form_type,form_id,source,file_sha256,page,issued_at,published_at,status,item,candidate,value\n"
	const good = "GE,2024-02-08,NA-1,R,1,45,f1,official,,,,,,votes,A,10\n"
	sha := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name, row, reject string
	}{
		{"good row", good, ""},
		{"good full row", "GE,2024-02-08,NA-1,R,1,45,f1,agent," + sha + ",2,2024-02-09T01:00:00+05:00,2024-02-20T10:00:00Z,ok,total_polled,,10\n", ""},
		{"constituency form", "GE,2024-02-08,NA-1,R,,47,f47,official,,,,,,postal,A,3\n", ""},
		{"unknown item", "GE,2024-02-08,NA-1,R,1,45,f1,official,,,,,,votez,A,10\n", `column item: unknown line item "votez" (known: votes, other_votes, registered,`},
		{"unknown form type", "GE,2024-02-08,NA-1,R,1,44,f1,official,,,,,,votes,A,10\n", `column form_type: unknown form type "44" (known: 28, 45, 46, 47, 48, 49)`},
		{"unknown source", "GE,2024-02-08,NA-1,R,1,45,f1,pti,,,,,,votes,A,10\n", `column source: unknown source "pti" (known: official, agent, party_claim, observer, snapshot)`},
		{"station form without station", "GE,2024-02-08,NA-1,R,,45,f1,official,,,,,,votes,A,10\n", "form 45 is a polling-station form: column station is empty"},
		{"constituency form with station", "GE,2024-02-08,NA-1,R,3,49,f49,official,,,,,,votes,A,10\n", `form 49 is a constituency-level form: column station must be empty, not "3"`},
		{"bad issued_at", "GE,2024-02-08,NA-1,R,1,45,f1,official,,,yesterday,,,votes,A,10\n", `column issued_at: "yesterday" is not an RFC 3339 time (e.g. 2024-02-09T01:30:00+05:00)`},
		{"bad published_at", "GE,2024-02-08,NA-1,R,1,45,f1,official,,,,2024-02-20,,votes,A,10\n", `column published_at: "2024-02-20" is not an RFC 3339 time`},
		{"bad election_date", "GE,8 Feb 2024,NA-1,R,1,45,f1,official,,,,,,votes,A,10\n", `column election_date: "8 Feb 2024" is not a date YYYY-MM-DD`},
		{"bad hash", "GE,2024-02-08,NA-1,R,1,45,f1,official,abc123,,,,,votes,A,10\n", `column file_sha256: "abc123" is not a SHA-256 (64 hexadecimal digits)`},
		{"bad page", "GE,2024-02-08,NA-1,R,1,45,f1,official,,p2,,,,votes,A,10\n", `column page: "p2" is not a page number (1, 2, ...)`},
		{"page zero", "GE,2024-02-08,NA-1,R,1,45,f1,official,,0,,,,votes,A,10\n", `column page: "0" is not a page number`},
		{"candidate on a count line", "GE,2024-02-08,NA-1,R,1,45,f1,official,,,,,,rejected,A,10\n", `item rejected takes no candidate (column candidate: "A")`},
		{"postal without candidate", "GE,2024-02-08,NA-1,R,,49,f49,official,,,,,,postal,,10\n", "item postal without a candidate"},
		{"claimed totals without station", "GE,2024-02-08,NA-1,R,,45,f1,party_claim,,,,,,votes,A,10\n", ""},
		{"missing columns", ",2024-02-08,NA-1,R,1,,f1,,,,,,,votes,A,10\n", "missing form_type, source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.csv")
			// a good row first, so that the file always has a form
			body := header + good
			if tc.row != good {
				body += strings.Replace(tc.row, ",f1,", ",f2,", 1) // a form of its own
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			imp, err := audit.ReadFile(context.Background(), p, "pk-long")
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, r := range imp.Rejects {
				got += fmt.Sprintf("line %d: %s; ", r.Line, r.Reason)
			}
			if (tc.reject == "") != (got == "") || !strings.Contains(got, tc.reject) || (tc.reject != "" && !strings.HasPrefix(got, "line 3: ")) {
				t.Errorf("rejects %q, want line 3 with %q", got, tc.reject)
			}
		})
	}
	// every row of one form_id describes the same form
	p := filepath.Join(t.TempDir(), "differs.csv")
	if err := os.WriteFile(p, []byte(header+good+"GE,2024-02-08,NA-1,R2,1,45,f1,official,,,,,,votes,B,10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := audit.ReadFile(context.Background(), p, "pk-long")
	if err != nil || len(imp.Rejects) != 1 || imp.Rejects[0].Reason != `form f1: column region is "R2" here but "R" on its first line 2 (every row of a form_id describes the same form)` {
		t.Errorf("form columns that differ: %v %+v", err, imp)
	}
	p = filepath.Join(t.TempDir(), "dup.csv")
	if err := os.WriteFile(p, []byte(strings.Replace(header, "status", "value", 1)+good), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"pk-long", "ru"} {
		if _, err := audit.ReadFile(context.Background(), p, m); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), `column "value" appears twice in the header (columns 13 and 16)`) {
			t.Errorf("map %s, duplicated header column: %v", m, err)
		}
	}
}

// A line given twice for one form in a long file (here the Afghan 2009
// layout: one row per centre and candidate) is a reject naming the first,
// never added twice.
func TestItemGivenTwice(t *testing.T) {
	p := filepath.Join(t.TempDir(), "af.csv")
	if err := os.WriteFile(p, []byte("pc_code,province,est_voters,candidate_code,votes_prelim,votes_final\n"+
		"101,P,1000,A,10,9\n101,P,1000,B,20,20\n101,P,1000,A,10,9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := audit.ReadFile(context.Background(), p, "af2009")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range imp.Rejects {
		got = append(got, fmt.Sprintf("%d: %s", r.Line, r.Reason))
	}
	want := []string{
		"4: 101#prelim: votes A is given again (first on line 2): not read, so that nothing is counted twice",
		"4: 101#final: votes A is given again (first on line 2): not read, so that nothing is counted twice",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
	for _, f := range imp.Election.Forms {
		if v, _ := f.Value("votes", "A"); len(f.Votes()) != 2 || v > 10 {
			t.Errorf("%s: %+v", f.ID, f.Items)
		}
	}
}
