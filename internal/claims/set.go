package claims

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
)

// A claim set is a directory under DATA/claimsets/NAME holding
//
//	set.json      who owns it and every import (files, SHA-256, counts),
//	              the SHA-256 of claims.jsonl after each
//	claims.jsonl  the claims, one JSON object per line, in import order
//	sources/SHA   the bytes of every imported file, named by SHA-256
//
// Who may import into a set or read it is decided by internal/casework,
// which logs every import; this file only reads and writes the files.

// SetInfo is a claim set's set.json.
type SetInfo struct {
	Name    string      `json:"name"`
	OrgID   string      `json:"org_id"` // owning organisation; "" for a set made on a store without organisations
	Created time.Time   `json:"created"`
	Imports []SetImport `json:"imports"`
	Claims  int         `json:"claims"`
	SHA256  string      `json:"sha256"` // of claims.jsonl
}

// SetImport is one import into a set.
type SetImport struct {
	At      time.Time `json:"at"`
	By      string    `json:"by"` // user id
	Files   []SetFile `json:"files"`
	Added   int       `json:"added"`
	Updated int       `json:"updated"` // claims of the same URL and text replaced
	SHA256  string    `json:"sha256"`  // of claims.jsonl after the import
}

// SetFile is one file of an import.
type SetFile struct {
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
	Format  string `json:"format"`
	Claims  int    `json:"claims"`
	Rejects int    `json:"rejects"`
}

var setName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckSetName refuses names that are not 1 to 64 letters, digits, '.',
// '_' or '-' (starting with a letter or digit).
func CheckSetName(name string) error {
	if !setName.MatchString(name) {
		return tahqiq.Errorf(tahqiq.EINVALID, "claim set name %q: want 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// SetDir is the directory of claim set name under the claim sets root.
func SetDir(root, name string) string { return filepath.Join(root, name) }

// ReadSetInfo reads a set's set.json (ENOTFOUND when absent).
func ReadSetInfo(root, name string) (SetInfo, error) {
	var si SetInfo
	if err := CheckSetName(name); err != nil {
		return si, err
	}
	b, err := os.ReadFile(filepath.Join(SetDir(root, name), "set.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return si, tahqiq.Errorf(tahqiq.ENOTFOUND, "no claim set named %q", name)
	}
	if err != nil {
		return si, err
	}
	if err := json.Unmarshal(b, &si); err != nil {
		return si, tahqiq.Errorf(tahqiq.EVERIFY, "claim set %q: set.json: %v", name, err)
	}
	return si, nil
}

// ListSets returns the sets under root, by name.
func ListSets(root string) ([]SetInfo, error) {
	ents, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []SetInfo
	for _, e := range ents {
		if !e.IsDir() || CheckSetName(e.Name()) != nil {
			continue
		}
		si, err := ReadSetInfo(root, e.Name())
		if err != nil {
			continue
		}
		out = append(out, si)
	}
	return out, nil
}

// ReadSet reads a set's claims and checks them against the SHA-256 its
// last import recorded (EVERIFY when claims.jsonl changed since).
func ReadSet(root, name string) (SetInfo, []Claim, error) {
	si, err := ReadSetInfo(root, name)
	if err != nil {
		return si, nil, err
	}
	b, err := os.ReadFile(filepath.Join(SetDir(root, name), "claims.jsonl"))
	if err != nil {
		return si, nil, err
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != si.SHA256 {
		return si, nil, tahqiq.Errorf(tahqiq.EVERIFY, "claim set %q: claims.jsonl does not have the SHA-256 its last import recorded (changed outside tahqiq?)", name)
	}
	var out []Claim
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var c Claim
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return si, nil, tahqiq.Errorf(tahqiq.EVERIFY, "claim set %q: claims.jsonl: %v", name, err)
		}
		out = append(out, c)
	}
	return si, out, sc.Err()
}

// Merge adds claims to a set's: a claim of the same review URL and claim
// text replaces the older one in place; others are appended.
func Merge(old, add []Claim) (out []Claim, added, updated int) {
	out = slices.Clone(old)
	at := map[string]int{}
	for i := range out {
		at[out[i].Key()] = i
	}
	for _, c := range add {
		if i, ok := at[c.Key()]; ok {
			out[i] = c
			updated++
			continue
		}
		at[c.Key()] = len(out)
		out = append(out, c)
		added++
	}
	return out, added, updated
}

// EncodeSet returns claims.jsonl's bytes and their SHA-256.
func EncodeSet(cs []Claim) ([]byte, string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range cs {
		if err := enc.Encode(&cs[i]); err != nil {
			return nil, "", err
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), nil
}

// StageSet writes a set's files beside the current ones: each source's
// bytes (once per SHA-256, kept: they are what was imported), then
// claims.jsonl.new and set.json.new, each whole or not at all. Nothing a
// reader uses changes until CommitSet; AbortSet removes the staged files.
func StageSet(root string, si SetInfo, claimsJSONL []byte, sources map[string][]byte) error {
	dir := SetDir(root, si.Name)
	if err := os.MkdirAll(filepath.Join(dir, "sources"), 0o700); err != nil {
		return err
	}
	for sum, b := range sources {
		p := filepath.Join(dir, "sources", sum)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := atomicfile.Write(p, b, 0o600); err != nil {
			return err
		}
	}
	if err := atomicfile.Write(filepath.Join(dir, "claims.jsonl.new"), claimsJSONL, 0o600); err != nil {
		return err
	}
	b, err := json.MarshalIndent(si, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "set.json.new"), append(b, '\n'), 0o600)
}

// CommitSet puts the staged files in place: claims.jsonl, then set.json
// (a reader that finds one without the other sees the SHA-256 differ and
// refuses the set: EVERIFY).
func CommitSet(root, name string) error {
	dir := SetDir(root, name)
	if err := os.Rename(filepath.Join(dir, "claims.jsonl.new"), filepath.Join(dir, "claims.jsonl")); err != nil {
		return err
	}
	return os.Rename(filepath.Join(dir, "set.json.new"), filepath.Join(dir, "set.json"))
}

// AbortSet removes staged files (and the set's directory when it was new
// and holds nothing else but the sources just written).
func AbortSet(root, name string, created bool) {
	dir := SetDir(root, name)
	os.Remove(filepath.Join(dir, "claims.jsonl.new"))
	os.Remove(filepath.Join(dir, "set.json.new"))
	if created {
		os.RemoveAll(dir)
	}
}
