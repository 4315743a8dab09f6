package coord

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/tahqiq/tahqiq"
)

// When WriteDir writes the graph files (graph.gexf, graph.graphml):
// GraphFilesAuto when the network has at most GraphFilesMaxEdges edges:
// Gephi, the desktop tool these files are for, says it visualizes
// networks "up to a million elements"; past that the files (about 560
// bytes an edge for both: 1.7 GB at 3M edges) are more than a desktop
// tool opens, and writing them was more than half of a 1M-post run.
// edges.csv and nodes.csv hold the same network; --graph-files always
// writes them anyway.
const (
	GraphFilesAuto     = "auto"
	GraphFilesAlways   = "always"
	GraphFilesNever    = "never"
	GraphFilesMaxEdges = 1_000_000
)

// graphFilesMaxEdges is GraphFilesMaxEdges (tests lower it).
var graphFilesMaxEdges int64 = GraphFilesMaxEdges

// ParseGraphFiles checks a --graph-files value ("": auto).
func ParseGraphFiles(s string) (string, error) {
	switch s {
	case "", GraphFilesAuto:
		return GraphFilesAuto, nil
	case GraphFilesAlways, GraphFilesNever:
		return s, nil
	}
	return "", tahqiq.ParamErrorf("graph_files", "{graph_files} %q: want auto, always or never", s)
}

// graphFiles reports whether WriteDir writes the graph files, and why
// not when it does not (for the manifest and the user).
func (r *Result) graphFiles() (bool, string) {
	switch r.GraphFiles {
	case GraphFilesNever:
		return false, "not asked for (graph_files never)"
	case GraphFilesAlways:
		return true, ""
	}
	if n := r.Counts["edges"]; n > graphFilesMaxEdges {
		return false, fmt.Sprintf("%d edges is over the %d that graph_files auto writes them for (always writes them)", n, graphFilesMaxEdges)
	}
	return true, ""
}

// attr is a node or edge attribute of the graph files.
type attr struct {
	name, gexfType, graphmlType string
}

// nodeAttrs are the nodes' attributes; a node's label is what people
// know the account by (AccountName.Label), and account, handle and name
// keep the UID beside what the data calls it.
var nodeAttrs = []attr{{"degree", "integer", "int"}, {"strength", "double", "double"}, {"component", "integer", "int"},
	{"community", "integer", "int"}, {"core", "integer", "int"}, {"eigenvector", "double", "double"},
	{"account", "string", "string"}, {"handle", "string", "string"}, {"name", "string", "string"}}

var edgeAttrs = []attr{{"flagged", "boolean", "boolean"}, {"pairs", "long", "long"}, {"objects", "integer", "int"},
	{"avg_dt", "double", "double"}, {"min_dt", "long", "long"}}

// nodeValues returns node u's attribute values, escaped for XML.
func (r *Result) nodeValues(u int) []string {
	g := r.Graph
	a := g.Nodes[u]
	n := r.Name(a)
	return []string{strconv.Itoa(int(g.Degree[u])), fmtFloat(g.Strength[u]), strconv.Itoa(int(g.Component[u])),
		strconv.Itoa(int(g.Community[u])), strconv.Itoa(int(g.Core[u])), fmtFloat(g.Eigen[u]),
		esc(r.in.accounts[a]), esc(n.Handle), esc(n.Name)}
}

// label returns node u's label, escaped for XML.
func (r *Result) label(u int) string {
	a := r.Graph.Nodes[u]
	return esc(r.Name(a).Label(r.in.accounts[a]))
}

// appendEdgeValue appends the value of edge attribute j (edgeAttrs) of e:
// the graph files' edges are written with appends, not fmt (3M edges).
func appendEdgeValue(b []byte, j int, e *Edge) []byte {
	switch j {
	case 0:
		return strconv.AppendBool(b, e.Flagged)
	case 1:
		return strconv.AppendInt(b, e.Pairs, 10)
	case 2:
		return strconv.AppendInt(b, int64(e.Objects), 10)
	case 3:
		return strconv.AppendFloat(b, float64(e.SumDt)/float64(e.Pairs), 'g', 10, 64)
	default:
		return strconv.AppendInt(b, e.MinDt, 10)
	}
}

// nodeIndex returns the graph's node of each account id (-1: none).
func (r *Result) nodeIndex() []int32 { return r.Graph.Node }

// Colour returns the colour of a community, as the web UI draws it
// (web/src/lib/format.js palette): hues spread by the golden angle,
// lightness alternating; grey for no community (-1).
func Colour(c int32) (r, g, b uint8) {
	if c < 0 {
		return 0x9a, 0xa1, 0xab
	}
	h := math.Mod(float64(c)*137.508, 360)
	const s = 0.62
	l := 0.52
	if c%2 == 1 {
		l = 0.42
	}
	f := func(n float64) uint8 {
		k := math.Mod(n+h/30, 12)
		v := l - s*math.Min(l, 1-l)*math.Max(-1, math.Min(math.Min(k-3, 9-k), 1))
		return uint8(math.Round(255 * v))
	}
	return f(0), f(8), f(4)
}

// vizSize is an account's size in the graph files: 4 to 24 by the square
// root of its strength, in the units of its position (within ±1000).
func (r *Result) vizSize(u int) float64 {
	if r.maxStrength == 0 {
		for _, s := range r.Graph.Strength {
			r.maxStrength = math.Max(r.maxStrength, s)
		}
	}
	if r.maxStrength == 0 {
		return 4
	}
	return math.Round((4+20*math.Sqrt(r.Graph.Strength[u]/r.maxStrength))*100) / 100
}

func esc(s string) string {
	var b []byte
	w := &byteWriter{&b}
	xml.EscapeText(w, []byte(s))
	return string(b)
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

// writeXML creates path and writes through fn with a buffered writer.
func writeXML(path string, fn func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fn(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeGEXF writes the network as GEXF 1.2 (Gephi).
func (r *Result) writeGEXF(path string) error {
	return writeXML(path, func(w *bufio.Writer) error {
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.2\" xmlns:viz=\"http://gexf.net/1.2/viz\" version=\"1.2\">\n")
		fmt.Fprintf(w, "  <meta><creator>tahqiq</creator><description>%s</description></meta>\n", esc("coordination network: "+r.Params.String()))
		// dynamic: each link spans the times of its co-shares (first to
		// last), so that Gephi's timeline shows the links active in an
		// interval; accounts have no span (always there)
		fmt.Fprintf(w, "  <graph mode=\"dynamic\" defaultedgetype=\"undirected\" timeformat=\"dateTime\">\n    <attributes class=\"node\">\n")
		for i, a := range nodeAttrs {
			fmt.Fprintf(w, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i, a.name, a.gexfType)
		}
		fmt.Fprintf(w, "    </attributes>\n    <attributes class=\"edge\">\n")
		for i, a := range edgeAttrs {
			fmt.Fprintf(w, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i, a.name, a.gexfType)
		}
		fmt.Fprintf(w, "    </attributes>\n    <nodes>\n")
		for u := range r.Graph.Nodes {
			fmt.Fprintf(w, "      <node id=\"n%d\" label=\"%s\"><attvalues>", u, r.label(u))
			attvalues(w, r.nodeValues(u))
			cr, cg, cb := Colour(r.Graph.Community[u])
			fmt.Fprintf(w, "</attvalues><viz:color r=\"%d\" g=\"%d\" b=\"%d\"/>", cr, cg, cb)
			if r.Layout != nil {
				fmt.Fprintf(w, "<viz:position x=\"%s\" y=\"%s\" z=\"0\"/>", fmtCoord(r.Layout.X[u]), fmtCoord(r.Layout.Y[u]))
			}
			fmt.Fprintf(w, "<viz:size value=\"%s\"/></node>\n", fmtFloat(r.vizSize(u)))
		}
		fmt.Fprintf(w, "    </nodes>\n    <edges>\n")
		node := r.nodeIndex()
		var b []byte
		i := 0
		if err := r.eachEdge(func(e *Edge, _ []int32) error {
			b = append(b[:0], `      <edge id="e`...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, `" source="n`...)
			b = strconv.AppendInt(b, int64(node[e.A]), 10)
			b = append(b, `" target="n`...)
			b = strconv.AppendInt(b, int64(node[e.B]), 10)
			b = append(b, `" weight="`...)
			b = strconv.AppendFloat(b, e.Weight, 'g', 10, 64)
			if e.First != 0 || e.Last != 0 {
				b = append(b, `" start="`...)
				b = time.Unix(e.First, 0).UTC().AppendFormat(b, time.RFC3339)
				b = append(b, `" end="`...)
				b = time.Unix(e.Last, 0).UTC().AppendFormat(b, time.RFC3339)
			}
			b = append(b, `"><attvalues>`...)
			for j := range edgeAttrs {
				b = append(b, `<attvalue for="`...)
				b = strconv.AppendInt(b, int64(j), 10)
				b = append(b, `" value="`...)
				b = appendEdgeValue(b, j, e)
				b = append(b, `"/>`...)
			}
			b = append(b, "</attvalues></edge>\n"...)
			i++
			_, err := w.Write(b)
			return err
		}); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "    </edges>\n  </graph>\n</gexf>\n")
		return err
	})
}

func attvalues(w io.Writer, vals []string) {
	for i, v := range vals {
		fmt.Fprintf(w, "<attvalue for=\"%d\" value=\"%s\"/>", i, v)
	}
}

// writeGraphML writes the network as GraphML.
func (r *Result) writeGraphML(path string) error {
	return writeXML(path, func(w *bufio.Writer) error {
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n")
		fmt.Fprintf(w, "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n")
		for _, a := range nodeAttrs {
			fmt.Fprintf(w, "  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", a.name, a.name, a.graphmlType)
		}
		// what Gephi's GraphML reader takes for a node's look: x, y, size, r, g, b
		if r.Layout != nil {
			fmt.Fprintf(w, "  <key id=\"x\" for=\"node\" attr.name=\"x\" attr.type=\"float\"/>\n  <key id=\"y\" for=\"node\" attr.name=\"y\" attr.type=\"float\"/>\n")
		}
		fmt.Fprintf(w, "  <key id=\"size\" for=\"node\" attr.name=\"size\" attr.type=\"double\"/>\n")
		for _, c := range []string{"r", "g", "b"} {
			fmt.Fprintf(w, "  <key id=\"%s\" for=\"node\" attr.name=\"%s\" attr.type=\"int\"/>\n", c, c)
		}
		fmt.Fprintf(w, "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n")
		for _, a := range edgeAttrs {
			fmt.Fprintf(w, "  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", a.name, a.name, a.graphmlType)
		}
		fmt.Fprintf(w, "  <graph id=\"coordination\" edgedefault=\"undirected\">\n")
		for u := range r.Graph.Nodes {
			fmt.Fprintf(w, "    <node id=\"n%d\"><data key=\"label\">%s</data>", u, r.label(u))
			for i, v := range r.nodeValues(u) {
				fmt.Fprintf(w, "<data key=\"n_%s\">%s</data>", nodeAttrs[i].name, v)
			}
			if r.Layout != nil {
				fmt.Fprintf(w, "<data key=\"x\">%s</data><data key=\"y\">%s</data>", fmtCoord(r.Layout.X[u]), fmtCoord(r.Layout.Y[u]))
			}
			cr, cg, cb := Colour(r.Graph.Community[u])
			fmt.Fprintf(w, "<data key=\"size\">%s</data><data key=\"r\">%d</data><data key=\"g\">%d</data><data key=\"b\">%d</data></node>\n", fmtFloat(r.vizSize(u)), cr, cg, cb)
		}
		node := r.nodeIndex()
		var b []byte
		i := 0
		if err := r.eachEdge(func(e *Edge, _ []int32) error {
			b = append(b[:0], `    <edge id="e`...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, `" source="n`...)
			b = strconv.AppendInt(b, int64(node[e.A]), 10)
			b = append(b, `" target="n`...)
			b = strconv.AppendInt(b, int64(node[e.B]), 10)
			b = append(b, `"><data key="weight">`...)
			b = strconv.AppendFloat(b, e.Weight, 'g', 10, 64)
			b = append(b, `</data>`...)
			for j, a := range edgeAttrs {
				b = append(b, `<data key="e_`...)
				b = append(b, a.name...)
				b = append(b, `">`...)
				b = appendEdgeValue(b, j, e)
				b = append(b, `</data>`...)
			}
			b = append(b, "</edge>\n"...)
			i++
			_, err := w.Write(b)
			return err
		}); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "  </graph>\n</graphml>\n")
		return err
	})
}
