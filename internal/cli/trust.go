package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

func newTrustCmd(e *env) *cobra.Command {
	var trusted string
	path := func() (string, error) {
		if trusted == "" {
			trusted = ledger.DefaultTrustedKeysPath()
		}
		if trusted == "" {
			return "", tahqiq.Errorf(tahqiq.EINVALID, "trust: no trusted-keys file: pass --trusted FILE or set TAHQIQ_TRUSTED_KEYS")
		}
		return trusted, nil
	}
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "the log and witness keys verify trusts (the trusted-keys file)",
		Long: `The trusted-keys file lists the keys verify trusts without --key
(docs/format/ledger.md, "Trusted keys"): one "log KEY" or "witness KEY" a
line, and "quorum K" for how many of the listed witnesses must co-sign a
checkpoint. Pin a log's key after obtaining it from its operator by a
channel you trust (in person, a signed letter, the organisation's site).`,
	}
	cmd.PersistentFlags().StringVar(&trusted, "trusted", "", "trusted-keys file (default $TAHQIQ_TRUSTED_KEYS or ~/.config/tahqiq/trusted-keys)")
	var asWitness bool
	add := &cobra.Command{
		Use:   "add KEY",
		Short: "pin a log key (or, with --witness, a witness key): a file or the key's text",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := path()
			if err != nil {
				return err
			}
			k, err := readKeyArg(args[0])
			if err != nil {
				return err
			}
			t, err := ledger.ReadTrustedKeys(p)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "trust: %w", err)
			}
			kind := "log"
			if asWitness {
				kind = "witness"
			}
			if err := t.Add(kind, k); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s key %s pinned in %s\n", kind, k, p)
			return nil
		},
	}
	add.Flags().BoolVar(&asWitness, "witness", false, "the key is a witness's")
	list := &cobra.Command{
		Use:   "list",
		Short: "print the trusted keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := path()
			if err != nil {
				return err
			}
			t, err := ledger.ReadTrustedKeys(p)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "trust: %w", err)
			}
			fmt.Fprintf(e.stdout, "# %s\n", p)
			for _, k := range t.Logs {
				fmt.Fprintln(e.stdout, "log", k)
			}
			for _, k := range t.Witnesses {
				fmt.Fprintln(e.stdout, "witness", k)
			}
			if t.Quorum > 0 {
				fmt.Fprintln(e.stdout, "quorum", t.Quorum)
			}
			return nil
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}
