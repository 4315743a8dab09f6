package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
)

func newMigrateCmd(e *env) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "migrate --from DIR --to postgres://...",
		Short: "move an embedded store into an empty PostgreSQL database, with nothing lost",
		Long: `migrate copies every table of the embedded store in DIR (datasets, cases, the
custody log, users and sessions; ids preserved) into an empty PostgreSQL
database in one transaction, then compares row counts and a SHA-256 of every
table's content on both sides and prints them. The exit status is 6 when any
table differs. The embedded store is not changed. Evidence files and the
signing key stay in DIR: serve the PostgreSQL store with --data DIR, and
'tahqiq --db URL --data DIR verify' checks the moved custody log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if to == "" {
				to = e.dbURL
			}
			if from == "" || !isPostgresURL(to) {
				return tahqiq.Errorf(tahqiq.EINVALID, "migrate needs --from DIR (an embedded store) and --to postgres://... (or --db)")
			}
			src, dst, checks, err := e.copyStore(ctx, from, to)
			if len(checks) > 0 {
				fmt.Fprintf(e.stdout, "from %s\nto   %s\n", src, dst)
				w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "TABLE\tROWS FROM\tROWS TO\tSHA-256 FROM\tSHA-256 TO\tSAME")
				for _, c := range checks {
					fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%v\n", c.Table, c.From.Rows, c.To.Rows, c.From.Hash[:16], c.To.Hash[:16], c.OK())
				}
				w.Flush()
			}
			return err
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "data directory of the embedded store to copy")
	cmd.Flags().StringVar(&to, "to", "", "URL of an empty PostgreSQL database (default: --db)")
	return cmd
}
