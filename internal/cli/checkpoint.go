package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

func newCheckpointCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "sign and print the log's current checkpoint (keep it: verify --checkpoint proves the log never rewrote it)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, db, err := openCasework(cmd.Context(), e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			cp, err := s.Checkpoint(cmd.Context())
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(cp.Note)
			return err
		},
	}
	var name, out string
	keygen := &cobra.Command{Use: "keygen --name NAME --out DIR", Short: "make a witness key pair (NAME.key 0600, NAME.pub)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" || out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "keygen: --name and --out are required")
			}
			sk, vk, err := ledger.GenerateKey(name)
			if err != nil {
				return err
			}
			base := filepath.Join(out, strings.ReplaceAll(name, "/", "_"))
			if err := ledger.WriteKey(base+".key", sk); err != nil {
				return err
			}
			if err := os.WriteFile(base+".pub", []byte(vk+"\n"), 0o644); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, vk)
			return nil
		}}
	keygen.Flags().StringVar(&name, "name", "", "key name, e.g. witness.example.org")
	keygen.Flags().StringVar(&out, "out", ".", "directory")
	var wkey, logKey string
	cosign := &cobra.Command{Use: "cosign CHECKPOINT --key WITNESS.key --log-key LOG.pub", Short: "add a witness signature to a checkpoint (prints it)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cp, err := os.ReadFile(args[0])
			if err != nil {
				return tahqiq.Errorf(tahqiq.ENOTFOUND, "cosign: %v", err)
			}
			w, err := ledger.ReadSigner(wkey)
			if err != nil {
				return err
			}
			lb, err := os.ReadFile(logKey)
			if err != nil {
				return tahqiq.Errorf(tahqiq.ENOTFOUND, "cosign: %v", err)
			}
			lv, err := ledger.NewVerifier(string(lb))
			if err != nil {
				return err
			}
			signed, err := ledger.Cosign(cp, lv, w)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EVERIFY, "%v", err)
			}
			_, err = e.stdout.Write(signed)
			return err
		}}
	cosign.Flags().StringVar(&wkey, "key", "", "witness secret key file")
	cosign.Flags().StringVar(&logKey, "log-key", "", "the log's public key file")
	cmd.AddCommand(keygen, cosign)
	return cmd
}
