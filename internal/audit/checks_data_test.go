package audit_test

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/audit"
)

// Pakistan general elections: rejected ballots exceed the winning margin in
// 34 of 269 NA and 95 of 561 PA seats in 2013, 45 of 269 NA seats in 2008
// (elections.md §2, A10, counting rows: 2008 NA-230 is in the file twice,
// so 45 of 268 seats; FAFEN's count for 2018 was 49/270).
func TestRejectedGreaterThanMarginPakistan(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	res := audit.Check(imp, audit.CheckOptions{})
	for _, tc := range []struct {
		prefix, assembly string
		flagged, seats   int
	}{
		{"2013-05-11 ", "National", 34, 269},
		{"2013-05-11 ", "Provincial", 95, 561},
		// the file has 269 NA rows for 2008, NA-230 twice (identical rows)
		{"2008-02-18 ", "National", 45, 268},
	} {
		assembly := map[string]string{}
		for _, f := range imp.Election.Forms {
			assembly[f.Contest] = f.Status
		}
		in := func(contest string) bool {
			return strings.HasPrefix(contest, tc.prefix) && !strings.Contains(contest, "By-Election") && assembly[contest] == tc.assembly
		}
		seats, flagged := 0, 0
		for _, e := range res.Evidence {
			if in(e.Contest) {
				seats++
			}
		}
		for _, f := range res.Flags {
			if f.Rule == "A10-rejected-gt-margin" && in(f.Contest) {
				flagged++
			}
		}
		if seats != tc.seats || flagged != tc.flagged {
			t.Errorf("%s%s: rejected > margin in %d of %d seats, want %d of %d", tc.prefix, tc.assembly, flagged, seats, tc.flagged, tc.seats)
		}
	}
}

// The remainder of a Pakistani constituency result (the votes of every
// other candidate together) is not a candidate: every contest's margin is
// the winner's votes minus the runner-up's, as the file's own MOV_votes
// column has it (2013 NA-32: 5,590, not "(all others)" by 20,700; NA-15:
// 21,666, not 2,386).
func TestPakistanConstituencyMargins(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	res := audit.Check(imp, audit.CheckOptions{})
	raw, err := os.Open(filepath.Join(dataDir(t), "pk", "pk_constituency_results_cookman.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	recs, err := csv.NewReader(raw).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	want := map[string]string{} // "date number" (general elections) -> MOV_votes
	for _, r := range recs[1:] {
		if r[col["election_type"]] == "General Election" {
			want[r[col["election_date"]]+" "+r[col["constituency_number"]]] = r[col["MOV_votes"]]
		}
	}
	checked := 0
	for _, e := range res.Evidence {
		if strings.Contains(e.Winner, "all others") || strings.Contains(e.Runner, "all others") {
			t.Errorf("%s: winner %q, runner-up %q: the remainder is not a candidate", e.Contest, e.Winner, e.Runner)
		}
		if w, ok := want[e.Contest]; ok && w != "" {
			checked++
			if got := strconv.FormatInt(e.Margin, 10); got != w {
				t.Errorf("%s: margin %s, MOV_votes %s", e.Contest, got, w)
			}
		}
	}
	if checked < 2000 {
		t.Errorf("only %d contests compared with MOV_votes", checked)
	}
	for _, tc := range []struct {
		contest, winner string
		margin          int64
	}{{"2013-05-11 NA-32", "Iftikhar Ud Din", 5590}, {"2013-05-11 NA-15", "Nasir Khan Khattak", 21666}} {
		for _, e := range res.Evidence {
			if e.Contest == tc.contest && (!strings.HasPrefix(e.Winner, tc.winner) || e.Margin != tc.margin) {
				t.Errorf("%s: %s by %d, want %s by %d", tc.contest, e.Winner, e.Margin, tc.winner, tc.margin)
			}
		}
	}
	if n := res.Counts["P1-valid"]; n != 0 {
		t.Errorf("%d P1-valid flags: valid votes = winner + runner-up + third + the rest in every contest of the file", n)
	}
}

// Afghanistan 2014 run-off: preliminary and final totals (final excluding
// invalidated stations) equal the IEC figures (elections.md §2, A9).
func TestProvisionalFinalAfghanistan2014(t *testing.T) {
	if testing.Short() {
		t.Skip("Afghanistan 2014 provisional against final: not in -short (go test ./..., as CI runs it, does)")
	}
	imp := load(t, "af/af_2014_runoff_ps_results.csv.gz", "af2014")
	// one station row has no counts at all: a reported reject, not a zero
	if len(imp.Rejects) != 1 || imp.Rejects[0].Line != 15308 {
		t.Errorf("rejects: %v", imp.Rejects)
	}
	res := audit.Check(imp, audit.CheckOptions{})
	if len(res.Provisional) != 1 {
		t.Fatalf("provisional sums: %d", len(res.Provisional))
	}
	p := res.Provisional[0]
	want := map[string][2]int64{"Ghani": {4485888, 3935567}, "Abdullah": {3461639, 3185018}}
	for c, w := range want {
		if p.Provisional[c] != w[0] || p.FinalValid[c] != w[1] {
			t.Errorf("%s: prelim %d final %d, want %d %d", c, p.Provisional[c], p.FinalValid[c], w[0], w[1])
		}
	}
	t.Logf("units %v, flags %v", p.Units, res.Counts)
}

// Rawalpindi claim test (elections.md §3): NA-56 Form 47 PML-N +14,036;
// PTI-claimed Form 45 PTI +38,817; swing 52,853.
func TestClaimNA56(t *testing.T) {
	imp := load(t, "pk/pk_2024_na_form47_vs_claimed_form45.csv", "pk2024")
	r, err := audit.TestClaim(imp, audit.Claim{Contest: "NA-56", X: "PML-N", Y: "PTI-IND", N: 50000})
	if err != nil {
		t.Fatal(err)
	}
	if r.RefMargin != 14036 || len(r.Sets) != 1 || r.Sets[0].Margin != -38817 || r.Sets[0].Swing != 52853 || !r.Sets[0].Supports {
		t.Errorf("%+v", r)
	}
	// the only other evidence is PTI's own claim: it agrees, but a party's
	// claim is not evidence, so the claim is untested, not supported
	if r.Sets[0].Evidence || !strings.HasPrefix(r.Verdict, "untested") || !strings.Contains(r.Verdict, "party's own claim") {
		t.Errorf("verdict %q (set counts as evidence: %v)", r.Verdict, r.Sets[0].Evidence)
	}
}

// Pakistan 2024: PTI-claimed Form 45 totals give a different winner from
// Form 47 in 43 seats (elections.md §1); seats where the claimed top two tie
// have no winner and are not counted.
func TestWinnerFlipsPakistan2024(t *testing.T) {
	imp := load(t, "pk/pk_2024_na_form47_vs_claimed_form45.csv", "pk2024")
	res := audit.Check(imp, audit.CheckOptions{})
	if res.Counts["P8-winner-flip"] != 43 {
		t.Errorf("winner flips %d, want 43", res.Counts["P8-winner-flip"])
	}
}

// Afghanistan 2009: Karzai preliminary 3,093,256 and unchallenged final
// 1,904,900; the four merged minor candidates 19,222 (elections.md §2 A9,
// shared/data/elections README).
func TestProvisionalFinalAfghanistan2009(t *testing.T) {
	if testing.Short() {
		t.Skip("Afghanistan 2009 provisional against final (about 5 s): not in -short (go test ./..., as CI runs it, does)")
	}
	imp := load(t, "af/af_2009_pc_results.csv.gz", "af2009")
	if len(imp.Rejects) != 0 {
		t.Errorf("%d rejects, first %+v", len(imp.Rejects), imp.Rejects[0])
	}
	res := audit.Check(imp, audit.CheckOptions{})
	p := res.Provisional[0]
	var karzai, merged string
	for c := range p.Final {
		if strings.HasPrefix(c, "983418") {
			karzai = c
		}
		if strings.HasPrefix(c, "MERGED4") {
			merged = c
		}
	}
	if p.Provisional[karzai] != 3093256 || p.FinalValid[karzai] != 1904900 || p.FinalValid[merged] != 19222 {
		t.Errorf("Karzai %q prelim %d final %d; merged %d", karzai, p.Provisional[karzai], p.FinalValid[karzai], p.FinalValid[merged])
	}
	// votes above the IEC's estimated voters in 430 centres (elections.md §4)
	f := forensics(t, imp, audit.ForensicsOptions{})
	if f.Outliers.Counts[audit.OAboveReg] != 430 {
		t.Errorf("centres above estimated voters: %d, want 430", f.Outliers.Counts[audit.OAboveReg])
	}
}

// Turnout is checked on constituency-level results too: 2008 PP-157 polled
// 51,061 votes for 13,916 registered voters, 2013 PP-256 94,258 for 71,895
// (131 %).
func TestTurnoutConstituencyLevel(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	res := audit.Check(imp, audit.CheckOptions{})
	got := map[string]string{}
	for _, f := range res.Flags {
		if strings.HasPrefix(f.Rule, "P2-") {
			got[f.Contest] = f.Rule + " " + f.Values
		}
	}
	for contest, want := range map[string]string{
		"2008-02-18 PP-157": "P2-above-registered polled=51061 registered=13916",
		"2013-05-11 PP-256": "P2-above-registered polled=94258 registered=71895",
	} {
		if got[contest] != want {
			t.Errorf("%s: %q, want %q", contest, got[contest], want)
		}
	}
}

// The recount threshold of the Elections Act 2017 (s.95(5)) applies only to
// contests held under it (in force from 2 October 2017): none of the
// 1993-2013 contests gets the flag, and each evidence set names the rule
// that applies (or none).
func TestRecountThresholdByDate(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	res := audit.Check(imp, audit.CheckOptions{})
	date := map[string]string{}
	for _, c := range imp.Election.Contests {
		date[c.ID] = c.Date
	}
	if date["2013-05-11 NA-32"] != "2013-05-11" || date["2018-02-12 By-Election NA-154"] != "2018-02-12" {
		t.Errorf("contest dates: %q, %q", date["2013-05-11 NA-32"], date["2018-02-12 By-Election NA-154"])
	}
	for _, f := range res.Flags {
		if f.Rule == "P8-recount-threshold" && date[f.Contest] < "2017-10-02" {
			t.Errorf("%s (%s): %s", f.Contest, date[f.Contest], f.Values)
		}
	}
	rules := map[string]int{}
	for _, e := range res.Evidence {
		act := date[e.Contest] >= "2017-10-02"
		if got := strings.HasPrefix(e.RecountRule, "Elections Act 2017"); got != act {
			t.Errorf("%s (%s): recount rule %q", e.Contest, date[e.Contest], e.RecountRule)
		}
		rules[e.RecountRule]++
	}
	if len(rules) != 2 || res.RecountRules[audit.RecountNone] != len(res.Evidence)-5 {
		t.Errorf("rules %v, summary %v", rules, res.RecountRules)
	}
	// the 2024 Form 47s are held under the Act
	imp24 := load(t, "pk/pk_2024_na_form47_vs_claimed_form45.csv", "pk2024")
	for _, e := range audit.Check(imp24, audit.CheckOptions{}).Evidence {
		if e.RecountRule != audit.RecountAct2017 {
			t.Fatalf("2024 %s: %q", e.Contest, e.RecountRule)
		}
	}
}

// A row that repeats an earlier result exactly (2008 NA-230 and PS-10 are
// in the constituency file twice) is a reject naming the first, never a
// second contest.
func TestPakistanConstituencyDuplicateRows(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	var got []string
	for _, r := range imp.Rejects {
		got = append(got, fmt.Sprintf("%d: %s", r.Line, r.Reason))
	}
	want := []string{
		"944: the same result as line 943 again (2008-02-18 NA-230, an identical row): not counted twice",
		"1423: the same result as line 1422 again (2008-02-18 PS-10, an identical row): not counted twice",
		"2481: missing count in column votes_disq",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
	for _, c := range imp.Election.Contests {
		if strings.Contains(c.ID, "#") {
			t.Errorf("contest %s", c.ID)
		}
	}
}
