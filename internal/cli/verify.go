package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

func newVerifyCmd(e *env) *cobra.Command {
	var asJSON bool
	var key string
	var witnesses, earlier []string
	cmd := &cobra.Command{
		Use:   "verify [PATH]",
		Short: "check a store or an export bundle offline; exit 0 only when everything checks",
		Long: `verify checks every blob against its hash, every item and record against its
custody-log entry, the log against its signed checkpoints, and consistency
with any earlier checkpoint you hold (--checkpoint). PATH is a bundle
directory (with manifest.json or SHA256SUMS), a zip bundle (any file, as
written by tahqiq case export --out X.zip or the HTTP export), or a data
directory (default --data).
Exit status 6 names each problem on stdout.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := e.dataDir
			if len(args) == 1 {
				path = args[0]
			}
			if _, err := os.Stat(path); err != nil {
				// Never create a store where the user meant a bundle.
				return tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: %s: no such bundle or data directory", path)
			}
			o := casework.VerifyOptions{Witnesses: witnesses}
			if key != "" {
				b, err := os.ReadFile(key)
				if err != nil {
					o.LogKey = key // given inline
				} else {
					o.LogKey = strings.TrimSpace(string(b))
				}
			}
			for _, p := range earlier {
				b, err := os.ReadFile(p)
				if err != nil {
					return tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: checkpoint %s: %v", p, err)
				}
				o.Earlier = append(o.Earlier, b)
			}
			var r *casework.Report
			var err error
			if isBundle(path) {
				r, err = casework.VerifyBundle(path, o)
			} else {
				e.dataDir = path
				s, db, oerr := openCasework(cmd.Context(), e, true)
				if oerr != nil {
					return oerr
				}
				defer db.Close()
				r, err = s.VerifyStore(cmd.Context(), o)
			}
			if err != nil {
				return err
			}
			if asJSON {
				if err := printOut(e, true, r); err != nil {
					return err
				}
			} else {
				for _, p := range r.Problems {
					fmt.Fprintln(e.stdout, "FAIL", p.String())
				}
				fmt.Fprintf(e.stdout, "%s %s: %d log entries, root %s, %d items, %d blobs, signed by %s\n",
					r.Kind, r.Path, r.LogSize, r.Root, r.Items, r.Blobs, strings.Join(r.Signers, ", "))
			}
			if !r.OK() {
				return &exitError{code: 6, msg: fmt.Sprintf("verify: %d problems", len(r.Problems))}
			}
			if !asJSON {
				fmt.Fprintln(e.stdout, "OK")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&key, "key", "", "the log public key you trust (file or text); default: the one in the store or bundle")
	cmd.Flags().StringSliceVar(&witnesses, "witness", nil, "witness public keys")
	cmd.Flags().StringSliceVar(&earlier, "checkpoint", nil, "earlier signed checkpoint files you kept")
	return cmd
}

// isBundle reports whether path is an export bundle rather than a data
// directory: a file (a zip bundle) or a directory holding manifest.json
// or SHA256SUMS (so that a bundle missing its manifest is still checked
// as one and the removal named).
func isBundle(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if !st.IsDir() {
		return true
	}
	for _, n := range []string{"manifest.json", "SHA256SUMS"} {
		if _, err := os.Stat(filepath.Join(path, n)); err == nil {
			return true
		}
	}
	return false
}
