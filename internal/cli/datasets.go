package cli

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
)

func newDatasetsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "List the datasets you may read, with their counts and sources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			all, err := db.FindDatasets(ctx)
			if err != nil {
				return err
			}
			ds, err := e.visibleDatasets(ctx, db, all)
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

// visibleDatasets keeps the datasets the --as user may read (all of them
// on a store without organisations).
func (e *env) visibleDatasets(ctx context.Context, db fullStore, all []tahqiq.Dataset) ([]tahqiq.Dataset, error) {
	s := rules(db)
	a, err := s.CLIActor(ctx, e.as)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = d.Name
	}
	ok, err := s.VisibleDatasets(ctx, a, names)
	if err != nil {
		return nil, err
	}
	var out []tahqiq.Dataset
	for _, d := range all {
		if slices.Contains(ok, d.Name) {
			out = append(out, d)
		}
	}
	return out, nil
}

func newDatasetsRmCmd(e *env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a dataset and everything imported into it, saying what it removes (an admin of its organisation; logged)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := e.readDataset(ctx, db, args[0]); err != nil {
				return err
			}
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
			s := rules(db)
			a, err := s.CLIActor(ctx, e.as)
			if err != nil {
				return err
			}
			if _, err := s.DeleteDataset(ctx, a, d.Name); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "removed", what)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "say what would be removed, remove nothing")
	return cmd
}
