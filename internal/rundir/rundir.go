// Package rundir writes the run directories of the text analyses
// (tahqiq narratives, claims match, targets): CSV files written whole or
// not at all, and a manifest naming every input by its SHA-256 with the
// parameters, versions and counts, so that a run can be repeated and
// checked. It reads a coordination run's account communities from its
// output files (nodes.csv, communities.csv). It holds no analysis.
package rundir

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
)

// Input is one input of a run: a file read from disk, a stored dataset, or
// one of the dataset's files.
type Input struct {
	Name   string `json:"name"`           // as given (a file) or the dataset's name
	Path   string `json:"path,omitempty"` // a file's absolute path when the run read it
	SHA256 string `json:"sha256,omitempty"`
	Format string `json:"format,omitempty"` // the format the file was read as
	Source string `json:"source"`           // "file", "dataset", "dataset:NAME" (a file of it), "claims", "watchlist", "claim-set:NAME"
}

// Source is what a run read and how.
type Source struct {
	Inputs        []Input           `json:"inputs"`
	Format        string            `json:"format,omitempty"`  // --format of --input files ("" = detected)
	Map           string            `json:"map,omitempty"`     // --map of --input files
	Options       map[string]string `json:"options,omitempty"` // --option of --input files
	RejectedCount int64             `json:"rejected_count"`
	Rejected      []tahqiq.Reject   `json:"rejected"` // the first ones (tahqiq import keeps them all)
	Dropped       map[string]int64  `json:"dropped,omitempty"`
}

// Manifest is what every run directory's manifest.json holds; a run adds
// its own fields by embedding it.
type Manifest struct {
	Tool      string            `json:"tool"`
	Version   string            `json:"version"`
	CreatedAt time.Time         `json:"created_at"`
	Versions  map[string]string `json:"versions"` // rule versions: textnorm, textkey, ...
	Source
	Counts  map[string]int64   `json:"counts"`
	Timings map[string]float64 `json:"timings_s"`
	Files   []string           `json:"files"`
}

// MaxRejected caps the rejects a manifest lists.
const MaxRejected = 1000

// Prepare makes dir (and its parents) for a run's outputs.
func Prepare(dir string) error {
	if dir == "" {
		return tahqiq.Errorf(tahqiq.EINVALID, "no output directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %v", dir, err)
	}
	return nil
}

// WriteCSV writes a CSV file whole: header, then what rows writes.
func WriteCSV(path string, header []string, rows func(w *csv.Writer) error) error {
	return atomicfile.WriteFunc(path, 0o644, func(out io.Writer) error {
		bw := bufio.NewWriterSize(out, 1<<16)
		w := csv.NewWriter(bw)
		if err := w.Write(header); err != nil {
			return err
		}
		if err := rows(w); err != nil {
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteJSON writes v as indented JSON, whole.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o644)
}

// FileSHA256 returns the hex SHA-256 of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileInput names a file input by its path, absolute path and SHA-256.
func FileInput(path, source string) (Input, error) {
	sum, err := FileSHA256(path)
	if err != nil {
		return Input{}, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", path, err)
	}
	in := Input{Name: path, SHA256: sum, Source: source}
	if abs, err := filepath.Abs(path); err == nil {
		in.Path = abs
	}
	return in, nil
}

// Time formats a Unix time as RFC 3339 in UTC, "" when absent.
func Time(t int64, ok bool) string {
	if !ok {
		return ""
	}
	return time.Unix(t, 0).UTC().Format(time.RFC3339)
}

// Float formats a score with up to 4 decimals.
func Float(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// Communities are the account communities of a coordination run (tahqiq
// coord): its nodes.csv maps each account to a community (-1, outside any,
// is left out).
type Communities struct {
	Dir            string            `json:"dir"`
	ManifestSHA256 string            `json:"manifest_sha256"`
	Inputs         []Input           `json:"inputs"` // the run's inputs, from its manifest
	Of             map[string]string `json:"-"`      // account UID -> community id
	Count          int               `json:"communities"`
	Accounts       int               `json:"accounts"`
}

// ReadCommunities reads a coordination run's communities from dir.
func ReadCommunities(dir string) (*Communities, error) {
	mpath := filepath.Join(dir, "manifest.json")
	raw, err := os.ReadFile(mpath)
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s is not a coordination run (tahqiq coord --out): %v", dir, err)
	}
	var m struct {
		Tool   string  `json:"tool"`
		Inputs []Input `json:"inputs"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", mpath, err)
	}
	if m.Tool != "tahqiq coord" {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s was written by %q, not by tahqiq coord", mpath, m.Tool)
	}
	sum := sha256.Sum256(raw)
	c := &Communities{Dir: dir, ManifestSHA256: hex.EncodeToString(sum[:]), Inputs: m.Inputs, Of: map[string]string{}}
	f, err := os.Open(filepath.Join(dir, "nodes.csv"))
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s has no nodes.csv (a run with --graph=false has no communities): %v", dir, err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s/nodes.csv: %v", dir, err)
	}
	ia, ic := -1, -1
	for i, h := range head {
		switch h {
		case "account":
			ia = i
		case "community":
			ic = i
		}
	}
	if ia < 0 || ic < 0 {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s/nodes.csv: no account or community column", dir)
	}
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s/nodes.csv: %v", dir, err)
		}
		if rec[ic] == "" || rec[ic] == "-1" {
			continue
		}
		c.Of[rec[ia]] = rec[ic]
		seen[rec[ic]] = true
	}
	c.Count, c.Accounts = len(seen), len(c.Of)
	return c, nil
}

// SameInputs reports whether a coordination run read the same contents
// as this run (every file by SHA-256, in any order; the dataset's own
// entry by name).
func (c *Communities) SameInputs(ins []Input) error {
	want := map[string]int{}
	for _, in := range c.Inputs {
		want[key(in)]++
	}
	got := map[string]int{}
	for _, in := range ins {
		got[key(in)]++
	}
	for k, n := range want {
		if got[k] != n {
			return tahqiq.Errorf(tahqiq.ECONFLICT, "the coordination run %s read other inputs than this run (%s): link narratives only to a run on the same data, or pass --run-other-data", c.Dir, k)
		}
	}
	if len(got) != len(want) {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "the coordination run %s read %d inputs, this run %d: link narratives only to a run on the same data, or pass --run-other-data", c.Dir, len(want), len(got))
	}
	return nil
}

func key(in Input) string {
	if in.SHA256 != "" {
		return "sha256:" + in.SHA256
	}
	return fmt.Sprintf("%s:%s", in.Source, in.Name)
}

// Names is what the data calls accounts, by UID: the handle (without
// "@") and display name of the first record naming each, as a dataset
// keeps it (the rule of coordination runs' names, runs.Accounts). It is
// an account sink (runs.AccountSink): feed it the accounts as records
// describe them and the accounts records name only as authors. The text
// analyses write the names beside every account UID of their files
// (issue 16), empty where the data names no one (events CSVs).
type Names map[string]AccountName

// AccountName is an account's handle and display name, "" unknown.
type AccountName struct {
	Handle, Name string
}

// Account takes an account as a record describes it: the first record
// naming it decides.
func (n Names) Account(a tahqiq.Account) {
	if _, ok := n[a.UID]; !ok {
		n[strings.Clone(a.UID)] = AccountName{Handle: strings.Clone(a.Handle), Name: strings.Clone(a.Name)}
	}
}

// Author takes an account a record names only as a post's author: if no
// record named it before, it has no name.
func (n Names) Author(uid string) {
	if _, ok := n[uid]; !ok {
		n[strings.Clone(uid)] = AccountName{}
	}
}

// Of returns the handle and name of account uid ("" unknown; a nil
// Names knows none).
func (n Names) Of(uid string) (handle, name string) {
	x := n[uid]
	return x.Handle, x.Name
}
