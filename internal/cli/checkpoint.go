package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/witness"
)

func newCheckpointCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "print the log's signed checkpoint (keep it: verify --checkpoint proves the log never rewrote it); witnesses and consistency proofs",
		Long: `checkpoint prints the custody log's latest signed checkpoint (C2SP
tlog-checkpoint, a signed note). Every change signs one, so it covers the
whole log.

Witnesses (docs/format/ledger.md, "Witnesses"): an organisation that does
not trust the log's operator runs "tahqiq checkpoint cosign" on each
checkpoint it is shown; the witness keeps the last checkpoint it co-signed
and refuses a smaller one, another of the same size, or a larger one
without a consistency proof, so the operator cannot show two histories.
"tahqiq checkpoint prove" makes that proof from the store; "tahqiq
checkpoint check" checks one offline.`,
		Args: cobra.NoArgs,
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
			if err := os.MkdirAll(out, 0o700); err != nil {
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

	var wkey, logKey, state, proofFile string
	cosign := &cobra.Command{Use: "cosign CHECKPOINT --key WITNESS.key --log-key LOG.pub --state DIR [--proof PROOF.json]",
		Short: "witness: co-sign a checkpoint consistent with the last one co-signed (prints it)",
		Long: `cosign adds the witness's signature to a checkpoint the log key signed, if
it is consistent with the last checkpoint this witness co-signed for that
log (kept in --state, one file per log): a larger one needs --proof, the
consistency proof from that size (tahqiq checkpoint prove). The first
checkpoint of a log is taken on trust. Refusals exit 6 and name the
checkpoint already co-signed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if wkey == "" || logKey == "" || state == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "cosign: --key, --log-key and --state are required")
			}
			cp, err := os.ReadFile(args[0])
			if err != nil {
				return tahqiq.Errorf(tahqiq.ENOTFOUND, "cosign: %w", err)
			}
			w, err := ledger.ReadSigner(wkey)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "cosign: %w", err)
			}
			lk, err := readKeyArg(logKey)
			if err != nil {
				return err
			}
			lv, _ := ledger.NewVerifier(lk)
			var proof *tahqiq.Proof
			if proofFile != "" {
				if proof, err = readProof(proofFile); err != nil {
					return err
				}
			}
			signed, err := (&witness.Witness{Dir: state, Signer: w}).Cosign(cp, lv, proof)
			if err != nil {
				return &exitError{code: exitProblems, msg: err.Error()}
			}
			_, err = e.stdout.Write(signed)
			return err
		}}
	cosign.Flags().StringVar(&wkey, "key", "", "witness secret key file")
	cosign.Flags().StringVar(&logKey, "log-key", "", "the log's public key (file or text)")
	cosign.Flags().StringVar(&state, "state", "", "the witness's state directory (the last checkpoint co-signed per log)")
	cosign.Flags().StringVar(&proofFile, "proof", "", "consistency proof from the size co-signed last (tahqiq checkpoint prove)")

	var from, to string
	prove := &cobra.Command{Use: "prove --from OLD.checkpoint [--to NEW.checkpoint]",
		Short: "print the consistency proof from an older checkpoint to a newer one (default: the latest) of this store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "prove: --from OLD.checkpoint is required")
			}
			s, db, err := openCasework(cmd.Context(), e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			old, err := checkpointSize(from, s.LogKey)
			if err != nil {
				return err
			}
			var n int64
			if to != "" {
				if n, err = checkpointSize(to, s.LogKey); err != nil {
					return err
				}
			}
			p, err := s.ProveConsistency(cmd.Context(), old, n)
			if err != nil {
				return err
			}
			return printOut(e, true, p)
		}}
	prove.Flags().StringVar(&from, "from", "", "the older checkpoint")
	prove.Flags().StringVar(&to, "to", "", "the newer checkpoint (default: the log's whole size)")

	var oldCP, newCP string
	check := &cobra.Command{Use: "check --old OLD.checkpoint --new NEW.checkpoint --proof PROOF.json --log-key LOG.pub",
		Short: "check offline that a newer checkpoint extends an older one (exit 6 when it does not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if oldCP == "" || newCP == "" || logKey == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "check: --old, --new and --log-key are required")
			}
			lk, err := readKeyArg(logKey)
			if err != nil {
				return err
			}
			lv, _ := ledger.NewVerifier(lk)
			open := func(p string) (int64, [32]byte, error) {
				b, err := os.ReadFile(p)
				if err != nil {
					return 0, [32]byte{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "check: %w", err)
				}
				_, t, _, err := ledger.OpenCheckpoint(b, lv)
				if err != nil {
					return 0, [32]byte{}, &exitError{code: exitProblems, msg: fmt.Sprintf("check: %s: %v", p, err)}
				}
				return t.N, t.Hash, nil
			}
			on, oh, err := open(oldCP)
			if err != nil {
				return err
			}
			nn, nh, err := open(newCP)
			if err != nil {
				return err
			}
			switch {
			case on > nn:
				return &exitError{code: exitProblems, msg: fmt.Sprintf("check: the old checkpoint (size %d) is larger than the new one (%d): the log was rolled back", on, nn)}
			case on == nn && oh != nh:
				return &exitError{code: exitProblems, msg: fmt.Sprintf("check: two checkpoints of size %d with different roots: the log is forked", on)}
			case on == nn || on == 0:
			default:
				if proofFile == "" {
					return tahqiq.Errorf(tahqiq.EINVALID, "check: --proof is required (tahqiq checkpoint prove, or GET /api/v1/log/proof/consistency)")
				}
				p, err := readProof(proofFile)
				if err != nil {
					return err
				}
				if p.Old != on || p.Size != nn {
					return &exitError{code: exitProblems, msg: fmt.Sprintf("check: the proof is from %d to %d, the checkpoints are of sizes %d and %d", p.Old, p.Size, on, nn)}
				}
				if err := ledger.CheckConsistency(*p, nh, oh); err != nil {
					return &exitError{code: exitProblems, msg: fmt.Sprintf("check: %v: the log was rewritten or forked", err)}
				}
			}
			fmt.Fprintf(e.stdout, "OK: the checkpoint of size %d extends the one of size %d\n", nn, on)
			return nil
		}}
	check.Flags().StringVar(&oldCP, "old", "", "the older checkpoint")
	check.Flags().StringVar(&newCP, "new", "", "the newer checkpoint")
	check.Flags().StringVar(&proofFile, "proof", "", "the consistency proof (JSON)")
	check.Flags().StringVar(&logKey, "log-key", "", "the log's public key (file or text)")
	cmd.AddCommand(keygen, cosign, prove, check)
	return cmd
}

// checkpointSize opens a checkpoint file signed by the store's key.
func checkpointSize(path string, v interface {
	Name() string
	KeyHash() uint32
	Verify(msg, sig []byte) bool
}) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, tahqiq.Errorf(tahqiq.ENOTFOUND, "checkpoint %s: %w", path, err)
	}
	_, t, _, err := ledger.OpenCheckpoint(b, v)
	if err != nil {
		return 0, tahqiq.Errorf(tahqiq.EVERIFY, "checkpoint %s: %w", path, err)
	}
	return t.N, nil
}

func readProof(path string) (*tahqiq.Proof, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "proof %s: %w", path, err)
	}
	var p tahqiq.Proof
	if err := json.Unmarshal(b, &p); err != nil || p.Kind != "consistency" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "proof %s: not a consistency proof (want the JSON of tahqiq checkpoint prove): %w", path, err)
	}
	return &p, nil
}
