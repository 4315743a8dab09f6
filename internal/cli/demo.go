package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/demo"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

func newDemoCmd(e *env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job on bundled real samples with the embedded store",
		Long: `Run tahqiq's main job on real public samples bundled in the binary
(see internal/demo/data/README.md for their origin and licence): import them
into the embedded store (--data), find the accounts that retweeted the same
posts within 60 seconds of each other, and summarise what was found.

The samples are written to DIR/inputs and every output goes under DIR
(--out, default ./tahqiq-demo). Running the demo twice imports nothing twice.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w := e.stdout
			files, err := demo.WriteFiles(filepath.Join(out, "inputs"))
			if err != nil {
				return err
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()

			fmt.Fprintf(w, "== 1. Import (store: %s)\n", db.Path())
			opt := ingest.Options{Dataset: "demo", Progress: e.progressOut(), Log: e.log}
			sum, err := e.importer().Import(ctx, db, files, opt)
			if err != nil {
				return err
			}
			printSummary(w, sum)
			d, err := db.FindDatasetByName(ctx, "demo")
			if err != nil {
				return err
			}
			c := d.Counts
			fmt.Fprintf(w, "dataset demo now holds %d records, %d posts, %d accounts, %d shares, %d rejects from %d files\n",
				c.Records, c.Posts, c.Accounts, c.Shares, c.Rejects, len(d.Sources))

			fmt.Fprintf(w, "\n== 2. Coordination: co-retweets within 60 s, CooRTweet's min-participation 2\n")
			shares, ins, err := e.datasetShares(ctx, "demo", []tahqiq.ObjectType{tahqiq.ObjRetweet})
			if err != nil {
				return err
			}
			p := coord.DefaultParams()
			p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
			p.Percentile = 0.5
			res, err := coord.Run(ctx, shares, p, nil)
			if err != nil {
				return err
			}
			runDir := filepath.Join(out, "coord")
			m, err := res.WriteDir(runDir, Version, ins)
			if err != nil {
				return err
			}
			k := m.Counts
			fmt.Fprintf(w, "%d shares -> %d co-share pairs -> %d edges between %d accounts; %d edges above the median weight flagged; %d communities (modularity %.3f)\n",
				k["shares"], k["pairs"], k["edges"], k["edge_accounts"], k["flagged_edges"], countCommunities(res), m.Modularity)
			top := res.Edges[0]
			for _, e := range res.Edges {
				if e.Weight > top.Weight {
					top = e
				}
			}
			fmt.Fprintf(w, "strongest link: %s - %s, %g co-retweets (explain it: tahqiq coord explain --run %s %s %s)\n",
				res.Account(top.A), res.Account(top.B), top.Weight, runDir, res.Account(top.A), res.Account(top.B))
			fmt.Fprintf(w, "files in %s: %s\n", runDir, strings.Join(m.Files, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "tahqiq-demo", "directory for the demo's inputs and outputs")
	return cmd
}

func countCommunities(res *coord.Result) int {
	if res.Graph == nil {
		return 0
	}
	n := int32(0)
	for _, c := range res.Graph.Community {
		n = max(n, c+1)
	}
	return int(n)
}
