package coord_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestGraphFiles: graph.gexf and graph.graphml are written when asked
// (always), when the network is within GraphFilesAuto's bound, and not
// over it or with never, where the manifest says which were left out and
// why; the other files are the same bytes either way.
func TestGraphFiles(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	res := run(t, shares, func(p *coord.Params) { p.Graph = true; p.Types = nil })
	edges := int64(len(res.Edges))
	if edges < 2 {
		t.Fatalf("%d edges: the bound is not tested", edges)
	}
	graphFiles := []string{"graph.gexf", "graph.graphml"}
	for _, tc := range []struct {
		name, mode string
		bound      int64
		written    bool
		why        string
	}{
		{"auto within", coord.GraphFilesAuto, edges, true, ""},
		{"auto over", coord.GraphFilesAuto, edges - 1, false, "over the"},
		{"always over", coord.GraphFilesAlways, edges - 1, true, ""},
		{"never", coord.GraphFilesNever, edges, false, "graph_files never"},
		{"zero value is auto", "", edges - 1, false, "over the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer coord.SetGraphFilesMaxEdges(tc.bound)()
			res.GraphFiles = tc.mode
			dir := t.TempDir()
			m, err := res.WriteDir(dir, "test", coord.Source{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range graphFiles {
				_, statErr := os.Stat(filepath.Join(dir, f))
				if listed := slices.Contains(m.Files, f); listed != tc.written || (statErr == nil) != tc.written {
					t.Errorf("%s: listed %v, on disk %v; want %v", f, listed, statErr == nil, tc.written)
				}
				if why := m.Skipped[f]; (why != "") == tc.written || !strings.Contains(why, tc.why) {
					t.Errorf("%s: skipped %q, want it to say %q", f, why, tc.why)
				}
			}
			for _, f := range []string{"edges.csv", "nodes.csv", "communities.csv", "evidence.csv.gz"} {
				if !slices.Contains(m.Files, f) {
					t.Errorf("%s not written", f)
				}
			}
		})
	}
	if _, err := coord.ParseGraphFiles("sometimes"); err == nil || !strings.Contains(err.Error(), "graph_files") {
		t.Errorf("ParseGraphFiles(sometimes) = %v, want an error naming graph_files", err)
	}
}
