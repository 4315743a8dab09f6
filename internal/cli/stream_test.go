package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/stream"
)

// TestCoordThroughWorkers: tahqiq coord --nats with two tahqiq worker
// commands on a NATS server writes the same files as tahqiq coord alone.
func TestCoordThroughWorkers(t *testing.T) {
	srv, err := stream.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errb bytes.Buffer
			if code := cli.Main(ctx, []string{"--data", t.TempDir(), "--quiet", "worker", "--nats", srv.ClientURL(), "--partitions", "4"}, strings.NewReader(""), io.Discard, &errb); code != 0 {
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
		if code, _, stderr := run(t, data, "", "coord", "--input", fixture, "--by", "retweet", "--min-participation", "2", "--out", bus, "--nats", srv.ClientURL(), "--partitions", "4", "--reduce-partitions", reduces); code != 0 {
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
	// a worker needs a server
	if code, _, stderr := run(t, data, "", "worker"); code == 0 || !strings.Contains(stderr, "--nats") {
		t.Errorf("worker without --nats: exit %d, %q", code, stderr)
	}
}

// TestWatchAlerts: tahqiq watch on the live stream, tahqiq publish of the
// imported Russian sample: alerts arrive on stdout and at the webhook,
// each with its group's edges and the co-share pairs behind them.
func TestWatchAlerts(t *testing.T) {
	srv, err := stream.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
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
		watched <- cli.Main(ctx, []string{"--data", data, "watch", "--nats", srv.ClientURL(), "--group", "4", "--webhook", hook.URL}, strings.NewReader(""), &out, &errb)
	}()
	// the watcher reads new shares only: wait until it listens
	for !strings.Contains(errb.String(), "watching") {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if code, stdout, stderr := run(t, data, "", "publish", "--nats", srv.ClientURL(), "--dataset", "ru"); code != 0 || !strings.Contains(stdout, "published 35124 shares") {
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
