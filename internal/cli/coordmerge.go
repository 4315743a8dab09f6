package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// partsUsage documents tahqiq coord --parts.
const partsUsage = `with --nats and --reduce-partitions above 0: the workers' reducers write edges.csv and edges_directed.csv in parts, one per account-pair partition, and the mappers evidence.csv.gz, one part per map task, listed with their SHA-256 in parts.json (the run's process never holds the edges or the evidence); needs --input; with the graph on, nodes.csv and communities.csv come from the partitioned Louvain over the partitions (no component, core, eigenvector or pruned columns, no layout or GEXF/GraphML); "tahqiq coord merge" makes the single files (docs/format/partitioned-run.md)`

// checkParts tells whether --parts can be given with the rest of the
// command line.
func checkParts(sf streamFlags, graph bool, dataset string) error {
	switch {
	case sf.url == "":
		return tahqiq.Errorf(tahqiq.EINVALID, "--parts is for runs through NATS (--nats embedded or --nats nats://…): in one process the run writes edges.csv whole")
	case sf.reduces <= 0:
		return tahqiq.Errorf(tahqiq.EINVALID, "--parts needs the workers' reducers (--reduce-partitions above 0): with --reduce-partitions 0 the run gathers every pair itself")
	case dataset != "":
		return tahqiq.Errorf(tahqiq.EINVALID, "--parts is for --input runs: a run kept in the store is served whole (its edges.csv); give --input FILE... --out DIR")
	}
	return nil
}

func newCoordMergeCmd(e *env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge RUN_DIR --out DIR",
		Short: "Merge the parts of a partitioned coordination run into edges.csv, edges_directed.csv and evidence.csv.gz",
		Long: `A run made with "tahqiq coord --nats … --parts" holds its edges in parts, one
per account-pair partition, written by the workers' reducers, its evidence in
parts, one per map task, and parts.json listing them (rows, bytes, SHA-256,
the partitioning rule). merge writes into --out the single files that the
same run in one process writes, byte for byte: edges.csv, edges_directed.csv
(--weight messages) and evidence.csv.gz. It reads each part once, the edge
parts in a k-way merge (memory in the number of parts, not in their size),
the evidence parts end to end, and checks every part's rows, bytes and
SHA-256 against parts.json: a part changed, cut or missing is named, and no
output is left. --out must be another directory than the run's (the run's
files are what its manifest lists). The format is documented in
docs/format/partitioned-run.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--out DIR is required: where to write the merged files")
			}
			m, err := coord.MergeParts(args[0], out)
			if err != nil {
				return err
			}
			for _, f := range m.Files {
				if n, ok := m.Rows[f]; ok {
					fmt.Fprintf(e.stdout, "%s: %d rows\n", f, n)
				} else {
					fmt.Fprintf(e.stdout, "%s: copied\n", f)
				}
			}
			fmt.Fprintf(e.stdout, "merged into %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the merged files into (created if needed; not the run's own)")
	return cmd
}
