package audit_test

import (
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/audit"
)

// Pakistan GE 2013: rejected ballots exceed the winning margin in 34 of 269
// NA seats (elections.md §2, A10; FAFEN's count for 2018 was 49/270).
func TestRejectedGreaterThanMarginPakistan2013(t *testing.T) {
	imp := load(t, "pk/pk_constituency_results_cookman.csv", "pk-constituency")
	res := audit.Check(imp, audit.CheckOptions{})
	seats, flagged := 0, 0
	for _, e := range res.Evidence {
		if strings.HasPrefix(e.Contest, "2013-05-11 NA-") {
			seats++
		}
	}
	for _, f := range res.Flags {
		if f.Rule == "A10-rejected-gt-margin" && strings.HasPrefix(f.Contest, "2013-05-11 NA-") {
			flagged++
		}
	}
	if seats != 269 || flagged != 34 {
		t.Errorf("2013 NA: rejected > margin in %d of %d seats, want 34 of 269", flagged, seats)
	}
}

// Afghanistan 2014 run-off: preliminary and final totals (final excluding
// invalidated stations) equal the IEC figures (elections.md §2, A9).
func TestProvisionalFinalAfghanistan2014(t *testing.T) {
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
	f := audit.RunForensics(imp, audit.ForensicsOptions{})
	if f.Outliers.Counts[audit.OAboveReg] != 430 {
		t.Errorf("centres above estimated voters: %d, want 430", f.Outliers.Counts[audit.OAboveReg])
	}
}
