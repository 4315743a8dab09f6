package coord

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
)

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

func (r *Result) edgeValues(e *Edge) []string {
	return []string{strconv.FormatBool(e.Flagged), strconv.FormatInt(e.Pairs, 10), strconv.Itoa(int(e.Objects)),
		fmtFloat(float64(e.SumDt) / float64(e.Pairs)), strconv.FormatInt(e.MinDt, 10)}
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
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.2\" version=\"1.2\">\n")
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
		for u := range r.Graph.Nodes {
			fmt.Fprintf(w, "      <node id=\"n%d\" label=\"%s\"><attvalues>", u, r.label(u))
			attvalues(w, r.nodeValues(u))
			fmt.Fprintf(w, "</attvalues></node>\n")
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
			fmt.Fprintf(w, "</node>\n")
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
