package minverify

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Checkpoints: ledger.md, "Checkpoints (signed tree heads)": C2SP
// signed-note with Ed25519 keys over a C2SP tlog-checkpoint body.

// Key is a note verifier key.
type Key struct {
	Name string
	Hash uint32
	Pub  ed25519.PublicKey
	Text string // as written
}

func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.Contains(name, "+") && strings.IndexFunc(name, unicode.IsSpace) < 0
}

// KeyHash is the first 4 bytes of SHA-256(name || "\n" || 0x01 || key),
// big-endian.
func KeyHash(name string, pub []byte) uint32 {
	h := sha256.Sum256(append(append([]byte(name+"\n"), 1), pub...))
	return binary.BigEndian.Uint32(h[:4])
}

// ParseKey reads name+<8 hex key hash>+base64(0x01 || 32-byte key)
// (malformed-key otherwise).
func ParseKey(text string) (Key, error) {
	text = strings.TrimSpace(text)
	name, rest, ok1 := strings.Cut(text, "+")
	hash16, key64, ok2 := strings.Cut(rest, "+")
	if !ok1 || !ok2 || !validName(name) || len(hash16) != 8 {
		return Key{}, errorf("malformed-key", "%q: want name+hash+key", text)
	}
	hash, err := strconv.ParseUint(hash16, 16, 32)
	if err != nil {
		return Key{}, errorf("malformed-key", "%q: key hash %q not hex", text, hash16)
	}
	kb, err := base64.StdEncoding.DecodeString(key64)
	if err != nil || len(kb) != 1+ed25519.PublicKeySize || kb[0] != 1 {
		return Key{}, errorf("malformed-key", "%q: want base64 of 0x01 and a 32-byte Ed25519 key", text)
	}
	if KeyHash(name, kb[1:]) != uint32(hash) {
		return Key{}, errorf("malformed-key", "%q: the key hash is not the key's", text)
	}
	return Key{Name: name, Hash: uint32(hash), Pub: ed25519.PublicKey(kb[1:]), Text: text}, nil
}

// Checkpoint is an opened checkpoint.
type Checkpoint struct {
	Origin  string
	Size    int64
	Root    [32]byte
	Signers []string // the known keys whose signatures verified, in note order
}

// OpenCheckpoint opens a signed checkpoint with the log's key (and the
// witness keys the verifier holds): malformed-note, bad-signature,
// no-log-signature or malformed-checkpoint when it does not open.
func OpenCheckpoint(note []byte, logKey Key, witnesses ...Key) (Checkpoint, error) {
	var cp Checkpoint
	for i := 0; i < len(note); {
		r, n := utf8.DecodeRune(note[i:])
		if r == utf8.RuneError && n == 1 || r < 0x20 && r != '\n' {
			return cp, errorf("malformed-note", "not UTF-8 without control characters")
		}
		i += n
	}
	split := bytes.LastIndex(note, []byte("\n\n"))
	if split < 0 {
		return cp, errorf("malformed-note", "no blank line before the signatures")
	}
	text, sigs := note[:split+1], note[split+2:]
	if len(sigs) == 0 || sigs[len(sigs)-1] != '\n' {
		return cp, errorf("malformed-note", "no signature lines, or no newline after the last")
	}
	known := append([]Key{logKey}, witnesses...)
	decided := map[int]bool{}
	logSigned := false
	lines := strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n")
	for n, line := range lines {
		if n == 100 {
			return cp, errorf("malformed-note", "%d signature lines (at most 100)", len(lines))
		}
		rest, ok := strings.CutPrefix(line, "— ")
		if !ok {
			return cp, errorf("malformed-note", "signature line %q does not start with an em dash and a space", line)
		}
		name, b64, _ := strings.Cut(rest, " ")
		sig, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || b64 == "" || !validName(name) || len(sig) < 5 {
			return cp, errorf("malformed-note", "bad signature line %q", line)
		}
		hash := binary.BigEndian.Uint32(sig[:4])
		for i, k := range known {
			if k.Name != name || k.Hash != hash || decided[i] {
				continue
			}
			decided[i] = true // the first line of a known key decides for it
			if !ed25519.Verify(k.Pub, text, sig[4:]) {
				return cp, errorf("bad-signature", "the signature of %s+%08x does not verify", name, hash)
			}
			cp.Signers = append(cp.Signers, name)
			logSigned = logSigned || i == 0
		}
	}
	if !logSigned {
		return cp, errorf("no-log-signature", "not signed by the log key %s+%08x", logKey.Name, logKey.Hash)
	}
	body := strings.Split(string(text), "\n") // ends with "" after the text's final newline
	if len(body) < 4 {
		return cp, errorf("malformed-checkpoint", "fewer than three lines")
	}
	if body[0] == "" {
		return cp, errorf("malformed-checkpoint", "empty origin")
	}
	size, err := strconv.ParseInt(body[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != body[1] {
		return cp, errorf("malformed-checkpoint", "size %q", body[1])
	}
	root, err := base64.StdEncoding.DecodeString(body[2])
	if err != nil || len(root) != 32 || base64.StdEncoding.EncodeToString(root) != body[2] {
		return cp, errorf("malformed-checkpoint", "root %q", body[2])
	}
	cp.Origin, cp.Size = body[0], size
	copy(cp.Root[:], root)
	return cp, nil
}

// Verify reports whether sig is the key's Ed25519 signature of msg.
func (k Key) Verify(msg, sig []byte) bool { return ed25519.Verify(k.Pub, msg, sig) }
