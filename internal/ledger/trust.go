package ledger

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// TrustedKeys is what a verifier trusts, read from a trusted-keys file
// (docs/format/ledger.md, "Trusted keys"): log keys whose checkpoints it
// accepts, witness keys, and how many of those witnesses must have
// co-signed a checkpoint. The file is line-based, after the C2SP and
// Sigsum policy files:
//
//	# comments and blank lines are ignored
//	log <verifier key>
//	witness <verifier key>
//	quorum <k>
type TrustedKeys struct {
	Path      string   // where it was read from ("" when built in memory)
	Logs      []string // verifier keys ("name+hash+key")
	Witnesses []string
	Quorum    int // witnesses (of Witnesses) that must co-sign; 0: none
}

// maxTrustedKeysFile bounds the file read (a policy is a few lines).
const maxTrustedKeysFile = 1 << 20

// ParseTrustedKeys parses the text of a trusted-keys file; name is used
// in errors.
func ParseTrustedKeys(name string, b []byte) (*TrustedKeys, error) {
	if len(b) > maxTrustedKeysFile {
		return nil, fmt.Errorf("%s: larger than %d bytes: not a trusted-keys file", name, maxTrustedKeysFile)
	}
	t := &TrustedKeys{Path: name}
	sc := bufio.NewScanner(bytes.NewReader(b))
	line := 0
	quorumSet := false
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Fields(s)
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, a...))
		}
		switch f[0] {
		case "log", "witness":
			if len(f) != 2 {
				return nil, bad("want %q followed by one verifier key", f[0])
			}
			if _, err := note.NewVerifier(f[1]); err != nil {
				return nil, bad("%s key %q: %v", f[0], f[1], err)
			}
			if f[0] == "log" {
				t.Logs = append(t.Logs, f[1])
			} else {
				t.Witnesses = append(t.Witnesses, f[1])
			}
		case "quorum":
			k, err := strconv.Atoi(strings.Join(f[1:], " "))
			if len(f) != 2 || err != nil || k < 0 {
				return nil, bad("want quorum followed by a number of witnesses")
			}
			t.Quorum, quorumSet = k, true
		default:
			return nil, bad("unknown line %q (want log, witness or quorum)", f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if quorumSet && t.Quorum > len(t.Witnesses) {
		return nil, fmt.Errorf("%s: quorum %d, but only %d witnesses are listed", name, t.Quorum, len(t.Witnesses))
	}
	return t, nil
}

// ReadTrustedKeys reads a trusted-keys file; a file that does not exist
// gives an empty list (nothing trusted) without error.
func ReadTrustedKeys(path string) (*TrustedKeys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &TrustedKeys{Path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trusted keys: %w", err)
	}
	return ParseTrustedKeys(path, b)
}

// DefaultTrustedKeysPath is where verify looks for trusted keys: the
// environment's TAHQIQ_TRUSTED_KEYS, else trusted-keys in the user's
// configuration directory ($XDG_CONFIG_HOME/tahqiq or ~/.config/tahqiq).
func DefaultTrustedKeysPath() string {
	if p := os.Getenv("TAHQIQ_TRUSTED_KEYS"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "tahqiq", "trusted-keys")
}

// HasLog reports whether vkey is a trusted log key.
func (t *TrustedKeys) HasLog(vkey string) bool {
	if t == nil {
		return false
	}
	for _, k := range t.Logs {
		if k == strings.TrimSpace(vkey) {
			return true
		}
	}
	return false
}

// Add appends a key to the file (creating it and its directory, 0600) unless
// it is there already, and to t.
func (t *TrustedKeys) Add(kind, vkey string) error {
	vkey = strings.TrimSpace(vkey)
	if _, err := note.NewVerifier(vkey); err != nil {
		return fmt.Errorf("trusted keys: %q is not a verifier key: %v", vkey, err)
	}
	list := &t.Logs
	switch kind {
	case "log":
	case "witness":
		list = &t.Witnesses
	default:
		return fmt.Errorf("trusted keys: unknown kind %q (want log or witness)", kind)
	}
	for _, k := range *list {
		if k == vkey {
			return nil
		}
	}
	if t.Path == "" {
		return errors.New("trusted keys: no file to add to")
	}
	if err := os.MkdirAll(filepath.Dir(t.Path), 0o700); err != nil {
		return fmt.Errorf("trusted keys: %w", err)
	}
	f, err := os.OpenFile(t.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("trusted keys: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", kind, vkey); err != nil {
		f.Close()
		return fmt.Errorf("trusted keys: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("trusted keys: %w", err)
	}
	*list = append(*list, vkey)
	return f.Close()
}

// Cosigners returns which of the witness keys have a valid signature on a
// signed checkpoint (already known to be the log's).
func Cosigners(signed []byte, logKey note.Verifier, witnesses []string) ([]string, error) {
	if err := checkNote(signed); err != nil {
		return nil, err
	}
	var out []string
	for _, w := range witnesses {
		v, err := NewVerifier(w)
		if err != nil {
			return nil, err
		}
		n, err := note.Open(signed, note.VerifierList(logKey, v))
		if err != nil {
			continue
		}
		for _, s := range n.Sigs {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				out = append(out, w)
				break
			}
		}
	}
	return out, nil
}
