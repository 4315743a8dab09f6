package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCoordPartsCLI: tahqiq coord --nats embedded --parts writes parts
// and parts.json, and tahqiq coord merge makes edges.csv,
// edges_directed.csv and evidence.csv.gz byte for byte as the run in one
// process; the flags that cannot go with --parts are refused in their
// terms.
func TestCoordPartsCLI(t *testing.T) {
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	data := t.TempDir()
	one, parts, merged := t.TempDir(), filepath.Join(t.TempDir(), "parts"), filepath.Join(t.TempDir(), "merged")
	args := []string{"coord", "--input", fixture, "--by", "retweet", "--weight", "messages", "--min-participation", "1", "--graph=false"}
	if code, _, stderr := run(t, data, "", append(args, "--out", one)...); code != 0 {
		t.Fatalf("coord: %d %s", code, stderr)
	}
	if code, stdout, stderr := run(t, data, "", append(args, "--out", parts, "--nats", "embedded", "--parts", "--reduce-partitions", "3")...); code != 0 || !strings.Contains(stdout, "parts.json") {
		t.Fatalf("coord --parts: %d %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(parts, "edges.csv")); err == nil {
		t.Fatal("a run with --parts wrote edges.csv")
	}
	code, stdout, stderr := run(t, data, "", "coord", "merge", parts, "--out", merged)
	if code != 0 || !strings.Contains(stdout, "edges.csv: ") {
		t.Fatalf("coord merge: %d %s %s", code, stdout, stderr)
	}
	for _, f := range []string{"edges.csv", "edges_directed.csv", "evidence.csv.gz"} {
		a, _ := os.ReadFile(filepath.Join(one, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s: merged %d bytes, one process %d", f, len(b), len(a))
		}
	}
	// the run's own read under its budget, as one process's is: the
	// shares and the posts go to disk while read (readspill, postspill),
	// the workers inside take their shares of it; the same merged files
	small, smallMerged := filepath.Join(t.TempDir(), "small"), filepath.Join(t.TempDir(), "small-merged")
	if code, stdout, stderr := run(t, data, "", append(args, "--out", small, "--nats", "embedded", "--parts", "--reduce-partitions", "3", "--mem", "1MiB")...); code != 0 ||
		!strings.Contains(stdout, "of shares spilled to disk while reading") || !strings.Contains(stdout, "of posts written to disk while reading") {
		t.Fatalf("coord --parts --mem 1MiB: the run's read did not keep to the budget: %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, data, "", "coord", "merge", small, "--out", smallMerged); code != 0 {
		t.Fatalf("coord merge: %d %s", code, stderr)
	}
	for _, f := range []string{"edges.csv", "edges_directed.csv", "evidence.csv.gz"} {
		a, _ := os.ReadFile(filepath.Join(one, f))
		b, _ := os.ReadFile(filepath.Join(smallMerged, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("--mem 1MiB: %s: merged %d bytes, one process %d", f, len(b), len(a))
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--parts"}, "--parts is for runs through NATS"},
		{[]string{"--parts", "--nats", "embedded", "--reduce-partitions", "0"}, "--reduce-partitions above 0"},
		{[]string{"--parts", "--nats", "embedded", "--graph=true", "--communities", "leiden"}, "partitioned Louvain"},
		{[]string{"--parts", "--nats", "embedded", "--graph=true", "--eigen-prune", "0.5"}, "--eigen-prune needs eigenvector centrality"},
	} {
		code, _, stderr := run(t, data, "", append(append(args, "--out", t.TempDir()), tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want %q", tc.args, code, stderr, tc.want)
		}
	}
	// with the graph on: nodes.csv and communities.csv from the
	// partitioned communities (internal/natsbus TestPartsGraph checks them)
	graph := filepath.Join(t.TempDir(), "graph")
	if code, stdout, stderr := run(t, data, "", append(args[:len(args)-1], "--out", graph, "--nats", "embedded", "--parts", "--reduce-partitions", "3")...); code != 0 || !strings.Contains(stdout, "nodes.csv, communities.csv") ||
		!strings.Contains(stdout, "communities: partcomm-louvain over the partitions") || !strings.Contains(stdout, "without the columns component, core, eigenvector, pruned") {
		t.Fatalf("coord --parts with the graph: %d %s %s", code, stdout, stderr)
	} else if strings.Contains(stdout, ", layout ") {
		// no layout is made of a graph without edges: no time for one either
		t.Errorf("coord --parts with the graph times a layout it does not make:\n%s", stdout)
	}
	if code, _, stderr := run(t, data, "", "coord", "merge", one, "--out", t.TempDir()); code == 0 || !strings.Contains(stderr, "needs no merge") {
		t.Errorf("merge of a whole run: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, data, "", "coord", "merge", parts); code == 0 || !strings.Contains(stderr, "--out DIR is required") {
		t.Errorf("merge without --out: %d %s", code, stderr)
	}
}
