// Package keyfile keeps the store's signing key pair in the data
// directory: keys/log.key (the secret, 0600) and keys/log.pub, made once
// (CreateKey, tahqiq org init) and read by every process that signs
// checkpoints of the custody log (LoadKey).
package keyfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Key files inside the data directory. log.key is the secret: back it up
// offline; losing it means new checkpoints cannot be signed with the same
// identity, leaking it means anyone can sign checkpoints.
const (
	KeyFile    = "keys/log.key"
	PubKeyFile = "keys/log.pub"
)

// CreateKey generates the store's signing key in dataDir (0600). It fails
// with ECONFLICT when one exists.
func CreateKey(dataDir, name string) (note.Signer, note.Verifier, error) {
	p := filepath.Join(dataDir, KeyFile)
	if _, err := os.Stat(p); err == nil {
		return nil, nil, tahqiq.Errorf(tahqiq.ECONFLICT, "%s exists: the store is initialised already", p)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, nil, err
	}
	sk, vk, err := ledger.GenerateKey(name)
	if err != nil {
		return nil, nil, err
	}
	if err := ledger.WriteKey(p, sk); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dataDir, PubKeyFile), []byte(vk+"\n"), 0o644); err != nil {
		return nil, nil, err
	}
	return LoadKey(dataDir)
}

// LoadKey reads the store's key pair.
func LoadKey(dataDir string) (note.Signer, note.Verifier, error) {
	s, err := ledger.ReadSigner(filepath.Join(dataDir, KeyFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no signing key in %s: run tahqiq org init first", dataDir)
		}
		return nil, nil, err
	}
	b, err := os.ReadFile(filepath.Join(dataDir, PubKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("keyfile: read public key: %w", err)
	}
	v, err := ledger.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, nil, err
	}
	return s, pubKey{v, strings.TrimSpace(string(b))}, nil
}

// pubKey is a verifier that remembers its text form.
type pubKey struct {
	note.Verifier
	text string
}

func (p pubKey) String() string { return p.text }
