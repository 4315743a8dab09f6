package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

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
into the embedded store (--data) and summarise what was found.

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
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "tahqiq-demo", "directory for the demo's inputs and outputs")
	return cmd
}
