// Package witness is a stateful checkpoint witness (after C2SP
// tlog-witness): it co-signs a log's checkpoint only when it is consistent
// with the last one it co-signed for that log, keeps that one, and refuses
// a smaller tree (a rollback), another tree of the same size (a fork) or a
// larger one without a valid consistency proof. Two parties shown two
// histories by one log operator cannot both get this witness's signature.
// The first checkpoint of a log is taken on trust.
package witness

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
	"github.com/tahqiq/tahqiq/internal/filelock"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Witness co-signs checkpoints with its key, keeping its state (the last
// checkpoint co-signed per origin) in Dir.
type Witness struct {
	Dir    string
	Signer note.Signer
}

// Refusal is a checkpoint the witness will not co-sign, with why.
type Refusal struct {
	Reason string // "rollback", "fork", "proof"
	Stored []byte // the checkpoint the witness holds for the log
	Msg    string
}

func (r *Refusal) Error() string { return r.Msg }

// statePath is the file of a log's last co-signed checkpoint: the hex
// SHA-256 of its origin line.
func (w *Witness) statePath(origin string) string {
	h := sha256.Sum256([]byte(origin))
	return filepath.Join(w.Dir, hex.EncodeToString(h[:]))
}

// Latest returns the last checkpoint co-signed for origin (nil for none).
func (w *Witness) Latest(origin string) ([]byte, error) {
	b, err := os.ReadFile(w.statePath(origin))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Cosign checks signed (which logKey must have signed) against the last
// checkpoint co-signed for its origin, with proof the consistency proof
// from that one's size to signed's size (unused when there is none yet or
// the sizes are equal), and returns signed with the witness's signature
// added, storing it as the latest. The check and the store are atomic
// (one witness process at a time per state directory).
func (w *Witness) Cosign(signed []byte, logKey note.Verifier, proof *tahqiq.Proof) ([]byte, error) {
	origin, t, _, err := ledger.OpenCheckpoint(signed, logKey)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if err := os.MkdirAll(w.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	unlock, err := lock(filepath.Join(w.Dir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	stored, err := w.Latest(origin)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if stored != nil {
		_, old, _, err := ledger.OpenCheckpoint(stored, logKey)
		if err != nil {
			return nil, fmt.Errorf("witness: the checkpoint stored for %q does not open with this log key: %w", origin, err)
		}
		switch {
		case t.N < old.N:
			return nil, &Refusal{Reason: "rollback", Stored: stored, Msg: fmt.Sprintf("witness: refused: the checkpoint is of size %d, smaller than the %d already co-signed for %q: the log was rolled back", t.N, old.N, origin)}
		case t.N == old.N && t.Hash != old.Hash:
			return nil, &Refusal{Reason: "fork", Stored: stored, Msg: fmt.Sprintf("witness: refused: a checkpoint of size %d with another root than the one already co-signed for %q: the log is forked", t.N, origin)}
		case t.N > old.N && old.N > 0:
			if proof == nil {
				return nil, &Refusal{Reason: "proof", Stored: stored, Msg: fmt.Sprintf("witness: refused: a consistency proof from size %d (co-signed before) to %d is needed", old.N, t.N)}
			}
			if proof.Old != old.N || proof.Size != t.N {
				return nil, &Refusal{Reason: "proof", Stored: stored, Msg: fmt.Sprintf("witness: refused: the proof is from %d to %d, want %d to %d", proof.Old, proof.Size, old.N, t.N)}
			}
			if err := ledger.CheckConsistency(*proof, t.Hash, old.Hash); err != nil {
				return nil, &Refusal{Reason: "fork", Stored: stored, Msg: fmt.Sprintf("witness: refused: %v: the log is forked or rewritten", err)}
			}
		}
	}
	out, err := ledger.Cosign(signed, logKey, w.Signer)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if err := atomicfile.Write(w.statePath(origin), out, 0o600); err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	return out, nil
}

// lock takes an exclusive lock on path, waiting for it.
func lock(path string) (func(), error) {
	unlock, err := filelock.Lock(path)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	return unlock, nil
}
