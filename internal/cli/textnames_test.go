package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestTextNames: the text analyses write what the data calls an account
// beside its UID (issue 16), by the rule of coordination runs (the first
// record naming the account), read here from the file's own users
// objects: narratives' members.csv (handle, name) and narratives.csv
// (representative_accounts, representative_authors), targets' events.csv
// (actor_name beside actor_handle), claims match's matches.csv (handle,
// name); the same from the file and from the dataset imported from it.
// Real input: X API v2 pages of twarc2 (withheld.jsonl).
func TestTextNames(t *testing.T) {
	withheld := filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "withheld.jsonl")
	want := twarcNames(t, withheld)
	work := t.TempDir()
	data := filepath.Join(work, "data")
	wl := filepath.Join(work, "watch.txt")
	os.WriteFile(wl, []byte("BleacherReport\nWhoDisTweet\nSportsCenter\nclimatemorgan\nAstraZeneca\n"), 0o644)
	cl := filepath.Join(work, "claims.csv")
	os.WriteFile(cl, []byte("claim,url,rating,publisher,review_date,language\n"+
		`"When the pandemic first hit, India fought a phony war and by dumb luck it won",https://factcheck.example.org/phony,Misleading,Example,2021-05-10,en`+"\n"), 0o644)
	if code, _, stderr := run(t, data, "", "import", "--dataset", "d", withheld); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	for _, src := range [][]string{{"--input", withheld}, {"--dataset", "d"}} {
		out := func(name string) string { return filepath.Join(work, src[0][2:], name) }
		for _, args := range [][]string{
			{"narratives", "--min-posts", "2", "--out", out("narratives")},
			{"targets", "--watchlist", wl, "--out", out("targets")},
			{"claims", "match", "--claims", cl, "--out", out("claims")},
		} {
			if code, _, stderr := run(t, data, "", append(args, src...)...); code != 0 {
				t.Fatalf("%v %v: %s", args, src, stderr)
			}
		}
		check := func(file, uid, handle, name string, min int) {
			t.Helper()
			rows := readCSVMaps(t, out(file))
			if len(rows) < min {
				t.Fatalf("%s: %d rows, want at least %d", file, len(rows), min)
			}
			named := 0
			for _, r := range rows {
				w := want[r[uid]]
				if (handle != "" && r[handle] != w.Handle) || r[name] != w.Name {
					t.Errorf("%s %v: %s named %q %q, want %q %q", file, src, r[uid], r[handle], r[name], w.Handle, w.Name)
				}
				if r[name] != "" {
					named++
				}
			}
			if named == 0 {
				t.Errorf("%s %v: no account named", file, src)
			}
		}
		check("narratives/members.csv", "account_id", "handle", "name", 200)
		check("targets/events.csv", "actor_id", "actor_handle", "actor_name", 10)
		check("claims/matches.csv", "account_id", "handle", "name", 1)
		for _, r := range readCSVMaps(t, out("narratives/narratives.csv")) {
			if r["representative_accounts"] == "" {
				t.Fatalf("narratives.csv %v: %s has no representative accounts", src, r["narrative_id"])
			}
			var labels []string
			for _, uid := range strings.Split(r["representative_accounts"], ";") {
				labels = append(labels, coord.AccountName(want[uid]).Label(uid))
			}
			if got := strings.Join(labels, ";"); r["representative_authors"] != got {
				t.Errorf("narratives.csv %v: %s representative_authors %q, want %q", src, r["narrative_id"], r["representative_authors"], got)
			}
		}
	}
	for _, f := range []string{"narratives/members.csv", "narratives/narratives.csv", "targets/events.csv", "claims/matches.csv"} {
		a, _ := os.ReadFile(filepath.Join(work, "input", f))
		b, _ := os.ReadFile(filepath.Join(work, "dataset", f))
		if f != "narratives/members.csv" && string(a) != string(b) { // members.csv: the same rows, in the order of the posts read
			t.Errorf("%s: the run of the file and of the dataset differ", f)
		}
	}
}
