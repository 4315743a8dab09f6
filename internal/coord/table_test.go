package coord_test

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestReadTables: edges.csv and nodes.csv read back through ReadEdges
// and ReadNodes give rows that write the same lines again (a multi-type
// run with a fast layer: n_TYPE and weight_fast columns), and a field that
// does not parse is an error naming the file, the line and the column.
func TestReadTables(t *testing.T) {
	if testing.Short() {
		t.Skip("tables of real runs read back (about 4 s): not in -short (go test ./..., as CI runs it, does)")
	}
	shares := readEvents(t, "german_elections_2021.events.csv")
	res := run(t, shares, func(p *coord.Params) { p.Graph = true; p.FastWindow = 10; p.Weight = coord.WeightCollab })
	dir := t.TempDir()
	if _, err := res.WriteDir(dir, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	lines := func(name string) []string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")[1:]
	}
	edges := lines("edges.csv")
	n := 0
	err := coord.ReadEdges(filepath.Join(dir, "edges.csv"), func(c coord.EdgeColumns, x coord.EdgeRow) error {
		if len(c.Types) != len(res.Types) || !c.Fast {
			t.Fatalf("columns %+v, want %d types and weight_fast", c, len(res.Types))
		}
		if got := strings.TrimSuffix(string(x.AppendCSV(nil)), "\n"); got != edges[n] {
			t.Fatalf("edge %d read back writes\n%s\nnot\n%s", n, got, edges[n])
		}
		n++
		return nil
	})
	if err != nil || n != len(edges) || n < 1000 {
		t.Fatalf("ReadEdges: %v, %d of %d rows", err, n, len(edges))
	}
	nodes := lines("nodes.csv")
	n = 0
	err = coord.ReadNodes(filepath.Join(dir, "nodes.csv"), func(x coord.NodeRow) error {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(x.Record())
		w.Flush()
		if got := strings.TrimSuffix(b.String(), "\n"); got != nodes[n] {
			t.Fatalf("node %d read back writes\n%s\nnot\n%s", n, got, nodes[n])
		}
		n++
		return nil
	})
	if err != nil || n != len(nodes) || n < 1000 {
		t.Fatalf("ReadNodes: %v, %d of %d rows", err, n, len(nodes))
	}

	// a damaged file: the weight of the third edge
	bad := filepath.Join(t.TempDir(), "edges.csv")
	f, err := os.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(strings.Join(res.EdgeHeader(), ",") + "\n")
	for i, l := range edges[:5] {
		if i == 2 {
			fs := strings.Split(l, ",")
			fs[2] = "heavy"
			l = strings.Join(fs, ",")
		}
		w.WriteString(l + "\n")
	}
	w.Flush()
	f.Close()
	err = coord.ReadEdges(bad, func(coord.EdgeColumns, coord.EdgeRow) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 4, column weight") || !strings.Contains(err.Error(), `"heavy"`) {
		t.Errorf("a weight that is not a number: %v", err)
	}
	if err := coord.ReadNodes(bad, func(coord.NodeRow) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a table") {
		t.Errorf("edges read as nodes: %v", err)
	}
}
