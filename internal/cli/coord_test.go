package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// TestCoordExplainRepeats: a run made with --evidence=false from a file
// that needs --format and --map, given by a relative path, is explained
// from another directory: explain repeats the run from its manifest and
// prints the same co-share pairs as the evidence file of the same run made
// with evidence. The manifest records how the input was read, the rejected
// row, the rows left out and the text normaliser's version; a changed
// input is refused.
func TestCoordExplainRepeats(t *testing.T) {
	src := filepath.Join(parsetest.DataDir(t, "coord"), "ira_2016_election_week.posts.csv")
	work := t.TempDir()
	posts := filepath.Join(work, "in", "posts.csv")
	badLine := writeHead(t, src, posts, 6000)
	data := filepath.Join(work, "data")
	t.Chdir(work)
	mapSpec := "account=account_id,id=post_id,time=timestamp,text=text,retweet_of=retweet_of"
	args := []string{"coord", "--input", filepath.Join("in", "posts.csv"), "--format", "generic_csv", "--map", mapSpec,
		"--option", "note=kept", "--by", "near-text,text,retweet", "--window", "1h", "--min-participation", "1", "--graph=false"}
	for _, out := range []string{"with", "without"} {
		a := append(slices.Clone(args), "--out", out)
		if out == "without" {
			a = append(a, "--evidence=false")
		}
		if code, _, stderr := run(t, data, "", a...); code != 0 {
			t.Fatalf("coord --out %s: exit %d: %s", out, code, stderr)
		}
	}
	raw, err := os.ReadFile(filepath.Join(work, "without", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m coord.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Format != "generic_csv" || m.Map != mapSpec || m.Options["note"] != "kept" || m.Textnorm != textnorm.Version {
		t.Errorf("manifest: format %q, map %q, options %v, textnorm %q; want generic_csv, %q, note=kept, %q", m.Format, m.Map, m.Options, m.Textnorm, mapSpec, textnorm.Version)
	}
	if len(m.Inputs) != 1 || m.Inputs[0].Path != posts || m.Inputs[0].Name != filepath.Join("in", "posts.csv") {
		t.Errorf("manifest inputs = %+v, want the name as given and the absolute path %s", m.Inputs, posts)
	}
	if m.RejectedCount != 1 || len(m.Rejected) != 1 || m.Rejected[0].Line != badLine {
		t.Errorf("manifest rejected = %d %+v, want the row of line %d", m.RejectedCount, m.Rejected, badLine)
	}
	for _, k := range []string{"records_not_posts", "near_text_short"} {
		if m.Dropped[k] == 0 {
			t.Errorf("manifest dropped[%s] = 0, want the rows left out (dropped = %v)", k, m.Dropped)
		}
	}

	// Explain from another directory, edges of every type.
	edges := readEdges(t, filepath.Join(work, "with", "edges.csv"))
	if len(edges) < 50 {
		t.Fatalf("%d edges: too few to compare", len(edges))
	}
	t.Chdir(t.TempDir())
	for _, e := range []int{0, len(edges) / 3, len(edges) / 2, len(edges) - 1} {
		a, b := edges[e][0], edges[e][1]
		code, want, stderr := run(t, data, "", "coord", "explain", "--json", "--run", filepath.Join(work, "with"), a, b)
		if code != 0 {
			t.Fatalf("explain from the evidence file: exit %d: %s", code, stderr)
		}
		code, got, stderr := run(t, data, "", "coord", "explain", "--json", "--run", filepath.Join(work, "without"), b, a)
		if code != 0 {
			t.Fatalf("explain by repeating the run: exit %d: %s", code, stderr)
		}
		if got != want || len(want) < 10 {
			t.Errorf("explain %s %s: repeating the run gives\n%s\nthe evidence file\n%s", a, b, got, want)
		}
	}

	// A changed input is refused.
	f, err := os.OpenFile(posts, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("u9,ira999999,1478000000,2016-11-01T11:33:20Z,original,,one more post,,,en,X\n")
	f.Close()
	code, _, stderr := run(t, data, "", "coord", "explain", "--run", filepath.Join(work, "without"), edges[0][0], edges[0][1])
	if code != 4 || !strings.Contains(stderr, "changed since the run") {
		t.Errorf("explain after the input changed: exit %d, %s; want 4 and a conflict", code, stderr)
	}
}

// writeHead copies the header and the first n rows of src to dst, then a
// row without a post id (a reject), and returns that row's line number.
func writeHead(t *testing.T, src, dst string, n int) int64 {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := int64(0)
	for line <= int64(n) && sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		line++
	}
	out.WriteString("u1,,1478000000,2016-11-01T11:33:20Z,original,,a post without an id,,,en,X\n")
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return line + 1
}

func readEdges(t *testing.T, path string) [][2]string {
	t.Helper()
	var out [][2]string
	for _, r := range readCSV(t, path)[1:] {
		out = append(out, [2]string{r[0], r[1]})
	}
	return out
}

// TestCoordOnePath: a run of a stored dataset made by tahqiq coord is kept
// where the server keeps its runs (without --out too), as the one who
// acts, and writes to --out the files of the run kept; the server's run
// of the same request (the run store, as POST /api/v1/coord/runs makes
// it) writes the same files: neither says a percentile, so they share
// one default (0.5). A run of files is not kept in the store.
func TestCoordOnePath(t *testing.T) {
	if testing.Short() {
		t.Skip("the CLI's and the server's runs of one dataset: not in -short (go test ./..., as CI runs it, does)")
	}
	data := t.TempDir()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru", fixture); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	args := []string{"coord", "--dataset", "ru", "--by", "retweet"}
	code, stdout, stderr := run(t, data, "", args...)
	if code != 0 || !strings.Contains(stdout, "kept in "+filepath.Join(data, "runs", "coord")) {
		t.Fatalf("coord --dataset without --out: exit %d, %s %s", code, stdout, stderr)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := run(t, data, "", append(args, "--out", out)...); code != 0 {
		t.Fatalf("coord --dataset --out: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "coord", "--input", fixture, "--by", "retweet", "--out", filepath.Join(t.TempDir(), "files")); code != 0 {
		t.Fatalf("coord --input: %s", stderr)
	}
	rs := &runs.Store{Dir: filepath.Join(data, "runs")}
	list, err := rs.List(runs.Coord)
	if err != nil || len(list) != 2 {
		t.Fatalf("runs kept: %v, %+v; want the two runs of the dataset", err, list)
	}
	for _, in := range list {
		if in.Dataset != "ru" || in.CreatedBy != tahqiq.SystemID || in.Counts["edges"] == 0 {
			t.Errorf("run %s: dataset %q, created by %q, %d edges; want ru, the system administrator (a single-user store), edges", in.ID, in.Dataset, in.CreatedBy, in.Counts["edges"])
		}
	}
	kept, err := rs.Path(runs.Coord, list[0].ID) // the newest: the one with --out
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rs.RunCoord(context.Background(), openSQLite(t, data), runs.CoordRequest{Dataset: "ru", By: []string{"retweet"}}, cli.Version, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	served, err := rs.Path(runs.Coord, srv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{kept, served} {
		a, err := goldenHashes(out)
		if err != nil {
			t.Fatal(err)
		}
		b, err := goldenHashes(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) || len(a) < 7 {
			t.Errorf("--out and the run in %s hold other files:\n%s\n%s", dir, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
}

// TestCoordRunsLogged: a run tahqiq coord --dataset keeps is in the
// custody log, its files by SHA-256, so the store verifies with it, and a
// link removed from its edges.csv afterwards, or the run deleted, makes
// verification fail naming the run (it passed before runs were logged).
func TestCoordRunsLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("stored runs and their log entries: not in -short (go test ./..., as CI runs it, does)")
	}
	data := t.TempDir()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if code, _, stderr := run(t, data, "", "org", "init", "--org", "Team", "--admin", "amina"); code != 0 {
		t.Fatalf("org init: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "--as", "amina", "import", "--dataset", "ru", fixture); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "--as", "amina", "coord", "--dataset", "ru", "--by", "retweet", "--name", "co-retweets"); code != 0 {
		t.Fatalf("coord --dataset: %s", stderr)
	}
	key := filepath.Join(data, "keys", "log.pub")
	if code, stdout, stderr := run(t, data, "", "verify", "--key", key); code != 0 {
		t.Fatalf("verify after a logged run: exit %d\n%s%s", code, stdout, stderr)
	}
	rs := &runs.Store{Dir: filepath.Join(data, "runs")}
	list, err := rs.List(runs.Coord)
	if err != nil || len(list) != 1 {
		t.Fatalf("runs: %v %+v", err, list)
	}
	edges, err := rs.File(runs.Coord, list[0].ID, "edges.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(edges)
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(edges, []byte(strings.Join(append(lines[:1], lines[2:]...), "")), 0o640); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, data, "", "verify", "--key", key)
	if code == 0 || !strings.Contains(stdout+stderr, "coordination run "+list[0].ID+` "co-retweets" of dataset "ru"`) || !strings.Contains(stdout+stderr, "edited") {
		t.Errorf("verify after a link was removed from the run: exit %d\n%s%s", code, stdout, stderr)
	}
	dir, _ := rs.Path(runs.Coord, list[0].ID)
	os.RemoveAll(dir)
	code, stdout, stderr = run(t, data, "", "verify", "--key", key)
	if code == 0 || !strings.Contains(stdout+stderr, "run coord/"+list[0].ID) || !strings.Contains(stdout+stderr, "deleted") {
		t.Errorf("verify after the run was deleted: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestCoordReach: what the data says of the accounts' reach (followers
// here: the IRA tweets carry them) reaches communities.csv the same way
// for a run of the files, a CLI run of the dataset imported from them
// and the server's run of it.
func TestCoordReach(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: three runs of the IRA tweets (files, CLI dataset, server); runs without -short, as CI does")
	}
	ira := filepath.Join(parsetest.DataDir(t, "social", "ira-538-by-author"), "tweets_2016-11-01_to_2016-11-10.csv")
	data := t.TempDir()
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ira", ira); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	args := []string{"coord", "--by", "retweet,hashtag", "--window", "2m"}
	files, stored := filepath.Join(t.TempDir(), "files"), filepath.Join(t.TempDir(), "stored")
	if code, _, stderr := run(t, data, "", append(args, "--input", ira, "--out", files)...); code != 0 {
		t.Fatalf("coord --input: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", append(args, "--dataset", "ira", "--out", stored)...); code != 0 {
		t.Fatalf("coord --dataset: %s", stderr)
	}
	rs := &runs.Store{Dir: filepath.Join(data, "runs")}
	in, err := rs.RunCoord(context.Background(), openSQLite(t, data), runs.CoordRequest{Dataset: "ira", By: []string{"retweet", "hashtag"}, Window: "2m"}, cli.Version, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := rs.Path(runs.Coord, in.ID)
	want, err := os.ReadFile(filepath.Join(files, "communities.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{stored, served} {
		for _, f := range []string{"communities.csv", "nodes.csv", "edges.csv"} {
			a, _ := os.ReadFile(filepath.Join(files, f))
			b, _ := os.ReadFile(filepath.Join(dir, f))
			if !bytes.Equal(a, b) {
				t.Errorf("%s of %s differs from the run of the files", f, dir)
			}
		}
	}
	// every community has followers (the first record naming each of its
	// accounts carries them)
	recs, err := csv.NewReader(bytes.NewReader(want)).ReadAll()
	if err != nil || len(recs) < 5 {
		t.Fatalf("communities.csv: %v, %d rows", err, len(recs))
	}
	for _, r := range recs[1:] {
		if r[7] == "" || r[7] == "0" {
			t.Errorf("community %s: followers %q", r[0], r[7])
		}
	}
}
