package cli

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/signals"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

func newAccountsCmd(e *env) *cobra.Command {
	var pf postFlags
	var where, only []string
	var sortBy, out string
	var asc, asJSON, columns bool
	limit := 50
	cmd := &cobra.Command{
		Use:   "accounts (--dataset NAME | --input FILE...) [--account A]... [--where COND]... [flags]",
		Short: "Signals of every account: age, posting rate, hours, clients, handle pattern, followers, renames",
		Long: `Compute, for every account that posted in a dataset (or in files read straight
from disk), what the data says of it, by written definitions: its creation
date and age at its first and last post, posts per active day and the most
in an hour and a day, the shares of reposts, replies, quotes and posts with
links, the hour-of-day profile (UTC) and its entropy, burstiness, the
clients it posted with where the export names them, its handle's pattern
(X's default: a name and eight digits), followers and following, and the
handles and names the records give it over time.

These are signals with their definitions, not a score: none of them, alone
or together, says who runs an account. "tahqiq accounts --columns" lists
every signal with its definition; docs/signals.md gives the caveats. The
same columns are the last ones of a coordination run's nodes.csv.

--where filters by any signal, COLUMN OP VALUE with OP one of = != < <= >
>= ~ (text contains), e.g. --where 'posts_per_day>=20' --where
default_handle=true --where 'created_at>=2024-01-01' --where clients~android.
A signal the data leaves empty matches only COLUMN= .

Output: a table (the --limit first, by --sort), one account in full with
--account (its UID or handle; repeatable), every account with --json, and
accounts.csv (account, handle, name, then every signal) with --out FILE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if columns {
				return printColumns(e.stdout)
			}
			ctx := cmd.Context()
			filters, err := signals.ParseFilters(where)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "--where: %v", err)
			}
			col, ok := signals.ColumnByName(sortBy)
			if !ok {
				return tahqiq.Errorf(tahqiq.EINVALID, "--sort %q: no signal of that name (tahqiq accounts --columns lists them)", sortBy)
			}
			var bl signals.Builder
			read, err := e.readPosts(ctx, &pf, &bl, func(p *tahqiq.Post) error {
				bl.Post(p)
				return nil
			})
			if err != nil {
				return err
			}
			all := bl.Rows()
			rows := make([]*signals.Row, 0, len(all))
			for _, r := range all {
				rows = append(rows, r)
			}
			if len(only) > 0 {
				if rows, err = pick(rows, only); err != nil {
					return err
				}
			}
			matched := rows[:0]
			for _, r := range rows {
				if filters.Match(r) {
					matched = append(matched, r)
				}
			}
			sortRows(matched, col, asc)
			if out != "" {
				if err := writeAccountsCSV(out, matched); err != nil {
					return err
				}
			}
			if asJSON {
				return writeJSON(e.stdout, accountsJSON{Inputs: read.Source.Inputs, Accounts: len(all), Matched: len(matched),
					Where: where, Sort: sortBy, Columns: columnDocs(), Rows: matched})
			}
			if len(only) > 0 {
				for _, r := range matched {
					printAccount(e.stdout, r)
				}
				return nil
			}
			shown := matched
			if limit > 0 && len(shown) > limit {
				shown = shown[:limit]
			}
			printAccounts(e.stdout, shown)
			fmt.Fprintf(e.stdout, "%d accounts", len(all))
			if len(where) > 0 {
				fmt.Fprintf(e.stdout, ", %d match %s", len(matched), strings.Join(where, " and "))
			}
			if len(shown) < len(matched) {
				fmt.Fprintf(e.stdout, "; the first %d by %s shown (--limit 0 shows all)", len(shown), sortBy)
			}
			fmt.Fprintln(e.stdout, "; definitions: tahqiq accounts --columns")
			if out != "" {
				fmt.Fprintf(e.stdout, "wrote %s\n", out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	pf.add(f)
	f.StringArrayVar(&only, "account", nil, "show this account in full (UID, platform id or handle; repeatable)")
	f.StringArrayVar(&where, "where", nil, "keep accounts whose signal meets COLUMN OP VALUE (repeatable; all must hold)")
	f.StringVar(&sortBy, "sort", "posts_total", "signal to sort by, largest first (empty cells last)")
	f.BoolVar(&asc, "asc", false, "sort smallest first")
	f.IntVar(&limit, "limit", limit, "accounts in the table (0: all)")
	f.StringVar(&out, "out", "", "also write the accounts (account, handle, name, every signal) to this CSV file")
	f.BoolVar(&asJSON, "json", false, "print every matching account with every signal as JSON")
	f.BoolVar(&columns, "columns", false, "list every signal with its definition and exit")
	return cmd
}

type columnDoc struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Definition string `json:"definition"`
}

var kindNames = map[signals.Kind]string{signals.Number: "number", signals.Bool: "bool", signals.Time: "time", signals.Text: "text"}

func columnDocs() []columnDoc {
	out := make([]columnDoc, len(signals.Columns))
	for i, c := range signals.Columns {
		out[i] = columnDoc{c.Name, kindNames[c.Kind], c.Doc}
	}
	return out
}

type accountsJSON struct {
	Inputs   []rundir.Input `json:"inputs"`
	Accounts int            `json:"accounts"` // accounts with a post
	Matched  int            `json:"matched"`  // of them, those meeting every --where
	Where    []string       `json:"where"`
	Sort     string         `json:"sort"`
	Columns  []columnDoc    `json:"columns"`
	Rows     []*signals.Row `json:"rows"`
}

func printColumns(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "signal\tkind\tdefinition")
	for _, c := range columnDocs() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Kind, c.Definition)
	}
	return tw.Flush()
}

// pick keeps the rows of the named accounts: a UID, a platform id or a
// handle (with or without @, any case). An account named that posted
// nothing is an error naming it.
func pick(rows []*signals.Row, names []string) ([]*signals.Row, error) {
	var out []*signals.Row
	for _, n := range names {
		found := false
		for _, r := range rows {
			_, id, _ := strings.Cut(r.Account, ":")
			if r.Account == n || id == n || (r.Handle != "" && textnorm.Mention(r.Handle) == textnorm.Mention(n)) {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "--account %q: no account of that UID, id or handle posted in the data", n)
		}
	}
	return out, nil
}

// sortRows sorts by col, largest first unless asc, empty cells last; ties
// by posts, then account.
func sortRows(rows []*signals.Row, col signals.Column, asc bool) {
	key := func(r *signals.Row) (float64, string, bool) {
		v := col.Value(r)
		if v == "" {
			return 0, "", false
		}
		if col.Kind == signals.Number {
			x, _ := strconv.ParseFloat(v, 64)
			return x, "", true
		}
		return 0, v, true
	}
	slices.SortStableFunc(rows, func(a, b *signals.Row) int {
		xa, sa, oka := key(a)
		xb, sb, okb := key(b)
		if oka != okb {
			if oka {
				return -1
			}
			return 1
		}
		c := cmp.Compare(xa, xb)
		if c == 0 {
			c = strings.Compare(sa, sb)
		}
		if !asc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(b.PostsTotal, a.PostsTotal)
		}
		if c == 0 {
			c = strings.Compare(a.Account, b.Account)
		}
		return c
	})
}

func cellOr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printAccounts(w io.Writer, rows []*signals.Row) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	cols := []string{"posts_total", "created_at", "age_first_days", "posts_per_day", "max_posts_1h", "repost_share", "hour_entropy_norm", "client_top", "default_handle", "followers", "following", "renames"}
	fmt.Fprintf(tw, "account\thandle\t%s\n", strings.Join(cols, "\t"))
	for _, r := range rows {
		cells := []string{r.Account, cellOr(r.Handle)}
		for _, name := range cols {
			c, _ := signals.ColumnByName(name)
			v := c.Value(r)
			if name == "created_at" && len(v) >= 10 {
				v = v[:10]
			}
			cells = append(cells, cellOr(v))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// printAccount prints one account with every signal and its definition,
// and the handles and names with their dates.
func printAccount(w io.Writer, r *signals.Row) {
	fmt.Fprintf(w, "%s  %s  %s\n", r.Account, cellOr(r.Handle), r.Name)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	for _, c := range signals.Columns {
		v := c.Value(r)
		if c.Name == "handles" || c.Name == "names" {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, cellOr(v), c.Doc)
	}
	tw.Flush()
	for _, l := range []struct {
		what string
		s    []signals.Seen
	}{{"handles", r.Handles}, {"names", r.Names}} {
		fmt.Fprintf(w, "  %s:\n", l.what)
		for _, s := range l.s {
			when := "profile only"
			if s.First != "" {
				when = s.First + " to " + s.Last
			}
			fmt.Fprintf(w, "    %s  (%s, %d records)\n", s.Value, when, s.Records)
		}
	}
	fmt.Fprintln(w)
}

func writeAccountsCSV(path string, rows []*signals.Row) error {
	f, err := os.Create(path)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "--out %s: %v", path, err)
	}
	w := csv.NewWriter(f)
	w.Write(append([]string{"account", "handle", "name"}, signals.Header()...))
	rec := make([]string, 0, 3+len(signals.Columns))
	for _, r := range rows {
		rec = r.AppendRecord(append(rec[:0], r.Account, r.Handle, r.Name))
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
