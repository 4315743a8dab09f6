package coord_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/layout"
)

// TestLaidOutFiles: a run given a layout writes layout.csv (every account
// of nodes.csv, in its order, at its position) and the same positions, the
// community colours and sizes into graph.gexf (viz:position, viz:color,
// viz:size, as Gephi reads them) and graph.graphml (x, y, size, r, g, b);
// the manifest says how the layout was made.
func TestLaidOutFiles(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	res := run(t, shares, func(p *coord.Params) { p.Graph = true; p.Types = nil })
	lay := layout.Compute(res.LayoutInput(), layout.Options{Seed: 1})
	res.Layout = &lay
	dir := t.TempDir()
	m, err := res.WriteDir(dir, "test", coord.Source{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Layout == nil || m.Layout.Algorithm != layout.Algorithm || m.Layout.Edges != len(res.Edges) || !slices.Contains(m.Files, "layout.csv") {
		t.Fatalf("manifest layout %+v, files %v", m.Layout, m.Files)
	}
	var nodes []coord.NodeRow
	if err := coord.ReadNodes(filepath.Join(dir, "nodes.csv"), func(x coord.NodeRow) error { nodes = append(nodes, x); return nil }); err != nil {
		t.Fatal(err)
	}
	var rows []coord.LayoutRow
	if err := coord.ReadLayout(filepath.Join(dir, "layout.csv"), func(x coord.LayoutRow) error { rows = append(rows, x); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(nodes) || len(rows) < 1000 {
		t.Fatalf("%d layout rows, %d nodes", len(rows), len(nodes))
	}
	for u := range rows {
		if rows[u].Account != nodes[u].Account || rows[u].X != lay.X[u] || rows[u].Y != lay.Y[u] || rows[u].LaidOut != lay.Forced[u] {
			t.Fatalf("layout row %d %+v, node %s at (%v, %v)", u, rows[u], nodes[u].Account, lay.X[u], lay.Y[u])
		}
	}

	var gexf struct {
		Nodes []struct {
			ID    string `xml:"id,attr"`
			Color struct {
				R int `xml:"r,attr"`
				G int `xml:"g,attr"`
				B int `xml:"b,attr"`
			} `xml:"http://gexf.net/1.2/viz color"`
			Position *struct {
				X float32 `xml:"x,attr"`
				Y float32 `xml:"y,attr"`
			} `xml:"http://gexf.net/1.2/viz position"`
			Size struct {
				Value float64 `xml:"value,attr"`
			} `xml:"http://gexf.net/1.2/viz size"`
		} `xml:"graph>nodes>node"`
	}
	var dyn struct {
		Graph struct {
			Mode       string `xml:"mode,attr"`
			TimeFormat string `xml:"timeformat,attr"`
			Edges      []struct {
				Start string `xml:"start,attr"`
				End   string `xml:"end,attr"`
			} `xml:"edges>edge"`
		} `xml:"graph"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "graph.gexf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(raw, &gexf); err != nil {
		t.Fatal(err)
	}
	if len(gexf.Nodes) != len(nodes) {
		t.Fatalf("%d GEXF nodes", len(gexf.Nodes))
	}
	for u, n := range gexf.Nodes {
		r, g, b := coord.Colour(nodes[u].Community)
		if n.Position == nil || n.Position.X != lay.X[u] || n.Position.Y != lay.Y[u] {
			t.Fatalf("GEXF node %s at %+v, want (%v, %v)", n.ID, n.Position, lay.X[u], lay.Y[u])
		}
		if n.Color.R != int(r) || n.Color.G != int(g) || n.Color.B != int(b) || n.Size.Value < 4 || n.Size.Value > 24 {
			t.Fatalf("GEXF node %s: colour %+v size %v", n.ID, n.Color, n.Size.Value)
		}
	}
	// each link spans its co-shares' times (Gephi's timeline), as
	// edges.csv's first and last
	if err := xml.Unmarshal(raw, &dyn); err != nil {
		t.Fatal(err)
	}
	if g := dyn.Graph; g.Mode != "dynamic" || g.TimeFormat != "dateTime" || len(g.Edges) != len(res.Edges) {
		t.Fatalf("GEXF graph mode %q timeformat %q, %d edges of %d", g.Mode, g.TimeFormat, len(g.Edges), len(res.Edges))
	}
	for k, e := range dyn.Graph.Edges {
		row := res.EdgeRow(&res.Edges[k])
		first, last := time.Unix(row.First, 0).UTC().Format(time.RFC3339), time.Unix(row.Last, 0).UTC().Format(time.RFC3339)
		if e.Start != first || e.End != last || row.First > row.Last {
			t.Fatalf("GEXF edge %d spans %s to %s, edges.csv %s to %s", k, e.Start, e.End, first, last)
		}
	}
	var graphml struct {
		Nodes []struct {
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"graph>node"`
	}
	if raw, err = os.ReadFile(filepath.Join(dir, "graph.graphml")); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(raw, &graphml); err != nil {
		t.Fatal(err)
	}
	for u, n := range graphml.Nodes {
		got := map[string]string{}
		for _, d := range n.Data {
			got[d.Key] = d.Value
		}
		if got["x"] != fmt.Sprint(lay.X[u]) || got["y"] != fmt.Sprint(lay.Y[u]) || got["r"] == "" || got["size"] == "" {
			t.Fatalf("GraphML node %d: %v, want x %v y %v", u, got, lay.X[u], lay.Y[u])
		}
	}

	// without a layout: no layout.csv, no positions, colours all the same
	res.Layout = nil
	dir = t.TempDir()
	if m, err = res.WriteDir(dir, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "layout.csv")); err == nil || m.Layout != nil {
		t.Error("a run without a layout wrote layout.csv or a manifest layout")
	}
	if b, _ := json.Marshal(m); slices.Contains(m.Files, "layout.csv") || len(b) == 0 {
		t.Errorf("files %v", m.Files)
	}
}

// TestColour: the colours of the graph files are the web UI's
// (web/src/lib/format.js palette, whose values these are).
func TestColour(t *testing.T) {
	for c, want := range map[int32]string{-1: "#9aa1ab", 0: "#d03939", 1: "#29ae4f", 2: "#9139d0", 3: "#ae9d29", 7: "#2e29ae", 12: "#3984d0", 1273: "#70ae29"} {
		r, g, b := coord.Colour(c)
		if got := fmt.Sprintf("#%02x%02x%02x", r, g, b); got != want {
			t.Errorf("Colour(%d) = %s, want %s", c, got, want)
		}
	}
}

// TestLayOutAsLayout: a layout made beside the files (LayOut) writes
// every file as one made before them does, and is the run's Layout and
// manifest's after WriteDir, with its timing.
func TestLayOutAsLayout(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	write := func(async bool) (string, *coord.Manifest) {
		res := run(t, shares, func(p *coord.Params) { p.Graph = true; p.Types = nil })
		res.GraphFiles = coord.GraphFilesAlways
		in := res.LayoutInput()
		if async {
			res.LayOut(func() layout.Result { return layout.Compute(in, layout.Options{Seed: 1}) })
		} else {
			lay := layout.Compute(in, layout.Options{Seed: 1})
			res.Layout = &lay
		}
		dir := t.TempDir()
		m, err := res.WriteDir(dir, "test", coord.Source{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Layout == nil || m.Layout == nil || *m.Layout != res.Layout.Info {
			t.Fatalf("async %v: run's layout %v, manifest's %+v", async, res.Layout != nil, m.Layout)
		}
		if _, ok := m.Timings["layout_s"]; async && !ok {
			t.Errorf("no layout_s in the timings %v", m.Timings)
		}
		return dir, m
	}
	want, wm := write(false)
	got, gm := write(true)
	if !slices.Equal(gm.Files, wm.Files) || !slices.Contains(gm.Files, "layout.csv") || !slices.Contains(gm.Files, "graph.gexf") {
		t.Fatalf("files %v, want %v", gm.Files, wm.Files)
	}
	for _, f := range differentFiles(t, want, got, wm.Files) {
		t.Errorf("%s differs with the layout made beside the files", f)
	}
}

// differentFiles returns the files of a run (but its manifest, which
// holds times) that are empty in directory want or differ in got.
func differentFiles(t *testing.T, want, got string, files []string) []string {
	t.Helper()
	var differ []string
	for _, f := range files {
		if f == "manifest.json" {
			continue
		}
		a, err := os.ReadFile(filepath.Join(want, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || string(a) != string(b) {
			differ = append(differ, f)
		}
	}
	return differ
}

// TestFilesBesideAsAfter: edges.csv, edges_directed.csv and
// evidence.csv.gz written beside the graph step (WithFilesBeside, with
// the layout beside the other files: runs.MakeCoord's way) are every
// file of a run written after it, byte for byte, for the messages
// weight (its directed file) and the pairs weight, the edges in memory
// and spilled to a file over a tiny budget; a run given another
// directory writes its own.
func TestFilesBesideAsAfter(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	for _, c := range []struct {
		name string
		mod  func(p *coord.Params)
		mem  int64 // the budget; 0: none
	}{
		{"messages", func(p *coord.Params) { p.Weight = coord.WeightMessages }, 0},
		{"pairs", func(p *coord.Params) {}, 0},
		{"messages, spilled", func(p *coord.Params) { p.Weight = coord.WeightMessages }, 1},
	} {
		write := func(beside string) (string, *coord.Manifest) {
			p := coord.DefaultParams()
			p.MinParticipation, p.Graph, p.Evidence, p.Types = 1, true, true, nil
			c.mod(&p)
			dir := t.TempDir()
			ctx := context.Background()
			switch beside {
			case "same":
				ctx = coord.WithFilesBeside(ctx, dir)
			case "other":
				ctx = coord.WithFilesBeside(ctx, t.TempDir())
			}
			var eng coord.Engine
			if c.mem > 0 {
				eng = coord.InProcess(coord.Budget{Mem: c.mem, TempDir: t.TempDir()})
			}
			res, err := coord.Run(ctx, coord.Data{Shares: shares}, p, eng)
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "messages" { // one laid out (the layout is slow under -race)
				in := res.LayoutInput()
				res.LayOut(func() layout.Result { return layout.Compute(in, layout.Options{Seed: 1}) })
			}
			m, err := res.WriteDir(dir, "test", coord.Source{})
			if err != nil {
				t.Fatal(err)
			}
			return dir, m
		}
		want, wm := write("")
		for _, beside := range []string{"same", "other"} {
			got, gm := write(beside)
			if !slices.Equal(gm.Files, wm.Files) || !slices.Contains(gm.Files, "evidence.csv.gz") {
				t.Fatalf("%s, %s: files %v, want %v", c.name, beside, gm.Files, wm.Files)
			}
			if _, ok := gm.Timings["edge_files_s"]; ok != (beside == "same") {
				t.Errorf("%s, %s: timings %v", c.name, beside, gm.Timings)
			}
			for _, f := range differentFiles(t, want, got, wm.Files) {
				t.Errorf("%s, %s: %s differs or is empty", c.name, beside, f)
			}
		}
	}
}
