package audit_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
)

// ruFixture is a hand-made file in the layout of shared/data/elections/ru
// (testdata/ru/README.md): two online-voting pseudo-stations that differ
// only by their OIK, a station with more ballots in the mobile box than
// issued outside, one with more ballots issued than received, one with no
// registered voters, and a station given twice.
const ruFixture = "testdata/ru/ru_2099.csv"

func TestRussianMapFixture(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), ruFixture, "ru")
	if err != nil {
		t.Fatal(err)
	}
	if imp.Rows != 7 || len(imp.Election.Forms) != 6 {
		t.Errorf("%d rows, %d forms; want 7 rows, 6 forms (one station given twice)", imp.Rows, len(imp.Election.Forms))
	}
	if len(imp.Rejects) != 1 || imp.Rejects[0].Line != 8 || !strings.Contains(imp.Rejects[0].Reason, "line 5") {
		t.Errorf("rejects %+v: want line 8, the second copy of the station on line 5", imp.Rejects)
	}
	var ids []string
	for _, f := range imp.Election.Forms {
		ids = append(ids, f.Station)
	}
	want := []string{"Область А/ОИК №1/Первая/УИК №1", "Область А/ОИК №1/Дистанционное электронное голосование/",
		"Область А/ОИК №2/Дистанционное электронное голосование/", "Область Б/Вторая/7", "Область Б/Вторая/8", "Область Б/Вторая/9"}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("stations (-want +got):\n%s", d)
	}
	// the mobile box and the ballots issued outside stay two lines
	f := imp.Election.Forms[3]
	out, ok1 := f.Value(tahqiq.KeyIssuedOutside, "")
	mob, ok2 := f.Value(tahqiq.KeyBallotsMobile, "")
	if !ok1 || !ok2 || out != 10 || mob != 30 {
		t.Errorf("station 7: issued outside %d (%v), mobile box %d (%v)", out, ok1, mob, ok2)
	}
	res := audit.Check(imp, audit.CheckOptions{})
	got := map[string]string{}
	for _, fl := range res.Flags {
		got[fl.Rule] += fl.Station + " " + fl.Values + "; "
	}
	wantFlags := map[string]string{
		"A8-mobile-gt-outside":  "Область Б/Вторая/7 mobile_box=30 issued_outside=10; ",
		"A8-issued-gt-received": "Область Б/Вторая/8 issued=620 received=600; ",
		"A8-registered-zero":    "Область Б/Вторая/9 registered=0 issued=0; ",
	}
	if d := cmp.Diff(wantFlags, got); d != "" {
		t.Errorf("flags (-want +got):\n%s", d)
	}
}

// Russia 2021: 96,325 rows, 96,325 stations (the 16 online-voting
// pseudo-stations of four regions differ only by their OIK; 12 of them were
// dropped without a word when the OIK was not part of a station's id).
func TestRussia2021EveryRowAStation(t *testing.T) {
	if testing.Short() {
		t.Skip("Russia 2021, every row (about 5 s): not in -short (go test ./..., as CI runs it, does)")
	}
	imp := load(t, "ru/ru_2021.csv.gz", "ru")
	if imp.Rows != 96325 || len(imp.Election.Forms) != 96325 || len(imp.Rejects) != 0 {
		t.Errorf("%d rows, %d forms, %d rejects; want 96,325, 96,325, 0", imp.Rows, len(imp.Election.Forms), len(imp.Rejects))
	}
	if n := len(audit.Stations(imp, "", audit.TurnoutIssued).Rows); n != 96325 {
		t.Errorf("%d stations analysed, want 96,325", n)
	}
}

// The Russian protocol checks on real data (computed independently from
// the files; elections.md A8: 0 failures of the three identities, "in boxes
// > issued" 13 stations in 2012, "mobile box > issued outside" 1.2k-1.9k per
// election).
func TestRussianChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("every check on Russian results: not in -short (go test ./..., as CI runs it, does)")
	}
	years := []struct {
		year                              string
		mobile, boxes, issued, registered int
	}{
		{"2012", 1434, 13, 0, 1},
		{"2016", 1469, -1, 1, 0},
		{"2004", 1291, -1, 1, 0},
		{"2007", 1222, -1, 1, 8},
		{"2008", 1290, -1, 0, 1},
		{"2011", 1310, -1, 1, 0},
		{"2018", 1682, -1, 0, 0},
		{"2020", 0, -1, 0, 11},
		{"2021", 1558, -1, 0, 17},
		{"2024", 1856, -1, 0, 7},
	}
	for i, tc := range years {
		if i > 0 && testing.Short() {
			t.Log("other years: not in -short mode")
			break
		}
		t.Run(tc.year, func(t *testing.T) {
			res := audit.Check(load(t, "ru/ru_"+tc.year+".csv.gz", "ru"), audit.CheckOptions{})
			for _, r := range []string{"A8-valid", "A8-boxes", "A8-received"} {
				if res.Counts[r] != 0 {
					t.Errorf("%s: %d failures, want 0", r, res.Counts[r])
				}
			}
			for _, c := range []struct {
				rule string
				want int
			}{{"A8-mobile-gt-outside", tc.mobile}, {"A8-boxes-gt-issued", tc.boxes}, {"A8-issued-gt-received", tc.issued}, {"A8-registered-zero", tc.registered}} {
				if c.want >= 0 && res.Counts[c.rule] != c.want {
					t.Errorf("%s: %d, want %d", c.rule, res.Counts[c.rule], c.want)
				}
			}
		})
	}
}

// --leader matches a column code, the full label or a unique part of a
// name (any case), and refuses anything else with the list of candidates.
func TestLeaderMatching(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), ruFixture, "ru")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ leader, want, err string }{
		{"", "c01 Ivanov Ivan Ivanovich", ""},
		{"c02", "c02 Petrov Petr Ivanovich", ""},
		{"C03", "c03 Sidorova Anna Petrovna", ""},
		{"sidorova", "c03 Sidorova Anna Petrovna", ""},
		{"c01 Ivanov Ivan Ivanovich", "c01 Ivanov Ivan Ivanovich", ""},
		{"Ivanov", "", `"Ivanov" matches several candidates: c01 Ivanov Ivan Ivanovich; c02 Petrov Petr Ivanovich`},
		{"Putin", "", `no candidate matches "Putin" (candidates: c01 Ivanov Ivan Ivanovich; c02 Petrov Petr Ivanovich; c03 Sidorova Anna Petrovna)`},
		{"c04", "", `no candidate matches "c04"`},
	} {
		t.Run(tc.leader, func(t *testing.T) {
			f, err := audit.RunForensics(imp, audit.ForensicsOptions{Leader: tc.leader})
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) || tahqiq.ErrorCode(err) == tahqiq.EINTERNAL {
					t.Errorf("error %v, want one containing %q", err, tc.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case f.Leader != tc.want || f.Integer.Leader != tc.want || f.Integer.Included == 0:
				t.Errorf("leader %q (integer test %q, %d stations included), want %q", f.Leader, f.Integer.Leader, f.Integer.Included, tc.want)
			}
		})
	}
}

// A run with nothing to analyse is refused with a clear message, never a
// report of zeros.
func TestNothingToAnalyse(t *testing.T) {
	imp, err := audit.ReadFile(context.Background(), ruFixture, "ru")
	if err != nil {
		t.Fatal(err)
	}
	_, err = audit.RunForensics(imp, audit.ForensicsOptions{FormType: "45"})
	if !errors.Is(err, audit.ErrNothingToAnalyse) || tahqiq.ErrorCode(err) != tahqiq.EINVALID ||
		!strings.Contains(err.Error(), "no polling-station forms of type 45") || !strings.Contains(err.Error(), "ru-uik (6 stations)") {
		t.Errorf("--form 45 on Russian protocols: %v", err)
	}
	dir := t.TempDir()
	header := filepath.Join(dir, "ru_2099.csv")
	b, err := os.ReadFile(ruFixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(header, b[:bytes.IndexByte(b, '\n')+1], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.ReadFile(context.Background(), header, "ru"); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "no data rows") {
		t.Errorf("header-only file: %v", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, append(b[:bytes.IndexByte(b, '\n')+1], "Область,,Т,1,x,,,,,,,,,,1,,,,1,,1,1,1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.ReadFile(context.Background(), bad, "ru"); tahqiq.ErrorCode(err) != tahqiq.EINVALID || !strings.Contains(err.Error(), "every data row was rejected") ||
		!strings.Contains(err.Error(), `line 2: column registered: not a count "x"`) {
		t.Errorf("file of rejects only: %v", err)
	}
	for _, m := range []struct{ file, map_ string }{{"pk/pk_2024_na_form47_vs_claimed_form45.csv", "pk2024"}, {"pk/pk_constituency_results_cookman.csv", "pk-constituency"}} {
		_, err := audit.RunForensics(load(t, m.file, m.map_), audit.ForensicsOptions{})
		if !errors.Is(err, audit.ErrNothingToAnalyse) || !strings.Contains(err.Error(), "no polling-station forms") {
			t.Errorf("forensics on %s: %v", m.map_, err)
		}
	}
}
