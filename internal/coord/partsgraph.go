package coord

import (
	"encoding/csv"
	"slices"

	"github.com/tahqiq/tahqiq"
)

// The graph step of a partitioned run (--parts with the graph on). No
// process holds the graph: the PartsReducer computes each account's
// degree and strength over every kept edge and the communities of the
// community subgraph with the partitioned Louvain (internal/partcomm:
// docs/format/partitioned-run.md, "Communities"), and the run writes
// nodes.csv and communities.csv from them. What needs the whole graph in
// one process is left out: connected components, k-cores, eigenvector
// centrality (so --eigen-prune), Leiden, the layout and the GEXF and
// GraphML files.

// PartsGraph is what a PartsReducer computed of a partitioned run's graph,
// by account id.
type PartsGraph struct {
	Algorithm  string    // what made the communities (partcomm.Algorithm); "" with --communities none
	Degree     []int32   // kept edges of each account (0: not in the network)
	Strength   []float64 // their weight
	Community  []int32   // -1: outside the community subgraph
	CommEdges  []int     // kept edges inside each community
	Modularity float64   // of the communities on the community subgraph
	Rounds     int       // passes of the partitions over their edges to find them
	Cycles     int       // refinement cycles
	Seconds    float64   // the graph step's wall time (manifest timings graph_s)
}

// PartsGraphInfo is what parts.json and manifest.json say of a
// partitioned run's graph step.
type PartsGraphInfo struct {
	Algorithm string   `json:"algorithm,omitempty"` // partcomm-louvain; absent with --communities none
	Files     []string `json:"files"`               // nodes.csv, communities.csv
	// NodeColumnsLeftOut are the columns of a single run's nodes.csv that
	// a partitioned run's does not have: they need the whole graph in one
	// process
	NodeColumnsLeftOut []string `json:"nodes_columns_left_out"`
	Rounds             int      `json:"rounds,omitempty"`
	Cycles             int      `json:"cycles,omitempty"`
	Note               string   `json:"note"`
}

// PartsNodeColumnsLeftOut are the columns of nodes.csv a partitioned run
// leaves out.
var PartsNodeColumnsLeftOut = []string{"component", "core", "eigenvector", "pruned"}

// PartsNodeHeader is the header of a partitioned run's nodes.csv:
// NodeHeader without PartsNodeColumnsLeftOut.
var PartsNodeHeader = slices.DeleteFunc(slices.Clone(NodeHeader), func(c string) bool { return slices.Contains(PartsNodeColumnsLeftOut, c) })

const partsGraphNote = "communities by the partitioned Louvain (docs/format/partitioned-run.md, \"Communities\"): no process held the graph; they can differ from a single run's graph.Louvain as another seed's do. Components, k-cores, eigenvector centrality, the layout, graph.gexf and graph.graphml need the whole graph in one process and are not computed"

// checkPartsGraph refuses the graph options a partitioned run cannot
// honour.
func checkPartsGraph(p *Params) error {
	if !p.Graph {
		return nil
	}
	switch {
	case p.Communities != "louvain" && p.Communities != "none":
		return tahqiq.ParamErrorf("communities", "{communities} %s: a partitioned run computes communities with the partitioned Louvain (partcomm-louvain) over its partitions; use louvain or none, or run without parts", p.Communities)
	case p.EigenPrune > 0:
		return tahqiq.ParamErrorf("eigen_prune", "{eigen_prune} needs eigenvector centrality, which needs the whole graph in one process: a partitioned run does not compute it; leave it at 0, or run without parts")
	}
	return nil
}

// setPartsGraph makes the run's GraphResult from what the reducer
// computed: the nodes are the accounts of the kept edges in id order, as in
// a single run; the columns left out stay nil.
func (r *Result) setPartsGraph(pg *PartsGraph) {
	gr := &GraphResult{Node: make([]int32, len(pg.Degree)), Modularity: pg.Modularity, commEdges: pg.CommEdges}
	for a, d := range pg.Degree {
		gr.Node[a] = -1
		if d > 0 {
			gr.Node[a] = int32(len(gr.Nodes))
			gr.Nodes = append(gr.Nodes, int32(a))
			gr.Degree = append(gr.Degree, d)
			gr.Strength = append(gr.Strength, pg.Strength[a])
			gr.Community = append(gr.Community, pg.Community[a])
		}
	}
	if gr.commEdges == nil {
		gr.commEdges = []int{}
	}
	r.Graph = gr
	r.Timings["graph_s"] = pg.Seconds
	r.partsGraph = &PartsGraphInfo{Algorithm: pg.Algorithm, Files: []string{"nodes.csv", "communities.csv"},
		NodeColumnsLeftOut: PartsNodeColumnsLeftOut, Rounds: pg.Rounds, Cycles: pg.Cycles, Note: partsGraphNote}
}

// PartitionedGraph reports whether r's graph step ran over partitions
// (a --parts run): its graph holds no edges, so there is no layout.
func (r *Result) PartitionedGraph() bool { return r.partsGraph != nil }

// partsGraphFiles returns the files a partitioned run writes itself and
// their writers: nodes.csv and communities.csv with the graph on, else
// none.
func (r *Result) partsGraphFiles() ([]string, []func(string) error) {
	if r.partsGraph == nil {
		return nil, nil
	}
	return []string{"nodes.csv", "communities.csv"}, []func(string) error{r.writePartsNodes, r.writeCommunities}
}

// writePartsNodes writes a partitioned run's nodes.csv: a single run's
// columns but PartsNodeColumnsLeftOut.
func (r *Result) writePartsNodes(path string) error {
	g := r.Graph
	posts, first, last := r.accountActivity()
	keep := make([]bool, len(NodeHeader))
	for i, c := range NodeHeader {
		keep[i] = !slices.Contains(PartsNodeColumnsLeftOut, c)
	}
	return writeCSV(path, PartsNodeHeader, func(w *csv.Writer) error {
		var rec, out []string
		for u, a := range g.Nodes {
			n := r.Name(a)
			x := NodeRow{Account: r.in.accounts[a], Degree: g.Degree[u], Strength: g.Strength[u],
				Community: g.Community[u], Posts: posts[a], FirstSeen: first[a], LastSeen: last[a], Handle: n.Handle, Name: n.Name}
			if r.accts != nil {
				x.Signals = r.accts.Row(x.Account)
			}
			rec = x.appendRecord(rec[:0])
			out = out[:0]
			for i, f := range rec {
				if keep[i] {
					out = append(out, f)
				}
			}
			if err := w.Write(out); err != nil {
				return err
			}
		}
		return nil
	})
}

// partsSkipped says which files of a single run with the graph on a
// partitioned run does not write, and why (manifest.json's skipped).
func (r *Result) partsSkipped() map[string]string {
	if r.partsGraph == nil {
		return map[string]string{}
	}
	why := "a partitioned run computes no layout: it needs the whole graph in one process (docs/format/partitioned-run.md, \"Communities\")"
	return map[string]string{"graph.gexf": why, "graph.graphml": why, "layout.csv": why}
}
