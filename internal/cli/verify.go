package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/progress"
)

func newVerifyCmd(e *env) *cobra.Command {
	var asJSON bool
	var key, trusted string
	var witnesses, earlier []string
	var lf limitFlags
	cmd := &cobra.Command{
		Use:   "verify [PATH]",
		Short: "check a store or an export bundle offline; exit 0 only when everything checks against a key you trust",
		Long: `verify checks every blob against its hash, the custody log against its
signed checkpoint, and every record against the fold of the log: for a
store, every case, item, finding, recommendation, task, note, share,
organisation, user and dataset owner (missing, extra, rolled back or
edited records are named); for a bundle, that its log covers exactly the
signed checkpoint, that its last entry is the export itself and seals the
case's view, and that the view holds exactly what the case's entries made.
PATH is a bundle directory (with manifest.json or SHA256SUMS), a zip bundle
(any file), or a data directory (default --data).

Which key is trusted, and how, is always said:
  --key K         the log key you obtained yourself (file or text): "given"
  trusted keys    a key pinned in the trusted-keys file (--trusted, default
                  $TAHQIQ_TRUSTED_KEYS or ~/.config/tahqiq/trusted-keys;
                  tahqiq trust add): "pinned"
  otherwise       only the bundle's (or store's) own key: the log is
                  self-consistent, but who signed it is not established
--witness KEY requires that witness's co-signature on the checkpoint (a
quorum of pinned witnesses is required when the trusted-keys file sets
"quorum"); --checkpoint FILE checks the log against a checkpoint you kept.

Exit status: 0 verified against a trusted key; 6 problems found (each named
on stdout); 7 self-consistent, signer not established.

A zip bundle may come from anyone: before reading any member, verify checks
its central directory and refuses an archive of more than --max-entries
members, members that declare more than --max-ratio times their compressed
size (beyond 8 MiB) or more than --max-decompressed together, members whose
data overlap, compression methods other than stored and deflated, unsafe or
duplicate names and links (exit 6). Nothing is ever extracted.`,
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
			o := casework.VerifyOptions{Limits: lf.limits(), Meter: progress.FromContext(cmd.Context())}
			var err error
			if key != "" {
				if o.LogKey, err = readKeyArg(key); err != nil {
					return err
				}
			}
			for _, w := range witnesses {
				k, err := readKeyArg(w)
				if err != nil {
					return err
				}
				o.Witnesses = append(o.Witnesses, k)
			}
			if trusted == "" {
				trusted = ledger.DefaultTrustedKeysPath()
			}
			if trusted != "" {
				if o.Trusted, err = ledger.ReadTrustedKeys(trusted); err != nil {
					return tahqiq.Errorf(tahqiq.EINVALID, "verify: %w", err)
				}
			}
			for _, p := range earlier {
				b, err := os.ReadFile(p)
				if err != nil {
					return tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: checkpoint %s: %w", p, err)
				}
				o.Earlier = append(o.Earlier, b)
			}
			var r *casework.Report
			if isBundle(path) {
				r, err = bundle.Verify(path, o)
			} else {
				e.dataDir = path
				s, db, oerr := openCasework(cmd.Context(), e, o.LogKey == "")
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
				printReport(e, r)
			}
			switch {
			case !r.OK():
				return &exitError{code: exitProblems, msg: fmt.Sprintf("verify: %d problems", len(r.Problems))}
			case !r.Established():
				return &exitError{code: exitUnverified, msg: "verify: self-consistent, but the signer is not established: pass --key with the log key you obtained yourself, or pin it (tahqiq trust add)"}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&key, "key", "", "the log public key you trust (file or text); default: the store's or bundle's own, reported as not established unless pinned")
	cmd.Flags().StringVar(&trusted, "trusted", "", "trusted-keys file (default $TAHQIQ_TRUSTED_KEYS or ~/.config/tahqiq/trusted-keys)")
	cmd.Flags().StringSliceVar(&witnesses, "witness", nil, "witness public key (file or text) whose co-signature the checkpoint must carry; repeatable")
	cmd.Flags().StringSliceVar(&earlier, "checkpoint", nil, "earlier signed checkpoint files you kept")
	lf.add(cmd.Flags(), "", true)
	return cmd
}

func printReport(e *env, r *casework.Report) {
	for _, p := range r.Problems {
		fmt.Fprintln(e.stdout, "FAIL", p.String())
	}
	for _, n := range r.Notes {
		fmt.Fprintln(e.stdout, "note:", n)
	}
	what := fmt.Sprintf("%d records", r.Records)
	fmt.Fprintf(e.stdout, "%s %s: %d log entries, root %s, %d items, %d blobs, %s compared with the log\n",
		r.Kind, r.Path, r.LogSize, r.Root, r.Items, r.Blobs, what)
	trust := map[string]string{
		casework.TrustGiven:  "given (--key)",
		casework.TrustPinned: "pinned",
		casework.TrustSelf:   "NOT ESTABLISHED",
	}[r.Trust]
	fmt.Fprintf(e.stdout, "log key %s: %s", r.Key, trust)
	if r.TrustNote != "" {
		fmt.Fprintf(e.stdout, "; %s", r.TrustNote)
	}
	fmt.Fprintln(e.stdout)
	if len(r.Witnessed) > 0 {
		fmt.Fprintf(e.stdout, "co-signed by witnesses: %s\n", strings.Join(r.Witnessed, ", "))
	}
	switch {
	case !r.OK():
	case r.Established():
		fmt.Fprintln(e.stdout, "OK")
	default:
		fmt.Fprintln(e.stdout, "SELF-CONSISTENT: the signer is not established")
	}
}

// readKeyArg reads a verifier key given as a file or as text.
func readKeyArg(k string) (string, error) {
	if b, err := os.ReadFile(k); err == nil {
		k = string(b)
	}
	k = strings.TrimSpace(k)
	if _, err := ledger.NewVerifier(k); err != nil {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "%q is neither a key file nor a public key (name+hash+key): %w", k, err)
	}
	return k, nil
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
