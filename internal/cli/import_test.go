package cli_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// TestMain lets a test run the CLI, or a NATS server, in a child process
// (to kill it).
func TestMain(m *testing.M) {
	natstest.Main() // a node of a test's NATS cluster
	if args := os.Getenv("TAHQIQ_CLI_CHILD"); args != "" {
		os.Exit(cli.Main(context.Background(), strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	// No test reads the trusted keys of whoever runs them.
	dir, err := os.MkdirTemp("", "tahqiq-cli-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TAHQIQ_TRUSTED_KEYS", filepath.Join(dir, "trusted-keys"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type summary struct {
	Dataset    string `json:"dataset"`
	Files      int    `json:"files"`
	Records    int64  `json:"records"`
	Posts      int64  `json:"posts"`
	Accounts   int64  `json:"accounts"`
	Shares     int64  `json:"shares"`
	Duplicates int64  `json:"duplicates"`
	Rejected   []struct {
		File   string `json:"file"`
		Line   int64  `json:"line"`
		Reason string `json:"reason"`
	} `json:"rejected"`
}

func importJSON(t *testing.T, data string, args ...string) (summary, int, string) {
	t.Helper()
	code, out, errs := run(t, data, "", append([]string{"import", "--json"}, args...)...)
	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("import --json printed %q (stderr %q): %v", out, errs, err)
	}
	return s, code, errs
}

// The counts are those of shared/data/coord/README.md: 35,125 rows, 35,085
// distinct post ids, 9,509 accounts; 40 post ids occur twice, 39 of them
// with two different retweeted ids and 1 as an exact duplicate row. The
// header line is kept as one more record.
func TestImportRussianEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("the Russian events table imported whole: not in -short (go test ./..., as CI runs it, does)")
	}
	path := filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")
	data := filepath.Join(t.TempDir(), "data")
	s, code, errs := importJSON(t, data, "--dataset", "ru", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := summary{Dataset: "ru", Files: 1, Records: 35126, Posts: 35085, Accounts: 9509, Shares: 35124, Duplicates: 1}
	s.Rejected = nil
	if s.Dataset != want.Dataset || s.Files != want.Files || s.Records != want.Records || s.Posts != want.Posts ||
		s.Accounts != want.Accounts || s.Shares != want.Shares || s.Duplicates != want.Duplicates {
		t.Fatalf("summary = %+v, want %+v", s, want)
	}
	// Idempotent: the same file again adds nothing.
	s2, code, _ := importJSON(t, data, "--dataset", "ru", path)
	if code != 0 || s2.Records != 0 || s2.Posts != 0 {
		t.Fatalf("second import: exit %d, %+v", code, s2)
	}
	// The shares exported in CooRTweet's columns are CooRTweet's own table
	// (shared/data/social/coortweet/russian_coord_tweets.csv) minus the one
	// exact duplicate row.
	out := filepath.Join(t.TempDir(), "shares.csv")
	if code, _, errs := run(t, data, "", "export", "shares", "--dataset", "ru", "--format", "coortweet", "--out", out); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	got := readRows(t, out)
	ref := readRows(t, filepath.Join(parsetest.DataDir(t, "social", "coortweet"), "russian_coord_tweets.csv"))
	if len(got) != 35124 || len(ref) != 35125 {
		t.Fatalf("exported %d rows, reference %d", len(got), len(ref))
	}
	refSet := map[string]int{}
	for _, r := range ref {
		refSet[r]++
	}
	for _, r := range got {
		if refSet[r] == 0 {
			t.Fatalf("exported row %q not in CooRTweet's table", r)
		}
		refSet[r]--
	}
}

func readRows(t *testing.T, path string) []string {
	t.Helper()
	rows := readCSV(t, path)
	out := make([]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, strings.Join(r, ","))
	}
	sort.Strings(out)
	return out
}

func TestImportBadInputs(t *testing.T) {
	dir := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	data := filepath.Join(t.TempDir(), "data")
	// A truncated last line is a reject; the rest imports (exit 0).
	s, code, _ := importJSON(t, data, "--dataset", "stream", filepath.Join(dir, "streaming_output_with_error.jsonl"))
	if code != 0 || s.Records != 7 || len(s.Rejected) != 1 || s.Rejected[0].Line != 8 || !strings.Contains(s.Rejected[0].Reason, "truncated") {
		t.Fatalf("truncated stream: exit %d, %+v", code, s)
	}
	// An empty file alone: nothing imported, a clear message, non-zero exit.
	s, code, errs := importJSON(t, data, filepath.Join(dir, "empty.json"))
	if code != 2 || len(s.Rejected) != 1 || s.Rejected[0].Reason != "empty input" || !strings.Contains(errs, "nothing imported") {
		t.Fatalf("empty file: exit %d, %+v, stderr %q", code, s, errs)
	}
	// A CSV missing a column of its format, forced.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("account_id,post_id,timestamp\na,1,2\n"), 0o644)
	s, code, errs = importJSON(t, data, "--format", "coord_events_csv", bad)
	if code != 2 || len(s.Rejected) != 1 || !strings.Contains(s.Rejected[0].Reason, "object_type") {
		t.Fatalf("missing column: exit %d, %+v, stderr %q", code, s, errs)
	}
}

// Killing the process in the middle of an import loses nothing that was
// committed before, and leaves no half-imported dataset.
func TestKillDuringImport(t *testing.T) {
	big := filepath.Join(parsetest.DataDir(t, "coord"), "german_elections_2021.events.csv")
	small := filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, data, "", "import", "--dataset", "kept", small); code != 0 {
		t.Fatalf("first import: %s", errs)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "TAHQIQ_CLI_CHILD="+strings.Join([]string{"--data", data, "import", "--dataset", "killed", big}, "\x1f"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the first progress line: the import is under way.
	sc := bufio.NewScanner(stderr)
	started := make(chan bool, 1)
	go func() {
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "import:") {
				started <- true
				break
			}
		}
		close(started)
	}()
	select {
	case ok := <-started:
		if !ok {
			cmd.Wait()
			t.Skip("the import finished before it printed progress; nothing to kill")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no progress from the child import")
	}
	cmd.Process.Kill()
	cmd.Wait()

	db, err := sqlite.OpenDir(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := db.FindDatasetByName(context.Background(), "kept")
	if err != nil || d.Counts.Posts != 35085 || d.Counts.Shares != 35124 {
		t.Fatalf("committed dataset after the kill: %+v, %v", d.Counts, err)
	}
	if _, err := db.FindDatasetByName(context.Background(), "killed"); err == nil {
		t.Fatal("the killed import left a dataset behind")
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// CooRTweet's own wide table (german_elections) imports with --format
// coortweet_csv, and its shares are those of the events file derived from
// it in shared/data/coord (157,568 rows, phash written as image).
func TestImportCooRTweetWide(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 219,000 rows")
	}
	path := filepath.Join(parsetest.DataDir(t, "social", "coortweet"), "german_elections.csv.gz")
	ref := filepath.Join(parsetest.DataDir(t, "coord"), "german_elections_2021.events.csv")
	data := filepath.Join(t.TempDir(), "data")
	s, code, errs := importJSON(t, data, "--dataset", "de", "--format", "coortweet_csv", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// 218,971 rows, 3 without a post id; 194,323 posts of 58,314 accounts
	if s.Records != 218971-3+1 || s.Posts != 194323 || s.Accounts != 58314 || s.Shares != 157568 || len(s.Rejected) != 3 {
		t.Fatalf("summary = %+v", s)
	}
	out := filepath.Join(t.TempDir(), "events.csv")
	if code, _, errs := run(t, data, "", "export", "shares", "--dataset", "de", "--format", "events", "--out", out); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	got := readRows(t, out)
	want := readRows(t, ref)
	for i, r := range want {
		want[i] = strings.Replace(r, ",phash,", ",image,", 1)
	}
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("exported %d shares, the events file has %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("share %d: %q, the events file has %q", i, got[i], want[i])
		}
	}
}

// Exit non-zero only when nothing at all was imported: a CSV whose rows
// are all rejected imported its header line only, which is no import;
// a users file or a compliance file alone is kept and counts.
func TestImportNothingButAHeader(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	header := filepath.Join(dir, "header.csv")
	os.WriteFile(header, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\n"), 0o644)
	allBad := filepath.Join(dir, "bad.csv")
	os.WriteFile(allBad, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\na,7.9e+17,1,x,url,u\n"), 0o644)
	for _, path := range []string{header, allBad} {
		s, code, errs := importJSON(t, data, "--dataset", "h", path)
		if code != 2 || !strings.Contains(errs, "nothing imported") || s.Posts != 0 {
			t.Errorf("%s: exit %d, %+v, stderr %q", filepath.Base(path), code, s, errs)
		}
	}
	if code, out, _ := run(t, data, "", "datasets"); code != 0 || strings.Contains(out, "h ") {
		t.Errorf("a failed import left a dataset: %s", out)
	}
	tw := parsetest.DataDir(t, "social", "twarc-csv-testdata")
	for _, f := range []string{"users.jsonl", "tweets_compliance.jsonl"} {
		s, code, errs := importJSON(t, data, "--dataset", f, filepath.Join(tw, f))
		if code != 0 || s.Records == 0 || s.Posts != 0 {
			t.Errorf("%s: exit %d, %+v, stderr %q", f, code, s, errs)
		}
	}
}

// Telegram service messages (pins, joins, title changes) are kept as
// records of kind other, never posts; every channel of the Telethon set
// imports, proxyme included (it was taken for an X compliance file).
// Counts from python3: 6,858 messages, 848 of them MessageService.
func TestImportTelethonChannels(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(parsetest.DataDir(t, "social", "telegram-toolkit-telethon"), "*.jsonl"))
	data := filepath.Join(t.TempDir(), "data")
	var out struct {
		summary
		Kinds   map[string]int64 `json:"record_kinds"`
		Sources []struct {
			Format string `json:"format"`
		} `json:"sources"`
	}
	code, stdout, errs := run(t, data, "", append([]string{"import", "--json", "--dataset", "tg"}, files...)...)
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, errs)
	}
	if out.Files != 10 || out.Records != 6858 || out.Posts != 6858-848 || out.Kinds["other"] != 848 || out.Kinds["post"] != 6858-848 || len(out.Rejected) != 0 {
		t.Fatalf("summary = %+v, kinds %v", out.summary, out.Kinds)
	}
	for _, s := range out.Sources {
		if s.Format != "tg_telethon_jsonl" {
			t.Errorf("source format %q", s.Format)
		}
	}
}

// A file of a folder import that kept nothing (every record rejected, or
// its header line alone) is imported again by a later run, with another
// --format or map, instead of being skipped as "already imported"; the
// rejects of the failed attempt are replaced.
func TestImportRetryFileThatKeptNothing(t *testing.T) {
	proxyme := filepath.Join(parsetest.DataDir(t, "social", "telegram-toolkit-telethon"), "proxyme_1195603742.jsonl")
	tweets := filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "two_tweets.jsonl")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// 0 records: the Telethon file read as X v2 rejects every line
	s, code, errs := importJSON(t, data, "--dataset", "d", "--format", "x_v2_twarc_jsonl", tweets, proxyme)
	if code != 0 || s.Files != 2 || len(s.Rejected) != 6 {
		t.Fatalf("first import: exit %d, %+v, %s", code, s, errs)
	}
	var again struct {
		summary
		Skipped []string `json:"skipped"`
		Retried []struct {
			File          string `json:"file"`
			FormatBefore  string `json:"format_before"`
			RejectsBefore int64  `json:"rejects_before"`
		} `json:"retried"`
	}
	code, out, errs := run(t, data, "", "import", "--json", "--dataset", "d", "--format", "tg_telethon_jsonl", proxyme)
	if err := json.Unmarshal([]byte(out), &again); err != nil || code != 0 {
		t.Fatalf("retry: exit %d, %v: %s", code, err, errs)
	}
	if len(again.Skipped) != 0 || again.Records != 6 || again.Posts != 5 || len(again.Retried) != 1 ||
		again.Retried[0].FormatBefore != "x_v2_twarc_jsonl" || again.Retried[0].RejectsBefore != 6 {
		t.Fatalf("retry: %+v", again)
	}
	// a header alone: the rows' ids were mangled; a map reads another column
	csv := filepath.Join(dir, "posts.csv")
	os.WriteFile(csv, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value,tid\na,7.9e+17,1700000000,x,url,https://e.org/,12\n"), 0o644)
	if s, code, errs := importJSON(t, data, "--dataset", "d", csv); code != 2 || s.Files != 0 {
		t.Fatalf("header alone: exit %d, %+v, %s", code, s, errs) // alone in its run: nothing imported, rolled back
	}
	if _, code, errs := importJSON(t, data, "--dataset", "d", csv, filepath.Join(parsetest.DataDir(t, "social", "twarc-csv-testdata"), "users.jsonl")); code != 0 {
		t.Fatalf("header with a users file: exit %d, %s", code, errs)
	}
	s, code, errs = importJSON(t, data, "--dataset", "d", "--format", "generic_csv", "--map", "id=tid,account=account_id,time=timestamp", csv)
	if code != 0 || s.Records != 2 || s.Posts != 1 || len(s.Rejected) != 0 {
		t.Fatalf("retry with a map: exit %d, %+v, %s", code, s, errs)
	}
	code, out, _ = run(t, data, "", "datasets", "--json")
	var ds []struct {
		Counts struct {
			Records, Posts, Rejects int64
		} `json:"counts"`
		Sources []struct {
			File, Format string
		} `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &ds); err != nil || code != 0 || len(ds) != 1 {
		t.Fatalf("datasets: %v %s", err, out)
	}
	// two_tweets (1 page), proxyme (6 messages), users.jsonl, posts.csv (header + 1 row); no reject is left
	if len(ds[0].Sources) != 4 || ds[0].Counts.Rejects != 0 || ds[0].Sources[3].Format != "generic_csv" {
		t.Errorf("dataset after the retries: %+v", ds[0])
	}
}

// The summary lists the first 10,000 rejects and counts them all; the
// store keeps all of them and tahqiq datasets rejects lists them.
func TestRejectsCountedAndListed(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var b strings.Builder
	b.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	b.WriteString("a,1,1700000000,x,url,https://e.org/\n")
	const bad = 10005
	for i := 0; i < bad; i++ {
		fmt.Fprintf(&b, "a,%d.5e+17,1700000000,x,url,https://e.org/\n", i)
	}
	path := filepath.Join(dir, "rows.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	var s struct {
		summary
		Rejects int64 `json:"rejects"`
	}
	code, out, errs := run(t, data, "", "import", "--json", "--dataset", "d", path)
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, errs)
	}
	if s.Rejects != bad || len(s.Rejected) != 10000 || s.Posts != 1 {
		t.Fatalf("rejects %d, %d listed, %d posts", s.Rejects, len(s.Rejected), s.Posts)
	}
	// all of them, in file order, with file, line and reason
	code, out, errs = run(t, data, "", "datasets", "rejects", "d")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != bad+2 || !strings.HasPrefix(lines[0], "FILE") || !strings.Contains(lines[1], path) ||
		!strings.Contains(lines[1], " 3 ") || !strings.Contains(lines[bad], "10004.5e+17") || lines[bad+1] != "10005 rejects in dataset d" {
		t.Fatalf("datasets rejects: exit %d, %d lines, first %q, last %q, stderr %q", code, len(lines), lines[0], lines[len(lines)-1], errs)
	}
	code, out, errs = run(t, data, "", "datasets", "rejects", "d", "--limit", "3")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 5 || lines[4] != "3 of 10005 rejects in dataset d (--limit 0 lists all)" {
		t.Fatalf("--limit 3: exit %d, %q, %q", code, out, errs)
	}
	code, out, _ = run(t, data, "", "datasets", "rejects", "d", "--json", "--limit", "2")
	var list []struct {
		File   string `json:"file"`
		Line   int64  `json:"line"`
		Reason string `json:"reason"`
		Raw    string `json:"raw"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 2 || list[0].File != path || list[0].Line != 3 ||
		!strings.Contains(list[0].Reason, `post_id "0.5e+17"`) || !strings.Contains(list[0].Raw, `"post_id":"0.5e+17"`) {
		t.Fatalf("--json: exit %d, %v, %s", code, err, out)
	}
	if code, _, errs := run(t, data, "", "datasets", "rejects", "nope"); code != 3 || !strings.Contains(errs, `no dataset named "nope"`) {
		t.Errorf("unknown dataset: exit %d, %q", code, errs)
	}
}

// After a rollback the summary, text and --json, says that nothing was
// committed and why, in the user's terms, and lists no file as imported
// (a good file read before the truncated one was rolled back too).
func TestImportRollbackSummary(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\na,1,1700000000,x,url,https://e.org/\n"), 0o644)
	var rows strings.Builder
	rows.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&rows, "a%d,p%d,%d,x,url,https://example.org/%d\n", i%7, i, 1700000000+i, i)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(rows.String()))
	zw.Close()
	cut := filepath.Join(dir, "cut.csv.gz")
	os.WriteFile(cut, gz.Bytes()[:gz.Len()*2/3], 0o644)
	want := cut + ": the file ends early (a truncated gzip file or an incomplete download?); nothing was imported, the store is unchanged"

	var s struct {
		summary
		Committed bool              `json:"committed"`
		Failure   string            `json:"failure"`
		Sources   []json.RawMessage `json:"sources"`
	}
	code, out, errs := run(t, data, "", "import", "--json", "--dataset", "d", good, cut)
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if code == 0 || s.Committed || s.Failure != want || s.Files != 0 || s.Records != 0 || s.Posts != 0 || len(s.Sources) != 0 ||
		!strings.Contains(errs, want) {
		t.Fatalf("--json: exit %d, %+v, stderr %q", code, s, errs)
	}
	code, out, _ = run(t, data, "", "import", "--dataset", "d", good, cut)
	if code == 0 || out != "dataset d: nothing committed: "+want+"\n" {
		t.Fatalf("text: exit %d, %q", code, out)
	}
	if code, out, _ := run(t, data, "", "datasets"); code != 0 || !strings.HasPrefix(out, "no datasets") {
		t.Errorf("datasets after the rollbacks: %q", out)
	}
	// a committed import says so
	code, out, _ = run(t, data, "", "import", "--json", "--dataset", "d", good)
	var ok struct {
		Committed bool   `json:"committed"`
		Failure   string `json:"failure"`
	}
	if err := json.Unmarshal([]byte(out), &ok); err != nil || code != 0 || !ok.Committed || ok.Failure != "" {
		t.Errorf("committed import: exit %d, %+v", code, ok)
	}
}

// A post id reused by a second account is a conflict, rejected with both
// accounts named, in an import and in tahqiq coord --input alike (counted
// in the run's manifest); the first account's post keeps its share.
func TestPostIDReusedByASecondAccount(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	head := "account_id,post_id,timestamp,time_utc,object_type,object_value\n"
	a := filepath.Join(dir, "a.csv")
	os.WriteFile(a, []byte(head+"alice,p1,1700000000,x,url,https://e.org/1\ncarol,p2,1700000001,x,url,https://e.org/1\n"), 0o644)
	b := filepath.Join(dir, "b.csv")
	os.WriteFile(b, []byte(head+"bob,p1,1700000002,x,url,https://e.org/1\nbob,p3,1700000003,x,url,https://e.org/1\n"), 0o644)
	reason := "post other:p1 is a post of account other:alice in this dataset, and this record gives it to account other:bob: one post id cannot belong to two accounts, so this occurrence is not imported"

	var s struct {
		summary
		Rejects   int64 `json:"rejects"`
		Conflicts int64 `json:"conflicts"`
	}
	code, out, errs := run(t, data, "", "import", "--json", "--dataset", "d", a, b)
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, errs)
	}
	if s.Posts != 3 || s.Shares != 3 || s.Duplicates != 0 || s.Rejects != 1 || s.Conflicts != 1 ||
		len(s.Rejected) != 1 || s.Rejected[0].Reason != reason || s.Rejected[0].File != b || s.Rejected[0].Line != 2 {
		t.Fatalf("import: %+v", s)
	}
	if _, out, _ := run(t, data, "", "import", "--dataset", "e", a, b); !strings.Contains(out, "1 rejected (1 post ids given to a second account)") {
		t.Errorf("text summary: %q", out)
	}

	run1 := filepath.Join(dir, "run")
	code, out, errs = run(t, data, "", "coord", "--input", a, "--input", b, "--out", run1, "--by", "url", "--min-participation", "1")
	if code != 0 || !strings.Contains(out, "inputs: 1 records rejected (1 post ids given to a second account)") ||
		!strings.Contains(errs, "rejected "+b+":2: "+reason) {
		t.Fatalf("coord --input: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	raw, err := os.ReadFile(filepath.Join(run1, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Counts        map[string]int64 `json:"counts"`
		RejectedCount int64            `json:"rejected_count"`
		Rejected      []struct {
			Reason string `json:"reason"`
		} `json:"rejected"`
		Dropped map[string]int64 `json:"dropped"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.RejectedCount != 1 || len(m.Rejected) != 1 || m.Rejected[0].Reason != reason ||
		m.Dropped["post_id_conflicts"] != 1 || m.Counts["shares"] != 3 {
		t.Errorf("manifest: %+v, %v", m, err)
	}
}

// A research CSV without post ids or times imports with a map of its
// account column (and text): the botocracy copypasta data, 5,052 rows.
// Detection without a window (--window none: the same object anywhere in
// the dataset) works on it; a time window says it cannot.
func TestImportWithoutIDOrTime(t *testing.T) {
	path := filepath.Join(parsetest.DataDir(t, "social", "botocracy-india-2019"), "all_used_tweets.csv")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var s struct {
		summary
		Rejects int64 `json:"rejects"`
		Sources []struct {
			Format string `json:"format"`
		} `json:"sources"`
	}
	code, out, errs := run(t, data, "", "import", "--json", "--dataset", "boto", "--map", "account=user_id,text=text", path)
	if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, errs)
	}
	// 5,052 rows of 2,715 accounts (the folder's README, checked with python3's csv)
	if s.Records != 5053 || s.Posts != 5052 || s.Accounts != 2715 || s.Rejects != 0 || s.Sources[0].Format != "generic_csv" || s.Shares == 0 {
		t.Fatalf("import: %+v", s)
	}
	code, _, errs = run(t, data, "", "coord", "--dataset", "boto", "--out", filepath.Join(dir, "w"), "--by", "text")
	if code != 2 || !strings.Contains(errs, "have no time") || !strings.Contains(errs, "--window none") {
		t.Errorf("60 s window: exit %d, %q", code, errs)
	}
	for _, args := range [][]string{
		{"--dataset", "boto"},
		{"--input", path, "--map", "account=user_id,text=text"},
	} {
		runDir := filepath.Join(dir, fmt.Sprint("run", len(args)))
		code, out, errs = run(t, data, "", append([]string{"coord", "--out", runDir, "--by", "text", "--window", "none"}, args...)...)
		if code != 0 {
			t.Fatalf("%v --window none: exit %d, %s", args, code, errs)
		}
		raw, err := os.ReadFile(filepath.Join(runDir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Counts map[string]int64 `json:"counts"`
		}
		if err := json.Unmarshal(raw, &m); err != nil || m.Counts["edges"] == 0 {
			t.Errorf("%v --window none: counts %v, %v: %s", args, m.Counts, err, out)
		}
	}
}

// A dataset derived by other rules (here: before derivations were
// recorded) is refused by coord, export and import, named as needing a
// re-derivation by datasets; tahqiq datasets rederive (--dry-run keeps
// nothing) makes it current and says what changed.
func TestRederiveCommand(t *testing.T) {
	path := filepath.Join("..", "ingest", "events", "testdata", "russian_coord_tweets_head40.events.csv")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if code, _, errs := run(t, data, "", "import", "--dataset", "ru", path); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	db, err := sqlite.OpenDir(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginImport(context.Background(), "ru")
	if err == nil {
		err = tx.SetDerivation(context.Background(), "")
	}
	if err == nil {
		err = tx.Commit(context.Background())
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	const hint = "tahqiq datasets rederive ru"
	for _, args := range [][]string{
		{"coord", "--dataset", "ru", "--out", filepath.Join(dir, "run"), "--by", "retweet"},
		{"export", "shares", "--dataset", "ru", "--out", filepath.Join(dir, "x.csv")},
		{"import", "--dataset", "ru", filepath.Join("..", "ingest", "events", "testdata", "russian_coord_tweets_head20.coortweet.csv")},
	} {
		if code, _, errs := run(t, data, "", args...); code != 4 || !strings.Contains(errs, hint) {
			t.Errorf("%s on the old dataset: exit %d, %q", args[0], code, errs)
		}
	}
	if code, out, _ := run(t, data, "", "datasets"); code != 0 || !strings.Contains(out, "re-derive it before use: "+hint) {
		t.Errorf("datasets: %q", out)
	}
	var sum struct {
		Committed   bool  `json:"committed"`
		DryRun      bool  `json:"dry_run"`
		Records     int64 `json:"records"`
		PostsAdded  int64 `json:"posts_added"`
		SharesAdded int64 `json:"shares_added"`
		After       struct {
			Posts, Shares int64
		} `json:"after"`
	}
	code, out, errs := run(t, data, "", "datasets", "rederive", "ru", "--dry-run", "--json")
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 0 || sum.Committed || !sum.DryRun || sum.Records != 41 || sum.After.Posts != 39 {
		t.Fatalf("--dry-run: exit %d, %v, %+v, %s", code, err, sum, errs)
	}
	if code, _, _ := run(t, data, "", "export", "shares", "--dataset", "ru", "--out", filepath.Join(dir, "x.csv")); code != 4 {
		t.Errorf("the dry run changed the dataset")
	}
	code, out, errs = run(t, data, "", "datasets", "rederive", "ru")
	if code != 0 || !strings.Contains(out, "dataset ru re-derived from an earlier tahqiq (before derivations were recorded) to ingest-") ||
		!strings.Contains(out, "(committed)") || !strings.Contains(out, "posts 39 -> 39: 0 added, 0 removed, 0 changed") ||
		!strings.Contains(out, "shares 40 -> 40: 0 added, 0 removed") {
		t.Fatalf("rederive: exit %d, %q, %q", code, out, errs)
	}
	if code, _, errs := run(t, data, "", "coord", "--dataset", "ru", "--out", filepath.Join(dir, "run"), "--by", "retweet"); code != 0 {
		t.Errorf("coord after the re-derivation: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, data, "", "datasets", "rederive", "nope"); code != 3 || !strings.Contains(errs, `no dataset named "nope"`) {
		t.Errorf("unknown dataset: exit %d, %q", code, errs)

	}
}

// TestImportGzipBomb: tahqiq import refuses a .gz that expands past the
// default ratio (beyond its first 8 MiB), from a file or stdin, naming
// the file, the limit and the flag; the good file given with it is not
// imported either (exit 2, no dataset). --max-ratio imports it.
func TestImportGzipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("gzip bombs through the CLI: not in -short (go test ./..., as CI runs it, does)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("account_id,post_id,timestamp,time_utc,object_type,object_value\n7,70,1700000000,2023-11-14 22:13:20,url,https://example.org/b\n"), 0o644)
	var plain bytes.Buffer
	plain.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	long := strings.Repeat("a", 100<<10)
	for i := range 300 {
		fmt.Fprintf(&plain, "%d,%d,1700000000,2023-11-14 22:13:20,url,https://example.org/%s\n", i, i, long)
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(plain.Bytes())
	zw.Close()
	bomb := filepath.Join(dir, "bomb.csv.gz")
	os.WriteFile(bomb, z.Bytes(), 0o644)
	t.Logf("%d bytes of gzip for %d bytes of CSV", z.Len(), plain.Len())

	code, _, errs := run(t, data, "", "import", "--dataset", "d", good, bomb)
	for _, s := range []string{bomb + ": expands beyond 8 MiB, more than 100 times its compressed size", "raise --max-ratio", "nothing was imported"} {
		if code != 2 || !strings.Contains(errs, s) {
			t.Errorf("import of a gzip bomb: exit %d, stderr %q; want exit 2 and %q", code, errs, s)
		}
	}
	if code, out, _ := run(t, data, "", "datasets"); code != 0 || !strings.Contains(out, "no datasets") {
		t.Errorf("after the refused import: %q", out)
	}
	code, _, errs = run(t, data, z.String(), "import", "--dataset", "d", "-")
	if code != 2 || !strings.Contains(errs, "standard input: expands beyond") {
		t.Errorf("gzip bomb on stdin: exit %d, %q", code, errs)
	}
	s, code, errs := importJSON(t, data, "--dataset", "d", "--max-ratio", "5000", good, bomb)
	if code != 0 || s.Records != 2+301 {
		t.Errorf("with --max-ratio 5000: exit %d, %d records, %q", code, s.Records, errs)
	}
	s, code, errs = importJSON(t, data, "--dataset", "e", "--max-ratio", "5000", "--max-decompressed", "20MiB", bomb)
	if code != 2 || !strings.Contains(errs, "expands beyond 20 MiB: refused as a possible decompression bomb; for a large, trusted file raise --max-decompressed") {
		t.Errorf("with --max-decompressed 20MiB: exit %d, %d records, %q", code, s.Records, errs)
	}
}
