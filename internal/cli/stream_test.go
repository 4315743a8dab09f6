package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
)

// TestCoordThroughWorkers: tahqiq coord --nats with two tahqiq worker
// commands on a NATS server writes the same files as tahqiq coord alone.
func TestCoordThroughWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: coordination through NATS workers on real data (TestCoordGolden covers the engines without -short); runs without -short, as CI does")
	}
	srv, creds := embedded(t, t.TempDir())
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errb bytes.Buffer
			if code := cli.Main(ctx, []string{"--data", t.TempDir(), "--quiet", "worker", "--nats", srv.ClientURL(), "--nats-creds", creds, "--partitions", "4"}, strings.NewReader(""), io.Discard, &errb); code != 0 {
				t.Errorf("worker exit %d: %s", code, errb.String())
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	data := t.TempDir()
	one, bus := t.TempDir(), t.TempDir()
	if code, _, stderr := run(t, data, "", "coord", "--input", fixture, "--by", "retweet", "--min-participation", "2", "--out", one); code != 0 {
		t.Fatalf("coord: %d %s", code, stderr)
	}
	// the reduce path (the default: 4 account-pair partitions, and 7),
	// and the pairs gathered by the run (0)
	for _, reduces := range []string{"4", "7", "0"} {
		bus := filepath.Join(bus, reduces)
		if code, _, stderr := run(t, data, "", "coord", "--input", fixture, "--by", "retweet", "--min-participation", "2", "--out", bus, "--nats", srv.ClientURL(), "--nats-creds", creds, "--partitions", "4", "--reduce-partitions", reduces); code != 0 {
			t.Fatalf("coord --nats --reduce-partitions %s: %d %s", reduces, code, stderr)
		}
		for _, f := range []string{"edges.csv", "nodes.csv", "communities.csv", "evidence.csv.gz"} {
			a, err := os.ReadFile(filepath.Join(one, f))
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(bus, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) || len(a) < 1000 {
				t.Errorf("--reduce-partitions %s: %s differs through the workers (%d bytes, single machine %d)", reduces, f, len(b), len(a))
			}
		}
	}
	// near-text with retweets on the real IRA tweets: texts stay in the
	// run, token sets travel with the near-text objects
	ira := filepath.Join(parsetest.DataDir(t, "social", "ira-538-by-author"), "tweets_2016-11-01_to_2016-11-10.csv")
	near := []string{"coord", "--input", ira, "--by", "near-text,retweet", "--window", "1h", "--min-participation", "1"}
	single := filepath.Join(one, "near")
	if code, _, stderr := run(t, data, "", append(near, "--out", single)...); code != 0 {
		t.Fatalf("coord --by near-text: %d %s", code, stderr)
	}
	for _, reduces := range []string{"4", "0"} {
		out := filepath.Join(bus, "near"+reduces)
		if code, _, stderr := run(t, data, "", append(near, "--out", out, "--nats", srv.ClientURL(), "--nats-creds", creds, "--partitions", "4", "--reduce-partitions", reduces)...); code != 0 {
			t.Fatalf("coord --by near-text --nats --reduce-partitions %s: %d %s", reduces, code, stderr)
		}
		for _, f := range []string{"edges.csv", "evidence.csv.gz"} {
			a, _ := os.ReadFile(filepath.Join(single, f))
			b, _ := os.ReadFile(filepath.Join(out, f))
			if !bytes.Equal(a, b) || len(a) < 1000 {
				t.Errorf("near-text, --reduce-partitions %s: %s differs through the workers (%d bytes, single machine %d)", reduces, f, len(b), len(a))
			}
		}
	}
	// a worker needs a server
	if code, _, stderr := run(t, data, "", "worker"); code == 0 || !strings.Contains(stderr, "--nats") {
		t.Errorf("worker without --nats: exit %d, %q", code, stderr)
	}
}

// TestWatchAlerts: tahqiq watch on the live stream, tahqiq publish of the
// imported Russian sample: alerts arrive on stdout and at the webhook,
// each with its group's edges and the co-share pairs behind them.
func TestWatchAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("a watch of a live stream on an embedded NATS server: not in -short (go test ./..., as CI runs it, does)")
	}
	srv, creds := embedded(t, t.TempDir())
	hooks := make(chan live.Alert, 100)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a live.Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hooks <- a
	}))
	defer hook.Close()
	data := t.TempDir()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru", fixture); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	watched := make(chan int)
	go func() {
		watched <- cli.Main(ctx, []string{"--data", data, "watch", "--nats", srv.ClientURL(), "--nats-creds", creds, "--group", "4", "--webhook", hook.URL}, strings.NewReader(""), &out, &errb)
	}()
	// the watcher reads new shares only: wait until it listens (its
	// consumer of the live stream exists, so its start is fixed)
	listening(t, srv)
	if code, stdout, stderr := run(t, data, "", "publish", "--nats", srv.ClientURL(), "--nats-creds", creds, "--dataset", "ru"); code != 0 || !strings.Contains(stdout, "published 35124 shares") {
		t.Fatalf("publish: %d %s %s", code, stdout, stderr)
	}
	var a live.Alert
	select {
	case a = <-hooks:
	case <-time.After(60 * time.Second):
		t.Fatalf("no alert at the webhook; watch said: %s", errb.String())
	}
	cancel()
	if code := <-watched; code != 0 {
		t.Fatalf("watch exit %d: %s", code, errb.String())
	}
	if len(a.Accounts) < 4 || len(a.Edges) == 0 || len(a.Edges[0].Evidence) == 0 || a.Window != 60 {
		t.Fatalf("alert %+v: want 4+ accounts, edges with evidence, window 60", a)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	var printed live.Alert
	if err := json.Unmarshal([]byte(first), &printed); err != nil || len(printed.Accounts) != len(a.Accounts) {
		t.Fatalf("stdout's first line %q is not the alert (%v)", first, err)
	}
	if !strings.Contains(errb.String(), "ALERT") || !strings.Contains(errb.String(), "watch: ") {
		t.Errorf("stderr: %s\nstdout: %.300s", errb.String(), out.String())
	}
}

// TestWatchResumeCLI: tahqiq watch --state stops and starts again on the
// same live stream: the restarted watch replays what it had seen without
// printing those alerts again, then alerts on a new feed exactly as the
// first run did on the same data; a position the stream does not match
// is set aside with a note.
func TestWatchResumeCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: a watch killed and resumed over NATS; runs without -short, as CI does")
	}
	srv, creds := embedded(t, t.TempDir())
	data := t.TempDir()
	state := filepath.Join(t.TempDir(), "watch.json")
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	for _, ds := range []string{"ru", "ru2"} {
		if code, _, stderr := run(t, data, "", "import", "--dataset", ds, fixture); code != 0 {
			t.Fatalf("import %s: %s", ds, stderr)
		}
	}
	if code, _, stderr := run(t, data, "", "publish", "--nats", srv.ClientURL(), "--nats-creds", creds, "--dataset", "ru"); code != 0 {
		t.Fatalf("publish: %s", stderr)
	}
	// watch runs tahqiq watch until the position file reaches the end of
	// the live stream (or, with note, until stderr says it), then stops it
	// and returns the alerts it printed
	watch := func(note string, extra ...string) (alerts []live.Record, stderr string) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		exited := make(chan int)
		go func() {
			args := append([]string{"--data", data, "watch", "--nats", srv.ClientURL(), "--nats-creds", creds, "--group", "4", "--state", state}, extra...)
			exited <- cli.Main(ctx, args, strings.NewReader(""), &out, &errb)
		}()
		want := uint64(0)
		if last := liveLast(t, srv); last > 0 {
			want = last
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			pos, _ := live.LoadPosition(state)
			if note == "" && pos.Last >= want || note != "" && strings.Contains(errb.String(), note) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the watch's position stays at %d, the stream ends at %d: %s", pos.Last, want, errb.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
		cancel()
		if code := <-exited; code != 0 {
			t.Fatalf("watch exit %d: %s", code, errb.String())
		}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if line == "" {
				continue
			}
			var r live.Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("stdout line %q: %v", line, err)
			}
			alerts = append(alerts, r)
		}
		return alerts, errb.String()
	}
	first, _ := watch("", "--from-start")
	if len(first) == 0 || first[0].Subject != "tahqiq.live.ru" {
		t.Fatalf("first run: %d alerts (%+v)", len(first), first)
	}
	if code, _, stderr := run(t, data, "", "publish", "--nats", srv.ClientURL(), "--nats-creds", creds, "--dataset", "ru2"); code != 0 {
		t.Fatalf("publish ru2: %s", stderr)
	}
	second, stderr := watch("")
	if !strings.Contains(stderr, "resuming after message") {
		t.Errorf("the restarted watch does not say it resumes: %s", stderr)
	}
	if len(second) != len(first) {
		t.Fatalf("restarted: %d alerts, want %d (ru2's, as many as ru's in the first run): %s", len(second), len(first), stderr)
	}
	for i, r := range second {
		if r.Subject != "tahqiq.live.ru2" || !slices.Equal(r.Accounts, first[i].Accounts) {
			t.Fatalf("restarted alert %d: %s %v, want tahqiq.live.ru2 %v (ru's alerts must not come again)", i, r.Subject, r.Accounts, first[i].Accounts)
		}
	}
	// a position ahead of the stream (a new stream) is set aside
	live.SavePosition(state, live.Position{Last: 1 << 40, Resume: 1})
	if _, stderr := watch("starting afresh"); !strings.Contains(stderr, "starting afresh") {
		t.Errorf("a position past the stream's end: %s", stderr)
	}
}

// TestImportPublish: tahqiq import --publish sends the shares the import
// added to the dataset's live subject once it is stored; importing the
// same file again adds and publishes none.
func TestImportPublish(t *testing.T) {
	data := t.TempDir()
	srv, _ := embedded(t, filepath.Join(data, "nats")) // as tahqiq serve --data data: the credentials are found there
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	var out, errb bytes.Buffer
	if code := cli.Main(context.Background(), []string{"--data", data, "import", "--dataset", "ru", "--publish", srv.ClientURL(), fixture}, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(errb.String(), "published 35124 new shares to tahqiq.live.ru") {
		t.Fatalf("import --publish: exit %d: %s", code, errb.String())
	}
	if last := liveLast(t, srv); last != (35124+499)/500 {
		t.Fatalf("live stream holds %d messages, want %d (500 shares a message)", last, (35124+499)/500)
	}
	errb.Reset()
	if code := cli.Main(context.Background(), []string{"--data", data, "import", "--dataset", "ru", "--publish", srv.ClientURL(), fixture}, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(errb.String(), "published 0 new shares") {
		t.Fatalf("second import --publish: exit %d: %s", code, errb.String())
	}
	if last := liveLast(t, srv); last != (35124+499)/500 {
		t.Errorf("the second import published: the stream holds %d messages", last)
	}
	if code, _, stderr := run(t, data, "", "import", "--dataset", "x", "--publish", "embedded", fixture); code == 0 || !strings.Contains(stderr, "nats://") {
		t.Errorf("--publish embedded: exit %d, %s", code, stderr)
	}
}

// embedded starts an embedded NATS server on dir whose credentials are
// in dir/client.nk, as tahqiq serve keeps them, and returns it with the
// path of that file.
func embedded(t *testing.T, dir string) (*natsbus.Server, string) {
	t.Helper()
	creds, path, err := natsbus.EmbeddedCreds(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := natsbus.EmbeddedAt(dir, "", creds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv, path
}

// listening waits until a consumer follows the live stream on srv.
func listening(t *testing.T, srv *natsbus.Server) {
	t.Helper()
	bus, err := natsbus.Dial(srv.ClientURL(), srv.Creds)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		if st, err := bus.JS.Stream(ctx, natsbus.LiveStream); err == nil {
			if info, err := st.Info(ctx); err == nil && info.State.Consumers > 0 {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("nothing follows the live stream after a minute")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// liveLast is the last sequence of the live stream on srv.
func liveLast(t *testing.T, srv *natsbus.Server) uint64 {
	t.Helper()
	bus, err := natsbus.Dial(srv.ClientURL(), srv.Creds)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	_, last, err := bus.LiveSeqs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCoordDatasetNearText: near-text on a stored dataset (texts read
// back from the store) writes the same files as on the file it was
// imported from, near-text edges among them.
func TestCoordDatasetNearText(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: near-text on a whole stored dataset through NATS workers; runs without -short, as CI does")
	}
	ira := filepath.Join(parsetest.DataDir(t, "social", "ira-538-by-author"), "tweets_2016-11-01_to_2016-11-10.csv")
	data := t.TempDir()
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ira", ira); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	args := []string{"coord", "--by", "near-text,retweet", "--window", "1h", "--min-participation", "1"}
	fromStore, fromFile := filepath.Join(t.TempDir(), "store"), filepath.Join(t.TempDir(), "file")
	if code, _, stderr := run(t, data, "", append(args, "--dataset", "ira", "--out", fromStore)...); code != 0 {
		t.Fatalf("coord --dataset: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", append(args, "--input", ira, "--out", fromFile)...); code != 0 {
		t.Fatalf("coord --input: %s", stderr)
	}
	for _, f := range []string{"edges.csv", "evidence.csv.gz"} {
		a, _ := os.ReadFile(filepath.Join(fromStore, f))
		b, _ := os.ReadFile(filepath.Join(fromFile, f))
		if !bytes.Equal(a, b) || len(a) < 1000 {
			t.Errorf("%s: %d bytes from the dataset, %d from the file", f, len(a), len(b))
		}
	}
	edges, _ := os.ReadFile(filepath.Join(fromStore, "edges.csv"))
	near := 0
	for _, line := range strings.Split(string(edges), "\n")[1:] {
		if f := strings.Split(line, ","); len(f) > 6 && f[6] != "0" {
			near++
		}
	}
	if near == 0 {
		t.Error("no edge carries a near-text co-share: the comparison proves little")
	}

	// A dataset run without evidence is explained by repeating it (from
	// another directory), and refused once the dataset holds another file.
	noEvidence := filepath.Join(t.TempDir(), "noev")
	if code, _, stderr := run(t, data, "", append(args, "--dataset", "ira", "--out", noEvidence, "--evidence=false")...); code != 0 {
		t.Fatalf("coord --dataset --evidence=false: %s", stderr)
	}
	more := filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")
	t.Chdir(t.TempDir())
	pairs := readEdges(t, filepath.Join(fromStore, "edges.csv"))
	a, b := pairs[len(pairs)/2][0], pairs[len(pairs)/2][1]
	_, want, _ := run(t, data, "", "coord", "explain", "--json", "--run", fromStore, a, b)
	code, got, stderr := run(t, data, "", "coord", "explain", "--json", "--run", noEvidence, a, b)
	if code != 0 || got != want || len(want) < 10 {
		t.Errorf("explain by repeating the dataset run: exit %d %s\n%s\nwant\n%s", code, stderr, got, want)
	}
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ira", more); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "coord", "explain", "--run", noEvidence, a, b); code != 4 || !strings.Contains(stderr, "changed since the run") {
		t.Errorf("explain after the dataset changed: exit %d, %s; want 4 and a conflict", code, stderr)
	}
}

// TestServeRunsInProcess: tahqiq serve without --watch or --nats makes
// its runs in its own process, as tahqiq coord does, and starts no NATS
// server (none listens, nothing is kept in --data/nats).
func TestServeRunsInProcess(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	served := make(chan int)
	go func() {
		served <- cli.Main(ctx, []string{"--data", data, "serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, &errb)
	}()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(errb.String(), "serving http://"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errb.String())
		}
	}
	cancel()
	if code := <-served; code != 0 {
		t.Fatalf("serve: exit %d, %s", code, errb.String())
	}
	if out := errb.String(); strings.Contains(out, "NATS") {
		t.Errorf("serve without --watch or --nats speaks of NATS: %s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "nats")); err == nil {
		t.Errorf("serve without --watch or --nats made %s", filepath.Join(data, "nats"))
	}
}

// TestServeNATSCredentials: tahqiq serve's embedded NATS server refuses a
// client without its credentials (a local process could otherwise read
// every organisation's live shares), and the credentials never appear in
// its output, only their file's path; the command-line feeds given the
// same --data find them, others are told how to give them.
func TestServeNATSCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("heavy: starts tahqiq serve with its embedded NATS server; runs without -short, as CI does")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "nats://" + addr
	data, other := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	served := make(chan int)
	go func() {
		served <- cli.Main(ctx, []string{"--data", data, "serve", "--addr", "127.0.0.1:0", "--nats-listen", addr, "--watch"}, strings.NewReader(""), io.Discard, &errb)
	}()
	defer func() { cancel(); <-served }()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(errb.String(), "serving http://"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errb.String())
		}
	}
	credsPath := filepath.Join(data, "nats", natsbus.CredsFile)
	seed, err := os.ReadFile(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	if out := errb.String(); !strings.Contains(out, "embedded NATS server at "+url) || !strings.Contains(out, credsPath) || strings.Contains(out, strings.TrimSpace(string(seed))) {
		t.Fatalf("serve should print the URL and the credentials' path, never the credentials: %s", out)
	}
	if nc, err := nats.Connect(url); err == nil || !natsbus.IsAuthError(err) {
		if nc != nil {
			nc.Close()
		}
		t.Fatalf("a client without credentials: err = %v, want refused", err)
	}
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	// another --data: no credentials, a clear refusal (exit 5)
	code, _, stderr := run(t, other, "", "import", "--dataset", "ru", "--publish", url, fixture)
	if code != 5 || !strings.Contains(stderr, "the server requires credentials") || !strings.Contains(stderr, "--nats-creds FILE") {
		t.Errorf("import --publish without credentials: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, other, "", "watch", "--nats", url); code != 5 || !strings.Contains(stderr, "requires credentials") {
		t.Errorf("watch without credentials: exit %d, %s", code, stderr)
	}
	_, wrong, _ := natsbus.EmbeddedCreds(filepath.Join(t.TempDir(), "nats"))
	if code, _, stderr := run(t, other, "", "watch", "--nats", url, "--nats-creds", wrong); code != 5 || !strings.Contains(stderr, "the server refused the credentials of "+wrong) {
		t.Errorf("watch with other credentials: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, other, "", "publish", "--nats", url, "--nats-creds", filepath.Join(filepath.Dir(credsPath), "missing.nk"), "--dataset", "ru"); code != 2 || !strings.Contains(stderr, "--nats-creds") {
		t.Errorf("publish with a missing credentials file: exit %d, %s", code, stderr)
	}
	// the same --data finds them; another --data is given them
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru", "--publish", url, fixture); code != 0 || !strings.Contains(stderr, "published 35124 new shares") {
		t.Errorf("import --publish with serve's --data: exit %d, %s", code, stderr)
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	var werr syncBuffer
	worked := make(chan int)
	go func() {
		worked <- cli.Main(wctx, []string{"--data", other, "worker", "--nats", url, "--nats-creds", credsPath}, strings.NewReader(""), io.Discard, &werr)
	}()
	for !strings.Contains(werr.String(), "serving "+url) && wctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	wcancel()
	<-worked
	if !strings.Contains(werr.String(), "serving "+url) || strings.Contains(werr.String(), "credentials") {
		t.Errorf("worker with --nats-creds: %s", werr.String())
	}
}

// TestExternalNATSWithoutAuth: a NATS server of one's own on this machine
// without authentication keeps working as before, even with the embedded
// server's credentials in --data (which such a server cannot take).
func TestExternalNATSWithoutAuth(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(20 * time.Second) {
		t.Fatal("server not ready")
	}
	data := t.TempDir()
	if _, _, err := natsbus.EmbeddedCreds(filepath.Join(data, "nats")); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru", "--publish", srv.ClientURL(), fixture); code != 0 || !strings.Contains(stderr, "published 35124 new shares") {
		t.Errorf("import --publish to a server without authentication: exit %d, %s", code, stderr)
	}
}
