package natsbus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// CredsFile is the name of the embedded server's client credentials in
// its store directory (tahqiq serve: --data/nats/client.nk).
const CredsFile = "client.nk"

// Creds are what a client shows a NATS server: an NKey user (the seed
// signs the server's challenge, so the secret never travels), or a
// .creds file (a user JWT and its seed, for a cluster in operator mode).
type Creds struct {
	kp   nkeys.KeyPair
	pub  string
	file string // a .creds file, read by nats.go itself
}

// NewCreds makes a fresh NKey user (Ed25519, from crypto/rand).
func NewCreds() (*Creds, error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return nil, fmt.Errorf("natsbus: new credentials: %w", err)
	}
	return fromKeyPair(kp)
}

func fromKeyPair(kp nkeys.KeyPair) (*Creds, error) {
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("natsbus: credentials: %w", err)
	}
	return &Creds{kp: kp, pub: pub}, nil
}

// ReadCreds reads credentials from path: an NKey user seed file (as
// tahqiq writes and as nats --nkey reads, "SU…") or a .creds file (user
// JWT and seed, as nsc writes). A file others may read is refused.
func ReadCreds(path string) (*Creds, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("NATS credentials %s: %w", path, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("NATS credentials %s: readable by others (mode %v): chmod 600 it (or remove it for new ones if others may have read it)", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("NATS credentials %s: %w", path, err)
	}
	if bytes.Contains(b, []byte("-----BEGIN NATS USER JWT-----")) {
		return &Creds{file: path}, nil
	}
	kp, err := nkeys.ParseDecoratedUserNKey(b)
	if err != nil {
		return nil, fmt.Errorf("NATS credentials %s: not an NKey user seed or a .creds file: %w", path, err)
	}
	return fromKeyPair(kp)
}

// EmbeddedCreds returns the credentials of the embedded server whose
// store is dir, from dir/client.nk, made when missing: the seed is written
// with mode 0600 (dir made or kept 0700) and atomically, so that two
// processes starting together agree on one.
func EmbeddedCreds(dir string) (*Creds, string, error) {
	path := filepath.Join(dir, CredsFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, path, err
	}
	if err := os.Chmod(dir, 0o700); err != nil { // streams and credentials are for this user alone
		return nil, path, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		c, err := NewCreds()
		if err != nil {
			return nil, path, err
		}
		seed, err := c.kp.Seed()
		if err != nil {
			return nil, path, err
		}
		tmp, err := os.CreateTemp(dir, ".client-*.nk")
		if err != nil {
			return nil, path, err
		}
		defer os.Remove(tmp.Name())
		_, err = tmp.Write(append(seed, '\n'))
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, path, fmt.Errorf("natsbus: write %s: %w", path, err)
		}
		// link, not rename: a file another process made first is kept
		if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, path, fmt.Errorf("natsbus: write %s: %w", path, err)
		}
	}
	c, err := ReadCreds(path)
	return c, path, err
}

// Option is the nats.go option that presents c.
func (c *Creds) Option() nats.Option {
	if c.file != "" {
		return nats.UserCredentials(c.file)
	}
	return nats.Nkey(c.pub, c.kp.Sign)
}
