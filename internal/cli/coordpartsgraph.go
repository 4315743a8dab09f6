package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// printPartsGraph says how a partitioned run's graph step was made and
// what it left out.
func printPartsGraph(w io.Writer, m *coord.Manifest) {
	g := m.PartsGraph
	left := strings.Join(g.NodeColumnsLeftOut, ", ")
	if g.Algorithm == "" {
		fmt.Fprintf(w, "  nodes.csv: degree and strength over the partitions, no communities (--communities none); without the columns %s, no layout.csv (they need the whole graph in one process)\n", left)
		return
	}
	fmt.Fprintf(w, "  communities: %s over the partitions, %d rounds, %d cycles, modularity %.4f (close to a single run's Louvain, not equal: docs/format/partitioned-run.md, \"Communities\"); nodes.csv without the columns %s, no layout.csv (they need the whole graph in one process)\n",
		g.Algorithm, g.Rounds, g.Cycles, m.Modularity, left)
}
