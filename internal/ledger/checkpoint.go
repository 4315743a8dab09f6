package ledger

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// GenerateKey makes an Ed25519 note key pair named name. skey is secret.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// WriteKey writes a secret key to path with 0600 permissions (fsynced).
func WriteKey(path, skey string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("ledger: write key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("ledger: write key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("ledger: write key: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// ReadSigner reads a secret key written by WriteKey.
func ReadSigner(path string) (note.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: read key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("ledger: read key %s: %w", path, err)
	}
	return s, nil
}

// CheckpointText is the checkpoint body (C2SP tlog-checkpoint):
// "<origin>\n<size>\n<base64 root>\n".
func CheckpointText(origin string, t tlog.Tree) string {
	return origin + "\n" + strconv.FormatInt(t.N, 10) + "\n" + base64.StdEncoding.EncodeToString(t.Hash[:]) + "\n"
}

// Sign makes a signed checkpoint of tree t.
func Sign(origin string, t tlog.Tree, s note.Signer) (tahqiq.Checkpoint, error) {
	if strings.ContainsAny(origin, "\n") || origin == "" {
		return tahqiq.Checkpoint{}, errors.New("ledger: sign: bad origin")
	}
	msg, err := note.Sign(&note.Note{Text: CheckpointText(origin, t)}, s)
	if err != nil {
		return tahqiq.Checkpoint{}, fmt.Errorf("ledger: sign: %w", err)
	}
	return tahqiq.Checkpoint{Origin: origin, Size: t.N, Root: base64.StdEncoding.EncodeToString(t.Hash[:]), Note: msg}, nil
}

// Caps on a signed note, checked before it is parsed: a checkpoint is a
// few hundred bytes with one signature per key (the log's and its
// witnesses'); x/mod's parser stops only at 100 signatures.
const (
	MaxNoteSize = 64 << 10
	MaxNoteSigs = 100 // as x/mod's note parser, and docs/format/ledger.md
)

// checkNote refuses a note larger or with more signature lines than the
// caps, before anything parses it.
func checkNote(signed []byte) error {
	if len(signed) > MaxNoteSize {
		return fmt.Errorf("malformed note: checkpoint of %d bytes, larger than %d KiB, refused before parsing", len(signed), MaxNoteSize>>10)
	}
	if n := bytes.Count(signed, []byte("\n\u2014 ")); n > MaxNoteSigs {
		return fmt.Errorf("malformed note: %d signature lines, more than %d, refused before parsing", n, MaxNoteSigs)
	}
	return nil
}

// Cosign adds a witness signature to a signed checkpoint. The witness
// should have checked consistency with the last checkpoint it signed.
func Cosign(signed []byte, logKey note.Verifier, w note.Signer) ([]byte, error) {
	if err := checkNote(signed); err != nil {
		return nil, fmt.Errorf("ledger: cosign: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(logKey))
	if err != nil {
		return nil, fmt.Errorf("ledger: cosign: %w", err)
	}
	n.Sigs = append(n.Sigs, n.UnverifiedSigs...)
	n.UnverifiedSigs = nil
	out, err := note.Sign(n, w)
	if err != nil {
		return nil, fmt.Errorf("ledger: cosign: %w", err)
	}
	return out, nil
}

// OpenCheckpoint verifies a signed checkpoint with the log's key and
// returns its tree and the names of all keys among vs that signed it.
func OpenCheckpoint(signed []byte, logKey note.Verifier, witnesses ...note.Verifier) (origin string, t tlog.Tree, signers []string, err error) {
	if err := checkNote(signed); err != nil {
		return "", t, nil, err
	}
	vs := append([]note.Verifier{logKey}, witnesses...)
	n, err := note.Open(signed, note.VerifierList(vs...))
	if err != nil {
		var ue *note.UnverifiedNoteError
		if errors.As(err, &ue) {
			return "", t, nil, fmt.Errorf("checkpoint not signed by any known key (signed by %s)", sigNames(ue.Note.UnverifiedSigs))
		}
		return "", t, nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	logSigned := false
	for _, s := range n.Sigs {
		signers = append(signers, s.Name)
		if s.Name == logKey.Name() && s.Hash == logKey.KeyHash() {
			logSigned = true
		}
	}
	if !logSigned {
		return "", t, signers, fmt.Errorf("checkpoint not signed by the log key %s (signed by %s)", logKey.Name(), strings.Join(signers, ", "))
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return "", t, signers, errors.New("checkpoint: malformed body")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", t, signers, fmt.Errorf("checkpoint: bad size %q", lines[1])
	}
	// The root is exactly the standard, padded base64 of 32 bytes, as
	// written (no space, no other spelling of the same bytes).
	var h tlog.Hash
	if b, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(b) != len(h) || base64.StdEncoding.EncodeToString(b) != lines[2] {
		return "", t, signers, fmt.Errorf("checkpoint: bad root hash %q", lines[2])
	} else {
		copy(h[:], b)
	}
	if lines[0] == "" {
		return "", t, signers, errors.New("checkpoint: empty origin")
	}
	return lines[0], tlog.Tree{N: size, Hash: h}, signers, nil
}

func sigNames(s []note.Signature) string {
	var names []string
	for _, x := range s {
		names = append(names, fmt.Sprintf("%s+%08x", x.Name, x.Hash))
	}
	return strings.Join(names, ", ")
}

// NewVerifier parses a public (verifier) key.
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("ledger: verifier key: %w", err)
	}
	return v, nil
}

// ReadSignerFromText parses a secret key.
func ReadSignerFromText(skey string) (note.Signer, error) {
	return note.NewSigner(strings.TrimSpace(skey))
}
