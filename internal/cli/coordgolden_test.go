package cli_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/coord.golden from this run (TestCoordGolden)")

// goldenScenario is one coordination run of TestCoordGolden: coord's
// flags, given a file of the work directory (--input) or a dataset.
type goldenScenario struct {
	name string
	args []string
}

// goldenScenarios are the coordination scenarios whose outputs must not
// change byte for byte: the Russian, German and IRA sets of
// ../shared/data/coord, the IRA tweets with their follower counts, a
// synthetic set (internal/synth), several weights, windows and window
// kinds, near-text, fast reshares, min-participation and its scope, the
// fast layer, percentile flags, both community methods and pruning.
var goldenScenarios = []goldenScenario{
	{"rus-default", []string{"--input", "russian.events.csv", "--by", "retweet"}},
	{"rus-mp1-messages", []string{"--input", "russian.events.csv", "--min-participation", "1", "--weight", "messages", "--min-weight", "2"}},
	{"rus-w10-mp5", []string{"--input", "russian.events.csv", "--window", "10s", "--min-participation", "5"}},
	{"rus-collab-p50", []string{"--input", "russian.events.csv", "--weight", "collab", "--percentile", "0.5", "--fast-window", "5s"}},
	{"rus-tumbling-tfidf", []string{"--input", "russian.events.csv", "--window-kind", "tumbling", "--window", "5m", "--weight", "tfidf", "--communities", "leiden"}},
	{"rus-fast-reshare", []string{"--input", "russian.events.csv", "--window-kind", "fast-reshare", "--window", "1h", "--min-participation", "1"}},
	{"ger-w30", []string{"--input", "german.events.csv", "--window", "30s"}},
	{"ger-all-objects", []string{"--input", "german.events.csv", "--window", "30s", "--participation-scope", "all", "--weight", "objects", "--percentile", "0.9", "--eigen-prune", "0.5"}},
	{"ira-events", []string{"--input", "ira.events.csv", "--by", "retweet,url,hashtag,text", "--communities-on-all"}},
	{"ira-from-first", []string{"--input", "ira.events.csv", "--window-kind", "from-first", "--window", "10m", "--min-participation", "1", "--keep-loops"}},
	{"ira-near-text", []string{"--input", "ira.posts.csv", "--format", "generic_csv", "--map", "account=account_id,id=post_id,time=timestamp,text=text,retweet_of=retweet_of",
		"--by", "near-text,text,retweet", "--window", "1h", "--min-participation", "1"}},
	{"ira538-reach", []string{"--input", "ira538.csv", "--by", "retweet,hashtag,url", "--window", "2m"}},
	{"synth-default", []string{"--input", "synth.csv"}},
	{"synth-url-nowindow", []string{"--input", "synth.csv", "--by", "url", "--window", "none", "--weight", "tfidf", "--min-weight", "0.5", "--communities", "none"}},
	// stored datasets (ira538: the IRA tweets with followers; demo: the
	// demo's X v2 sample and the Russian set)
	{"ds-ira538", []string{"--dataset", "ira538", "--by", "retweet,hashtag,url", "--window", "2m"}},
	{"ds-demo", []string{"--dataset", "demo", "--by", "retweet", "--percentile", "0.5"}},
	{"ds-ira-near-text", []string{"--dataset", "ira538", "--by", "near-text,retweet", "--window", "1h", "--min-participation", "1"}},
}

// goldenServer are runs the server makes (the run store, as the API's
// POST /api/v1/coord/runs asks it), compared in the same golden file.
var goldenServer = []struct {
	name string
	req  runs.CoordRequest
}{
	{"srv-ira538", runs.CoordRequest{Dataset: "ira538", By: []string{"retweet", "hashtag", "url"}, Window: "2m"}},
	{"srv-demo", runs.CoordRequest{Dataset: "demo", By: []string{"retweet"}, Percentile: ptr(0.5)}},
}

func ptr[T any](v T) *T { return &v }

// openSQLite opens the embedded store in data for the test's length.
func openSQLite(t *testing.T, data string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.OpenDir(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCoordGolden runs the coordination scenarios through every path a
// run takes (tahqiq coord on files and on a stored dataset, the server's
// run store; in one process, through NATS workers gathering pairs, and
// through their reducers) and compares the SHA-256 of every output file
// (manifest.json without its creation time, tool version, timings and
// absolute paths) with testdata/coord.golden: a change of the code that
// is not meant to change results must leave every line as it is.
// -update-golden rewrites the file. In -short mode only the first
// scenario runs, in one process.
func TestCoordGolden(t *testing.T) {
	shared := parsetest.DataDir(t, "coord")
	social := parsetest.DataDir(t, "social")
	work := t.TempDir()
	for name, src := range map[string]string{
		"russian.events.csv": filepath.Join(shared, "russian_coord_tweets.events.csv"),
		"german.events.csv":  filepath.Join(shared, "german_elections_2021.events.csv"),
		"ira.events.csv":     filepath.Join(shared, "ira_2016_election_week.events.csv"),
		"ira.posts.csv":      filepath.Join(shared, "ira_2016_election_week.posts.csv"),
		"ira538.csv":         filepath.Join(social, "ira-538-by-author", "tweets_2016-11-01_to_2016-11-10.csv"),
		"brexit.jsonl.gz":    filepath.Join("..", "demo", "data", "brexit.jsonl.gz"),
	} {
		abs, err := filepath.Abs(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(work, name)); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(work, "data")
	t.Chdir(work) // inputs by their names: the manifests do not depend on where the test runs
	if code, _, stderr := run(t, data, "", "synth", "--posts", "30000", "--seed", "7", "--out", "synth.csv"); code != 0 {
		t.Fatalf("synth: %s", stderr)
	}

	scenarios := goldenScenarios
	engines := []string{"single", "pairs", "reduce"}
	if testing.Short() {
		scenarios, engines = scenarios[:1], engines[:1]
	}
	var got []string
	add := func(name, engine, dir string) {
		t.Helper()
		lines, err := goldenHashes(dir)
		if err != nil {
			t.Fatalf("%s %s: %v", name, engine, err)
		}
		for _, l := range lines {
			got = append(got, name+" "+engine+" "+l)
		}
	}

	var url, creds string
	if len(engines) > 1 {
		srv, path := embedded(t, t.TempDir())
		url, creds = srv.ClientURL(), path
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var errb bytes.Buffer
				if code := cli.Main(ctx, []string{"--data", t.TempDir(), "--quiet", "worker", "--nats", url, "--nats-creds", creds, "--partitions", "4"}, strings.NewReader(""), io.Discard, &errb); code != 0 {
					t.Errorf("worker exit %d: %s", code, errb.String())
				}
			}()
		}
		defer func() { cancel(); wg.Wait() }()
	}
	engineArgs := map[string][]string{
		"single": nil,
		"pairs":  {"--nats", url, "--nats-creds", creds, "--partitions", "4", "--reduce-partitions", "0"},
		"reduce": {"--nats", url, "--nats-creds", creds, "--partitions", "4", "--reduce-partitions", "3"},
	}

	imported := false
	for _, sc := range scenarios {
		if slices.Contains(sc.args, "--dataset") && !imported {
			imported = true
			if code, _, stderr := run(t, data, "", "import", "--dataset", "ira538", "ira538.csv"); code != 0 {
				t.Fatalf("import ira538: %s", stderr)
			}
			if code, _, stderr := run(t, data, "", "import", "--dataset", "demo", "brexit.jsonl.gz", "russian.events.csv"); code != 0 {
				t.Fatalf("import demo: %s", stderr)
			}
		}
		for _, eng := range engines {
			out := filepath.Join(work, "out", sc.name, eng)
			args := append(append([]string{"coord"}, sc.args...), "--out", out)
			if code, _, stderr := run(t, data, "", append(args, engineArgs[eng]...)...); code != 0 {
				t.Fatalf("%s %s: exit %d: %s", sc.name, eng, code, stderr)
			}
			add(sc.name, eng, out)
			if eng == "single" {
				spillSame(t, data, sc.name, args, out)
			}
		}
	}
	if !testing.Short() {
		rs := &runs.Store{Dir: filepath.Join(work, "srvruns")}
		db := openSQLite(t, data)
		for _, sc := range goldenServer {
			in, err := rs.RunCoord(context.Background(), db, sc.req, cli.Version, "", nil)
			if err != nil {
				t.Fatalf("%s: %v", sc.name, err)
			}
			dir, err := rs.Path(runs.Coord, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			add(sc.name, "single", dir)
		}
	}

	path := filepath.Join(goldenDir(t), "coord.golden")
	if *updateGolden {
		if testing.Short() {
			t.Fatal("-update-golden needs the whole run: not in -short mode")
		}
		body := "# TestCoordGolden: scenario engine file sha256 (manifest.json without created_at, version, timings_s, path; .gz files decompressed)\n" + strings.Join(got, "\n") + "\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := map[string]string{}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if f := strings.Fields(l); len(f) == 4 && !strings.HasPrefix(l, "#") {
			want[f[0]+" "+f[1]+" "+f[2]] = f[3]
		}
	}
	seen := map[string]bool{}
	for _, l := range got {
		f := strings.Fields(l)
		k := f[0] + " " + f[1] + " " + f[2]
		seen[k] = true
		if w, ok := want[k]; !ok {
			t.Errorf("%s: not in the golden file (a new output? run with -update-golden in its own commit)", k)
		} else if w != f[3] {
			t.Errorf("%s: SHA-256 %s, golden %s", k, f[3], w)
		}
	}
	if !testing.Short() {
		for k := range want {
			if !seen[k] {
				t.Errorf("%s: in the golden file, not written by this run", k)
			}
		}
	}
}

// spillSame runs args again in one process with a memory budget (--mem)
// too small for the scenario's pairs, and checks that the run spilled and
// wrote the same files as the run into want (manifest.json aside: it
// counts what was spilled).
func spillSame(t *testing.T, data, name string, args []string, want string) {
	t.Helper()
	out := want + "-spill"
	args = append(slices.Clip(args[:len(args)-1]), out, "--mem", "1KiB")
	code, stdout, stderr := run(t, data, "", args...)
	if code != 0 {
		t.Fatalf("%s --mem 1KiB: exit %d: %s", name, code, stderr)
	}
	var pairs int
	if i := strings.Index(stdout, " co-share pairs"); i > 0 {
		f := strings.Fields(stdout[:i])
		pairs, _ = strconv.Atoi(f[len(f)-1])
	}
	// a budget of 1 KiB holds 65,536 pairs, the least it holds, and says
	// it is too small
	if spilled := strings.Contains(stdout, "of pairs spilled to disk"); spilled != (pairs > 1<<16) {
		t.Fatalf("%s --mem 1KiB: %d pairs, spilled %v: %s", name, pairs, spilled, stdout)
	}
	if !strings.Contains(stdout, "is less than this run must hold") {
		t.Fatalf("%s --mem 1KiB: the run did not say its budget was too small: %s", name, stdout)
	}
	// and none of the shares read (--input files, --dataset), but for the
	// fast-reshare window kind, which reads shares as they are
	if read := strings.Contains(stdout, "of shares spilled to disk while reading"); !read && !slices.Contains(args, "fast-reshare") && !strings.Contains(stdout, " 0 shares") {
		t.Fatalf("%s --mem 1KiB: the read spilled nothing: %s", name, stdout)
	}
	a, err := goldenHashes(want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := goldenHashes(out)
	if err != nil {
		t.Fatal(err)
	}
	skip := func(l string) bool { return strings.HasPrefix(l, "manifest.json ") }
	a, b = slices.DeleteFunc(a, skip), slices.DeleteFunc(b, skip)
	if !slices.Equal(a, b) {
		t.Errorf("%s: with --mem 1KiB (spilling) the files differ:\n%s\nwithout:\n%s", name, strings.Join(b, "\n"), strings.Join(a, "\n"))
	}
}

// goldenDir is internal/cli/testdata, found from the test's source
// directory whatever the working directory is now.
func goldenDir(t *testing.T) string {
	t.Helper()
	dir, ok := os.LookupEnv("TAHQIQ_CLI_TESTDATA")
	if ok {
		return dir
	}
	return filepath.Join(srcDir, "testdata")
}

// srcDir is the package directory, taken before any test changes the
// working directory.
var srcDir = func() string {
	d, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return d
}()

// goldenHashes returns "file sha256" for every output file in dir (run.json
// aside), in name order; manifest.json is hashed without its volatile lines,
// a .gz file (evidence.csv.gz) decompressed.
func goldenHashes(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || name == "run.json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if name == "manifest.json" {
			b = stableManifest(b)
		}
		if strings.HasSuffix(name, ".gz") {
			// what the file holds, not how it was compressed (the
			// compressor may change; the lines may not)
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		sum := sha256.Sum256(b)
		out = append(out, fmt.Sprintf("%s %s", name, hex.EncodeToString(sum[:])))
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("%s holds %d output files", dir, len(out))
	}
	return out, nil
}

// stableManifest drops the lines of a manifest.json that differ between
// two runs of the same inputs and parameters: the creation time, the
// tool's version, the timings and the inputs' absolute paths.
func stableManifest(b []byte) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	skip := false
	for sc.Scan() {
		l := sc.Text()
		switch {
		case skip:
			if l == "  }," || l == "  }" {
				skip = false
			}
			continue
		case strings.HasPrefix(l, `  "timings_s": {`):
			skip = !strings.HasSuffix(l, "},") && !strings.HasSuffix(l, "}")
			continue
		case strings.HasPrefix(l, `  "created_at": `), strings.HasPrefix(l, `  "version": `), strings.HasPrefix(strings.TrimSpace(l), `"path": `):
			continue
		}
		out.WriteString(l)
		out.WriteByte('\n')
	}
	return out.Bytes()
}
