package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// TestAccountsCLI: on a real twarc2 sample, tahqiq accounts gives the same
// signals for the stored dataset and for the file, --where filters,
// --account shows one account, --out writes accounts.csv, and mistakes
// are named in the user's terms.
func TestAccountsCLI(t *testing.T) {
	src := parsetest.DataDir(t, "social", "twarc-csv-testdata", "2sets.jsonl")
	work := t.TempDir()
	data := filepath.Join(work, "data")
	if code, _, stderr := run(t, data, "", "import", "--dataset", "tw", src); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	type out struct {
		Accounts int `json:"accounts"`
		Matched  int `json:"matched"`
		Columns  []struct{ Name string }
		Rows     []*signals.Row `json:"rows"`
	}
	get := func(args ...string) out {
		t.Helper()
		code, stdout, stderr := run(t, data, "", append([]string{"accounts", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("accounts %v: %d %s", args, code, stderr)
		}
		var o out
		if err := json.Unmarshal([]byte(stdout), &o); err != nil {
			t.Fatalf("--json: %v\n%s", err, stdout)
		}
		return o
	}
	ds, files := get("--dataset", "tw"), get("--input", src)
	if ds.Accounts != 251 || len(ds.Rows) != 251 || len(ds.Columns) != len(signals.Columns) {
		t.Errorf("dataset: %d accounts, %d rows, %d columns", ds.Accounts, len(ds.Rows), len(ds.Columns))
	}
	a, _ := json.Marshal(ds.Rows)
	b, _ := json.Marshal(files.Rows)
	if string(a) != string(b) {
		t.Error("the dataset's signals differ from the file's")
	}
	if ds.Rows[0].Account != "x:1413141881983172615" || ds.Rows[0].PostsTotal != 10 {
		t.Errorf("first by posts_total: %s (%d posts)", ds.Rows[0].Account, ds.Rows[0].PostsTotal)
	}
	f := get("--dataset", "tw", "--where", "default_handle=true", "--where", "followers>=1000", "--sort", "followers")
	var handles []string
	for _, r := range f.Rows {
		handles = append(handles, r.Handle)
	}
	if f.Matched != 2 || !slices.Equal(handles, []string{"paulafr68963440", "Noname06401912"}) {
		t.Errorf("default handles with 1,000 followers or more: %d %v", f.Matched, handles)
	}

	code, stdout, stderr := run(t, data, "", "accounts", "--dataset", "tw", "--account", "@OFFICIAL_ariaz", "--out", filepath.Join(work, "a.csv"))
	if code != 0 || !strings.Contains(stdout, "x:1164497209351479296  official_ARIAZ") || !strings.Contains(stdout, "follow_ratio       3.8707") {
		t.Errorf("--account: %d %s %s", code, stdout, stderr)
	}
	fh, err := os.Open(filepath.Join(work, "a.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil || len(recs) != 2 || !slices.Equal(recs[0][:4], []string{"account", "handle", "name", "created_at"}) || recs[1][1] != "official_ARIAZ" {
		t.Errorf("accounts.csv: %v %v", err, recs)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--where", "bot_score>0.5"}, 2, `--where: filter "bot_score>0.5": no signal "bot_score"`},
		{[]string{"--sort", "bots"}, 2, `--sort "bots": no signal of that name`},
		{[]string{"--account", "nobody_here"}, 3, `--account "nobody_here": no account of that UID, id or handle posted in the data`},
	} {
		code, _, stderr := run(t, data, "", append([]string{"accounts", "--dataset", "tw"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("accounts %v: exit %d, %s; want %d, %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	// nodes.csv of a coordination run on the dataset carries the same
	// signals, after the network's columns
	runDir := filepath.Join(work, "run")
	if code, _, stderr := run(t, data, "", "coord", "--dataset", "tw", "--by", "hashtag,url", "--window", "none", "--percentile", "0", "--out", runDir); code != 0 {
		t.Fatalf("coord: %d %s", code, stderr)
	}
	byID := map[string]*signals.Row{}
	for _, r := range ds.Rows {
		byID[r.Account] = r
	}
	nodes := readCSV(t, filepath.Join(runDir, "nodes.csv"))
	if !slices.Equal(nodes[0][len(nodes[0])-len(signals.Columns):], signals.Header()) {
		t.Errorf("nodes.csv header %v does not end with the signals", nodes[0])
	}
	for _, rec := range nodes[1:] {
		want := byID[rec[0]].AppendRecord(nil)
		if got := rec[len(rec)-len(signals.Columns):]; !slices.Equal(got, want) {
			t.Errorf("nodes.csv %s: signals %q, tahqiq accounts %q", rec[0], got, want)
		}
	}
	if len(nodes) < 10 {
		t.Errorf("%d nodes", len(nodes)-1)
	}
	if code, stdout, _ := run(t, data, "", "accounts", "--columns"); code != 0 || !strings.Contains(stdout, "hour_entropy_norm") {
		t.Errorf("--columns: %d %s", code, stdout)
	}
}
