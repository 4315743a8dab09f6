package cli_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cli"
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
	if code, _, stderr := run(t, data, "", "coord", "--input", fixture, "--by", "retweet", "--min-participation", "2", "--out", bus, "--nats", srv.ClientURL(), "--partitions", "4"); code != 0 {
		t.Fatalf("coord --nats: %d %s", code, stderr)
	}
	for _, f := range []string{"edges.csv", "nodes.csv", "communities.csv"} {
		a, err := os.ReadFile(filepath.Join(one, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(bus, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || len(a) < 1000 {
			t.Errorf("%s differs through the workers (%d bytes, single machine %d)", f, len(b), len(a))
		}
	}
	// a worker needs a server
	if code, _, stderr := run(t, data, "", "worker"); code == 0 || !strings.Contains(stderr, "--nats") {
		t.Errorf("worker without --nats: exit %d, %q", code, stderr)
	}
}
