package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
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
					Name       string `json:"name"`
					Created    string `json:"created_at"`
					Counts     any    `json:"counts"`
					Sources    any    `json:"sources"`
					Derivation string `json:"derivation"`         // "" when none was recorded
					Current    bool   `json:"derivation_current"` // false: tahqiq datasets rederive NAME before use
				}
				list := make([]out, 0, len(ds))
				for _, d := range ds {
					list = append(list, out{d.Name, d.CreatedAt.Format("2006-01-02T15:04:05Z"), d.Counts, d.Sources, d.Derivation, d.Derivation == ingest.Derivation})
				}
				return writeJSON(e.stdout, list)
			}
			if len(ds) == 0 {
				fmt.Fprintf(e.stdout, "no datasets in %s (import one with: tahqiq import FILE...)\n", db.Path())
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DATASET\tRECORDS\tPOSTS\tACCOUNTS\tSHARES\tREJECTS\tFILES")
			var stale []string
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", d.Name, d.Counts.Records, d.Counts.Posts, d.Counts.Accounts, d.Counts.Shares, d.Counts.Rejects, len(d.Sources))
				if ingest.CheckDerivation(d) != nil {
					stale = append(stale, d.Name)
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, name := range stale {
				fmt.Fprintf(e.stdout, "\n%s was derived by other rules than this tahqiq's (%s): re-derive it before use: tahqiq datasets rederive %s\n", name, ingest.Derivation, name)
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
	cmd.AddCommand(newDatasetsRmCmd(e), newDatasetsRejectsCmd(e), newDatasetsRederiveCmd(e))
	return cmd
}

// visibleDatasets keeps the datasets the --as user may read (all of them
// on a store without organisations).
func (e *env) visibleDatasets(ctx context.Context, db fullStore, all []tahqiq.Dataset) ([]tahqiq.Dataset, error) {
	s := e.rules(db)
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
			s := e.rules(db)
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

func newDatasetsRejectsCmd(e *env) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "rejects NAME",
		Short: "List the records a dataset's imports rejected: file, line and reason",
		Long: `List every record the imports into a dataset rejected, in import order,
with its file, line and reason (an import's summary lists only the first
10,000). --json prints the objects of GET /api/v1/datasets/NAME/rejects
(file, line, reason and the raw record, here in full).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if limit < 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "--limit %d: want 0 (all) or more", limit)
			}
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
			type rejectJSON struct {
				File   string `json:"file"`
				Line   int64  `json:"line"`
				Reason string `json:"reason"`
				Raw    string `json:"raw,omitempty"`
			}
			// Pages are written as they are read: the list may be long.
			bw := bufio.NewWriter(e.stdout)
			tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
			enc := json.NewEncoder(bw)
			enc.SetEscapeHTML(false)
			if asJSON {
				bw.WriteString("[")
			} else {
				fmt.Fprintln(tw, "FILE\tPLACE\tREASON")
			}
			const page = 10000
			listed := 0
			for limit == 0 || listed < limit {
				n := page
				if limit > 0 {
					n = min(page, limit-listed)
				}
				rs, err := db.FindRejects(ctx, d.Name, n, listed)
				if err != nil {
					return err
				}
				for _, r := range rs {
					if asJSON {
						if listed > 0 {
							bw.WriteString(",")
						}
						bw.WriteString("\n  ")
						if err := enc.Encode(rejectJSON{File: r.File, Line: r.Line, Reason: r.Reason, Raw: string(r.Raw)}); err != nil {
							return err
						}
					} else {
						place, reason := rejectPlace(r.Line, r.Reason)
						fmt.Fprintf(tw, "%s\t%s\t%s\n", r.File, place, reason)
					}
					listed++
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if len(rs) < n {
					break
				}
			}
			total := d.Counts.Rejects
			if asJSON {
				bw.WriteString("]\n")
				if int64(listed) < total {
					fmt.Fprintf(e.stderr, "tahqiq: listed %d of %d rejects (--limit 0 lists all)\n", listed, total)
				}
			} else if int64(listed) < total {
				fmt.Fprintf(bw, "%d of %s in dataset %s (--limit 0 lists all)\n", listed, plural(total, "reject"), d.Name)
			} else {
				fmt.Fprintf(bw, "%s in dataset %s\n", plural(total, "reject"), d.Name)
			}
			return bw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: [{file, line, reason, raw}]")
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N rejects (0: all)")
	return cmd
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func newDatasetsRederiveCmd(e *env) *cobra.Command {
	var asJSON, dryRun bool
	var mapSpec string
	var options []string
	cmd := &cobra.Command{
		Use:   "rederive NAME",
		Short: "Rebuild a dataset's posts, accounts and shares from its raw records with this tahqiq's rules, saying what changed",
		Long: `Rebuild what a dataset derives from its raw records (posts, accounts,
shares, record kinds, post-id conflicts) with this tahqiq's importers and
text rules, in one transaction, and print what changed: posts, shares and
rejects added and removed, records now rejected (their raw bytes move to
the rejects), record kinds that changed.

A dataset derived by other rules (an earlier tahqiq, or another text
normaliser) is refused by coord, export, publish and import until it is
re-derived, so that two derivations never mix. The raw records are kept
byte for byte; the rejects of the importers stay as they were.

Files imported before their format options were recorded are read with
--map and --option (a generic CSV needs its --map again). --dry-run does
everything and keeps nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			fo, err := formatOptions(mapSpec, options)
			if err != nil {
				return err
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			// who may import into the dataset may re-derive it (casework
			// decides, and logs the re-derivation with it)
			s := e.rules(db)
			a, err := s.CLIActor(ctx, e.as)
			if err != nil {
				return err
			}
			opt := ingest.RederiveOptions{FormatOptions: fo, DryRun: dryRun, Log: e.log}
			sum, err := s.Rederive(ctx, a, e.importer(), db, args[0], opt)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, sum)
			}
			printRederive(e.stdout, sum)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON summary of what changed")
	f.BoolVar(&dryRun, "dry-run", false, "say what would change, change nothing")
	f.StringVar(&mapSpec, "map", "", "column map for generic CSV files imported before options were recorded")
	f.StringArrayVar(&options, "option", nil, "format option KEY=VALUE for files imported before options were recorded")
	return cmd
}

func printRederive(w io.Writer, s ingest.RederiveSummary) {
	from := s.From
	if from == "" {
		from = "an earlier tahqiq (before derivations were recorded)"
	}
	state := "committed"
	if !s.Committed {
		state = "dry run: nothing was changed"
	}
	fmt.Fprintf(w, "dataset %s re-derived from %s to %s (%s)\n", s.Dataset, from, s.To, state)
	fmt.Fprintf(w, "  %d files, %d records read again\n", s.Files, s.Records)
	fmt.Fprintf(w, "  posts %d -> %d: %d added, %d removed, %d changed\n", s.Before.Posts, s.After.Posts, s.PostsAdded, s.PostsRemoved, s.PostsChanged)
	fmt.Fprintf(w, "  accounts %d -> %d\n", s.Before.Accounts, s.After.Accounts)
	fmt.Fprintf(w, "  shares %d -> %d: %d added, %d removed\n", s.Before.Shares, s.After.Shares, s.SharesAdded, s.SharesRemoved)
	fmt.Fprintf(w, "  rejects %d -> %d: %d added, %d removed (%d records now rejected, raw kept)\n", s.Before.Rejects, s.After.Rejects, s.RejectsAdded, s.RejectsRemoved, s.RecordsRejected)
	if len(s.KindsChanged) > 0 {
		var kinds []string
		for k, n := range s.KindsChanged {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		fmt.Fprintf(w, "  record kinds changed: %s\n", strings.Join(kinds, ", "))
	}
	for _, l := range []struct {
		what string
		n    int64
		uids []string
	}{{"posts added", s.PostsAdded, s.Examples.PostsAdded}, {"posts removed", s.PostsRemoved, s.Examples.PostsRemoved}, {"posts changed", s.PostsChanged, s.Examples.PostsChanged}} {
		if len(l.uids) > 0 {
			more := ""
			if int64(len(l.uids)) < l.n {
				more = fmt.Sprintf(" (first %d of %d)", len(l.uids), l.n)
			}
			fmt.Fprintf(w, "  %s%s: %s\n", l.what, more, strings.Join(l.uids, " "))
		}
	}
	for _, r := range s.Examples.RejectsAdded {
		printReject(w, "added: ", r, r.Reason)
	}
	for _, r := range s.Examples.RejectsRemoved {
		fmt.Fprintf(w, "  reject removed: %s:%d: %s\n", r.File, r.Line, r.Reason)
	}
}

// rejectPlace says where in its file a rejected record is, for people:
// its line, or (a record of a JSON document, which has no line of its
// own) the JSON pointer its reason starts with (#/messages/41), taken out
// of the reason; "-" for a reject of the whole file.
func rejectPlace(line int64, reason string) (place, rest string) {
	if line > 0 {
		return strconv.FormatInt(line, 10), reason
	}
	if strings.HasPrefix(reason, "#/") {
		if loc, rest, ok := strings.Cut(reason, ": "); ok {
			return loc, rest
		}
	}
	return "-", reason
}
