package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestCoordGraphFilesFlag: --graph-files never leaves graph.gexf and
// graph.graphml out and says so; a value it does not know is refused,
// naming the flag.
func TestCoordGraphFilesFlag(t *testing.T) {
	in := filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")
	data, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t, data, "", "coord", "--input", in, "--out", out, "--graph-files", "never", "--evidence=false")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "graph.gexf and graph.graphml not written: not asked for (--graph-files never)") {
		t.Errorf("stdout does not say the graph files were left out:\n%s", stdout)
	}
	for _, f := range []string{"graph.gexf", "graph.graphml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s written with --graph-files never", f)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "nodes.csv")); err != nil {
		t.Errorf("nodes.csv: %v", err)
	}
	code, _, stderr = run(t, data, "", "coord", "--input", in, "--out", out, "--graph-files", "sometimes")
	if code == 0 || !strings.Contains(stderr, "--graph-files") {
		t.Errorf("--graph-files sometimes: exit %d, stderr %q; want a refusal naming --graph-files", code, stderr)
	}
}
