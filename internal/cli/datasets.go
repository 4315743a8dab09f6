package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newDatasetsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "List datasets with their counts and sources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			ds, err := db.FindDatasets(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				type out struct {
					Name    string `json:"name"`
					Created string `json:"created_at"`
					Counts  any    `json:"counts"`
					Sources any    `json:"sources"`
				}
				list := make([]out, 0, len(ds))
				for _, d := range ds {
					list = append(list, out{d.Name, d.CreatedAt.Format("2006-01-02T15:04:05Z"), d.Counts, d.Sources})
				}
				return writeJSON(e.stdout, list)
			}
			if len(ds) == 0 {
				fmt.Fprintf(e.stdout, "no datasets in %s (import one with: tahqiq import FILE...)\n", db.Path())
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DATASET\tRECORDS\tPOSTS\tACCOUNTS\tSHARES\tREJECTS\tFILES")
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", d.Name, d.Counts.Records, d.Counts.Posts, d.Counts.Accounts, d.Counts.Shares, d.Counts.Rejects, len(d.Sources))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, d := range ds {
				fmt.Fprintf(e.stdout, "\n%s sources:\n", d.Name)
				for _, s := range d.Sources {
					fmt.Fprintf(e.stdout, "  %s  %-18s %8d records  %s\n", s.SHA256[:12], s.Format, s.Records, s.Name)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(newDatasetsRmCmd(e))
	return cmd
}

func newDatasetsRmCmd(e *env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a dataset and everything imported into it, saying what it removes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			d, err := db.FindDatasetByName(ctx, args[0])
			if err != nil {
				return err
			}
			c := d.Counts
			what := fmt.Sprintf("dataset %s: %d files, %d records, %d posts, %d accounts, %d shares, %d rejects", d.Name, len(d.Sources), c.Records, c.Posts, c.Accounts, c.Shares, c.Rejects)
			if dryRun {
				fmt.Fprintln(e.stdout, "would remove", what)
				return nil
			}
			if _, err := db.DeleteDataset(ctx, d.Name); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "removed", what)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed, remove nothing")
	return cmd
}
