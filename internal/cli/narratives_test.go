package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/claims/evalset"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestNarrativesCLI: on the botocracy tweets (real, MIT), a run on the
// imported dataset and a run on the file give the same members and
// narratives; --json summarises; the copies of one long text and its
// variants are one narrative.
func TestNarrativesCLI(t *testing.T) {
	src := filepath.Join(parsetest.DataDir(t, "social", "botocracy-india-2019"), "all_used_tweets.csv")
	work := t.TempDir()
	data := filepath.Join(work, "data")
	mapSpec := "account=user_id,text=text"
	if code, _, stderr := run(t, data, "", "import", "--dataset", "boto", "--map", mapSpec, src); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	a, b := filepath.Join(work, "a"), filepath.Join(work, "b")
	code, stdout, stderr := run(t, data, "", "narratives", "--dataset", "boto", "--out", a, "--json")
	if code != 0 {
		t.Fatalf("narratives --dataset: %d %s", code, stderr)
	}
	var sum struct {
		Counts map[string]int64 `json:"counts"`
		Top    []struct {
			ID, Label string
			Posts     int
		} `json:"top"`
		Files []string `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if sum.Counts["posts"] != 5052 || sum.Counts["narratives"] == 0 || len(sum.Top) == 0 || len(sum.Files) != 4 {
		t.Errorf("summary = %+v", sum)
	}
	if code, _, stderr := run(t, data, "", "narratives", "--input", src, "--map", mapSpec, "--out", b); code != 0 {
		t.Fatalf("narratives --input: %d %s", code, stderr)
	}
	for _, f := range []string{"members.csv", "narratives.csv", "timeline.csv"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || string(x) != string(y) {
			t.Errorf("%s differs between the dataset run and the file run (%d and %d bytes)", f, len(x), len(y))
		}
	}
	// the variants of the "Ajaz Khan abuse PM Modi / Owaisi brothers ..."
	// list (16 + 9 + 7 + ... copies with other endings) are one narrative
	members, err := os.ReadFile(filepath.Join(a, "members.csv"))
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[string]string{} // ":L<line>" -> narrative
	for _, line := range strings.Split(string(members), "\n")[1:] {
		f := strings.Split(line, ",")
		if len(f) > 2 {
			byLine[f[0][strings.LastIndex(f[0], ":"):]] = f[1]
		}
	}
	ns := map[string]int{}
	for _, r := range csvLines(t, src) {
		if strings.Contains(r.text, "Owaisi brothers threaten") && strings.Contains(r.text, "Comedians mock") {
			ns[byLine[fmt.Sprintf(":L%d", r.line)]]++
		}
	}
	if len(ns) != 1 || ns[""] > 0 {
		t.Errorf("the Owaisi/Ajaz Khan variants are in narratives %v, want one", ns)
	}
}

type csvLine struct {
	line int
	text string
}

// csvLines returns the text column of the botocracy CSV with each record's
// first line.
func csvLines(t *testing.T, path string) []csvLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	var out []csvLine
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := r.FieldPos(0)
		out = append(out, csvLine{line, rec[1]})
	}
	return out
}

// TestClaimsAndTargetsCLI: the labelled set's fact-checks imported as a
// claim set and matched against its posts; a watchlist of the IRA
// election-week set's most mentioned accounts.
func TestClaimsAndTargetsCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("claim matching and targets on real datasets: not in -short (go test ./..., as CI runs it, does)")
	}
	work := t.TempDir()
	data := filepath.Join(work, "data")
	claimsCSV := filepath.Join(evalset.Dir(), "claims.csv")
	code, stdout, stderr := run(t, data, "", "claims", "import", "--set", "eval", "--json", claimsCSV)
	if code != 0 {
		t.Fatalf("claims import: %d %s", code, stderr)
	}
	var imp struct {
		Created bool
		Claims  int
		SHA256  string
	}
	// every fact-check of the labelled set (its parts grow: count them)
	f, err := os.Open(claimsCSV)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) < 2 {
		t.Fatalf("%s: %d records (%v)", claimsCSV, len(recs), err)
	}
	if err := json.Unmarshal([]byte(stdout), &imp); err != nil || !imp.Created || imp.Claims != len(recs)-1 {
		t.Fatalf("claims import --json = %s (%v)", stdout, err)
	}
	if code, stdout, _ := run(t, data, "", "claims", "sets"); code != 0 || !strings.Contains(stdout, "eval") {
		t.Errorf("claims sets: %d %s", code, stdout)
	}
	out := filepath.Join(work, "m")
	posts := filepath.Join(evalset.Dir(), "posts.csv")
	code, stdout, stderr = run(t, data, "", "claims", "match", "--set", "eval", "--input", posts, "--map", "account=id,id=id,text=text", "--out", out, "--json")
	if code != 0 || !strings.Contains(stdout, `"matches"`) {
		t.Fatalf("claims match: %d %s %s", code, stdout, stderr)
	}
	m, err := os.ReadFile(filepath.Join(out, "matches.csv"))
	if err != nil || !strings.Contains(string(m), "https://www.sochfactcheck.com/picture-does-not-show-imran-khan-voting-in-adiala-jail/,other:p01,") {
		t.Errorf("matches.csv lacks the Adiala repeat p01 (%v):\n%s", err, m)
	}
	var man struct {
		Claims []struct{ Name, SHA256, Source string } `json:"claims"`
	}
	raw, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err := json.Unmarshal(raw, &man); err != nil || len(man.Claims) != 1 || man.Claims[0].SHA256 != imp.SHA256 {
		t.Errorf("manifest claims = %+v (%v), want the set with SHA-256 %s", man.Claims, err, imp.SHA256)
	}
	// targets
	ira := filepath.Join(parsetest.DataDir(t, "coord"), "ira_2016_election_week.posts.csv")
	wl := filepath.Join(work, "watch.csv")
	os.WriteFile(wl, []byte("account,label\nrealDonaldTrump,candidate\nHillaryClinton,candidate\n"), 0o644)
	tout := filepath.Join(work, "t")
	code, stdout, stderr = run(t, data, "", "targets", "--watchlist", wl, "--input", ira,
		"--map", "account=account_id,id=post_id,time=timestamp,time_format=unix,text=text,retweet_of=retweet_of", "--out", tout, "--json")
	if code != 0 {
		t.Fatalf("targets: %d %s", code, stderr)
	}
	var ts struct{ Counts map[string]int64 }
	if err := json.Unmarshal([]byte(stdout), &ts); err != nil {
		t.Fatal(err)
	}
	// 220 + 112 mentions in originals (counted with a regular expression
	// over the file); the importer finds them as entities
	if ts.Counts["events_mention"] != 332 || ts.Counts["bursts"] == 0 || ts.Counts["edges"] == 0 {
		t.Errorf("targets counts = %v", ts.Counts)
	}
	for _, f := range []string{"targets.csv", "events.csv", "bursts.csv", "edges.csv", "evidence.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(tout, f)); err != nil {
			t.Errorf("targets wrote no %s", f)
		}
	}
	// the same from a stored dataset: the same events
	mapSpec := "account=account_id,id=post_id,time=timestamp,time_format=unix,text=text,retweet_of=retweet_of"
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ira", "--map", mapSpec, ira); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	dout := filepath.Join(work, "td")
	if code, _, stderr := run(t, data, "", "targets", "--watchlist", wl, "--dataset", "ira", "--out", dout); code != 0 {
		t.Fatalf("targets --dataset: %d %s", code, stderr)
	}
	x, _ := os.ReadFile(filepath.Join(tout, "events.csv"))
	y, _ := os.ReadFile(filepath.Join(dout, "events.csv"))
	if len(x) == 0 || string(x) != string(y) {
		t.Errorf("events.csv differs between --input and --dataset (%d and %d bytes)", len(x), len(y))
	}
}

// TestNarrativesRun: narratives of the IRA election-week posts linked to a
// coordination run on the same file; a run on other data is refused.
func TestNarrativesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("narratives of real datasets on every path: not in -short (go test ./..., as CI runs it, does)")
	}
	ira := filepath.Join(parsetest.DataDir(t, "coord"), "ira_2016_election_week.posts.csv")
	work := t.TempDir()
	data := filepath.Join(work, "data")
	mapSpec := "account=account_id,id=post_id,time=timestamp,time_format=unix,text=text,retweet_of=retweet_of"
	coordDir, narrDir := filepath.Join(work, "coord"), filepath.Join(work, "narr")
	if code, _, stderr := run(t, data, "", "coord", "--input", ira, "--map", mapSpec, "--by", "retweet,text", "--window", "1h", "--out", coordDir, "--evidence=false"); code != 0 {
		t.Fatalf("coord: %d %s", code, stderr)
	}
	code, stdout, stderr := run(t, data, "", "narratives", "--input", ira, "--map", mapSpec, "--run", coordDir, "--out", narrDir, "--json")
	if code != 0 {
		t.Fatalf("narratives --run: %d %s", code, stderr)
	}
	var sum struct{ Counts map[string]int64 }
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Counts["linked_communities"] == 0 || sum.Counts["coordinated_posts"] == 0 {
		t.Errorf("counts = %v: want narratives pushed by communities", sum.Counts)
	}
	rows := readCSV(t, filepath.Join(narrDir, "narrative_groups.csv"))
	if len(rows) < 2 || strings.Join(rows[0], ",") != "narrative_id,community,posts,accounts,share,first,last,label,followers,followers_accounts,views,views_posts,likes,reposts,quotes,replies,forwards,shares,comments,reactions,engagements" {
		t.Fatalf("narrative_groups.csv: %v", rows[:min(len(rows), 2)])
	}
	groups := readCSV(t, filepath.Join(narrDir, "groups.csv"))
	if int64(len(groups)-1) != sum.Counts["linked_communities"] {
		t.Errorf("groups.csv has %d rows, want %d communities", len(groups)-1, sum.Counts["linked_communities"])
	}
	boto := filepath.Join(parsetest.DataDir(t, "social", "botocracy-india-2019"), "all_used_tweets.csv")
	if code, _, stderr := run(t, data, "", "narratives", "--input", boto, "--map", "account=user_id,text=text", "--run", coordDir, "--out", filepath.Join(work, "x")); code != 4 || !strings.Contains(stderr, "other inputs") {
		t.Errorf("narratives --run on other data: exit %d %s, want 4 (conflict)", code, stderr)
	}
}

// TestNarrativesReach: on four real Telegram channels (Telethon) that
// repeat each other's posts, every narrative's views and forwards are the
// sums of its posts' as the raw messages give them, read here from the
// JSON without the importers; a dataset of the files gives the same
// narratives.csv.
func TestNarrativesReach(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "telegram-toolkit-telethon")
	var args []string
	views, forwards := map[string]int64{}, map[string]int64{}
	for _, f := range []string{"crypto_pumps_signals_big_1843949501.jsonl", "crypto_pumps_signals_global_1890625146.jsonl",
		"crypto_pumps_whales_signals_1591996423.jsonl", "crypto_pumps_profits_signals_1886383603.jsonl"} {
		path := filepath.Join(dir, f)
		args = append(args, "--input", path)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var m struct {
				ID     int64 `json:"id"`
				PeerID struct {
					ChannelID int64 `json:"channel_id"`
				} `json:"peer_id"`
				Views, Forwards *int64
			}
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatal(err)
			}
			uid := fmt.Sprintf("telegram:channel%d/%d", m.PeerID.ChannelID, m.ID)
			if m.Views != nil {
				views[uid] = *m.Views
			}
			if m.Forwards != nil {
				forwards[uid] = *m.Forwards
			}
		}
	}
	work := t.TempDir()
	data, out := filepath.Join(work, "data"), filepath.Join(work, "out")
	if code, _, stderr := run(t, data, "", append([]string{"narratives", "--out", out}, args...)...); code != 0 {
		t.Fatalf("narratives: %d %s", code, stderr)
	}
	sums := map[string][2]int64{}
	with := map[string]int{}
	for _, rec := range readCSV(t, filepath.Join(out, "members.csv"))[1:] {
		if n := rec[1]; n != "" {
			s := sums[n]
			s[0] += views[rec[0]]
			s[1] += forwards[rec[0]]
			sums[n] = s
			if _, ok := views[rec[0]]; ok {
				with[n]++
			}
		}
	}
	nars := readCSV(t, filepath.Join(out, "narratives.csv"))
	col := map[string]int{}
	for i, h := range nars[0] {
		col[h] = i
	}
	total := int64(0)
	for _, rec := range nars[1:] {
		id := rec[0]
		want := sums[id]
		if rec[col["views"]] != fmt.Sprint(want[0]) || rec[col["forwards"]] != fmt.Sprint(want[1]) || rec[col["views_posts"]] != fmt.Sprint(with[id]) {
			t.Errorf("%s: views %s (%s posts), forwards %s; the messages say %d (%d), %d", id, rec[col["views"]], rec[col["views_posts"]], rec[col["forwards"]], want[0], with[id], want[1])
		}
		if rec[col["followers"]] != "" || rec[col["followers_accounts"]] != "0" {
			t.Errorf("%s: followers %q of %s accounts; Telethon messages carry none", id, rec[col["followers"]], rec[col["followers_accounts"]])
		}
		total += want[0]
	}
	if len(nars) < 50 || total < 100_000_000 {
		t.Errorf("%d narratives, %d views", len(nars)-1, total)
	}
	// the same files as a dataset
	if code, _, stderr := run(t, data, "", append([]string{"import", "--dataset", "tg"}, args[1], args[3], args[5], args[7])...); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	stored := filepath.Join(work, "stored")
	if code, _, stderr := run(t, data, "", "narratives", "--dataset", "tg", "--out", stored); code != 0 {
		t.Fatalf("narratives --dataset: %d %s", code, stderr)
	}
	for _, f := range []string{"narratives.csv", "timeline.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(stored, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s differs between the files and the dataset", f)
		}
	}
}
