package coord

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// attr is a node or edge attribute of the graph files.
type attr struct {
	name, gexfType, graphmlType string
}

var nodeAttrs = []attr{{"degree", "integer", "int"}, {"strength", "double", "double"}, {"component", "integer", "int"},
	{"community", "integer", "int"}, {"core", "integer", "int"}, {"eigenvector", "double", "double"}}

var edgeAttrs = []attr{{"flagged", "boolean", "boolean"}, {"pairs", "long", "long"}, {"objects", "integer", "int"},
	{"avg_dt", "double", "double"}, {"min_dt", "long", "long"}}

func (r *Result) nodeValues(u int) []string {
	g := r.Graph
	return []string{strconv.Itoa(int(g.Degree[u])), fmtFloat(g.Strength[u]), strconv.Itoa(int(g.Component[u])),
		strconv.Itoa(int(g.Community[u])), strconv.Itoa(int(g.Core[u])), fmtFloat(g.Eigen[u])}
}

func (r *Result) edgeValues(e *Edge) []string {
	return []string{strconv.FormatBool(e.Flagged), strconv.FormatInt(e.Pairs, 10), strconv.Itoa(int(e.Objects)),
		fmtFloat(float64(e.SumDt) / float64(e.Pairs)), strconv.FormatInt(e.MinDt, 10)}
}

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
		fmt.Fprintf(w, "  <graph mode=\"static\" defaultedgetype=\"undirected\">\n    <attributes class=\"node\">\n")
		for i, a := range nodeAttrs {
			fmt.Fprintf(w, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i, a.name, a.gexfType)
		}
		fmt.Fprintf(w, "    </attributes>\n    <attributes class=\"edge\">\n")
		for i, a := range edgeAttrs {
			fmt.Fprintf(w, "      <attribute id=\"%d\" title=\"%s\" type=\"%s\"/>\n", i, a.name, a.gexfType)
		}
		fmt.Fprintf(w, "    </attributes>\n    <nodes>\n")
		for u, a := range r.Graph.Nodes {
			fmt.Fprintf(w, "      <node id=\"n%d\" label=\"%s\"><attvalues>", u, esc(r.in.accounts[a]))
			attvalues(w, r.nodeValues(u))
			cr, cg, cb := Colour(r.Graph.Community[u])
			fmt.Fprintf(w, "</attvalues><viz:color r=\"%d\" g=\"%d\" b=\"%d\"/>", cr, cg, cb)
			if r.Layout != nil {
				fmt.Fprintf(w, "<viz:position x=\"%s\" y=\"%s\" z=\"0\"/>", fmtCoord(r.Layout.X[u]), fmtCoord(r.Layout.Y[u]))
			}
			fmt.Fprintf(w, "<viz:size value=\"%s\"/></node>\n", fmtFloat(r.vizSize(u)))
		}
		fmt.Fprintf(w, "    </nodes>\n    <edges>\n")
		for i := range r.Edges {
			e := &r.Edges[i]
			fmt.Fprintf(w, "      <edge id=\"e%d\" source=\"n%d\" target=\"n%d\" weight=\"%s\"><attvalues>", i, r.Graph.Node[e.A], r.Graph.Node[e.B], fmtFloat(e.Weight))
			attvalues(w, r.edgeValues(e))
			fmt.Fprintf(w, "</attvalues></edge>\n")
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
		for u, a := range r.Graph.Nodes {
			fmt.Fprintf(w, "    <node id=\"n%d\"><data key=\"label\">%s</data>", u, esc(r.in.accounts[a]))
			for i, v := range r.nodeValues(u) {
				fmt.Fprintf(w, "<data key=\"n_%s\">%s</data>", nodeAttrs[i].name, v)
			}
			if r.Layout != nil {
				fmt.Fprintf(w, "<data key=\"x\">%s</data><data key=\"y\">%s</data>", fmtCoord(r.Layout.X[u]), fmtCoord(r.Layout.Y[u]))
			}
			cr, cg, cb := Colour(r.Graph.Community[u])
			fmt.Fprintf(w, "<data key=\"size\">%s</data><data key=\"r\">%d</data><data key=\"g\">%d</data><data key=\"b\">%d</data></node>\n", fmtFloat(r.vizSize(u)), cr, cg, cb)
		}
		for i := range r.Edges {
			e := &r.Edges[i]
			fmt.Fprintf(w, "    <edge id=\"e%d\" source=\"n%d\" target=\"n%d\"><data key=\"weight\">%s</data>", i, r.Graph.Node[e.A], r.Graph.Node[e.B], fmtFloat(e.Weight))
			for j, v := range r.edgeValues(e) {
				fmt.Fprintf(w, "<data key=\"e_%s\">%s</data>", edgeAttrs[j].name, v)
			}
			fmt.Fprintf(w, "</edge>\n")
		}
		_, err := fmt.Fprintf(w, "  </graph>\n</graphml>\n")
		return err
	})
}
