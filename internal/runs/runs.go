// Package runs keeps analysis runs (coordination and election audit) as
// directories under the data directory, so that the CLI and the server
// start, list and read them the same way. A run directory is written
// under a temporary name and renamed when complete: a listed run is
// always whole.
package runs

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// Kinds of runs.
const (
	Coord = "coord"
	Audit = "audit"
)

// Info is run.json, written beside the analysis' own outputs.
type Info struct {
	ID        string           `json:"id"`
	Kind      string           `json:"kind"`
	Name      string           `json:"name,omitempty"` // what its author called it
	Dataset   string           `json:"dataset,omitempty"`
	Inputs    []string         `json:"inputs,omitempty"` // file names, for runs from files
	Map       string           `json:"map,omitempty"`    // audit column map
	CreatedAt time.Time        `json:"created"`
	CreatedBy string           `json:"created_by,omitempty"`
	Params    json.RawMessage  `json:"params,omitempty"`
	Counts    map[string]int64 `json:"counts,omitempty"`
}

// Store is the runs directory (DATA/runs).
type Store struct {
	Dir string
	Now func() time.Time
	// Partitioner, when set, computes coordination pairs elsewhere (the
	// NATS JetStream workers of tahqiq serve --nats); the result is the
	// same.
	Partitioner coord.Partitioner
	// Reducer, when set, runs coordination on the reduce path instead
	// (partial aggregates per account pair merged by the workers); the
	// result is the same.
	Reducer coord.Reducer
	// Limits bound what an audited .gz results file may expand to.
	Limits decompress.Limits
}

var idRE = regexp.MustCompile(`^[a-z]-[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$`)

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Path returns the directory of a run, checking the kind and the id's
// form so that no request can name a path outside the store.
func (s *Store) Path(kind, id string) (string, error) {
	if kind != Coord && kind != Audit {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "no run kind %q", kind)
	}
	if !idRE.MatchString(id) || id[0] != kind[0] {
		return "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no %s run %q", kind, id)
	}
	dir := filepath.Join(s.Dir, kind, id)
	if _, err := os.Stat(filepath.Join(dir, "run.json")); err != nil {
		return "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no %s run %q", kind, id)
	}
	return dir, nil
}

// File returns the path of an output file of a run; name must be a plain
// file name listed in the run directory.
func (s *Store) File(kind, id, name string) (string, error) {
	dir, err := s.Path(kind, id)
	if err != nil {
		return "", err
	}
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no file %q in run %s", name, id)
	}
	p := filepath.Join(dir, name)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return "", tahqiq.Errorf(tahqiq.ENOTFOUND, "no file %q in run %s", name, id)
	}
	return p, nil
}

// Get reads a run's run.json.
func (s *Store) Get(kind, id string) (Info, error) {
	var in Info
	dir, err := s.Path(kind, id)
	if err != nil {
		return in, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		return in, fmt.Errorf("runs: %w", err)
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return in, fmt.Errorf("runs: %s/run.json: %w", id, err)
	}
	return in, nil
}

// Files lists a run's output files.
func (s *Store) Files(kind, id string) ([]string, error) {
	dir, err := s.Path(kind, id)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// List returns the runs of a kind, newest first.
func (s *Store) List(kind string) ([]Info, error) {
	ents, err := os.ReadDir(filepath.Join(s.Dir, kind))
	if os.IsNotExist(err) {
		return []Info{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	out := []Info{}
	for _, e := range ents {
		if !idRE.MatchString(e.Name()) {
			continue
		}
		in, err := s.Get(kind, e.Name())
		if err != nil {
			continue // a run being written
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(b.ID, a.ID) })
	return out, nil
}

// create makes a temporary directory for a new run of kind and returns
// its future id, the temporary path and a function that completes it.
func (s *Store) create(kind string) (id, tmp string, commit func(Info) (Info, error), err error) {
	now := s.now()
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", nil, fmt.Errorf("runs: %w", err)
	}
	id = kind[:1] + "-" + now.Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	base := filepath.Join(s.Dir, kind)
	if err := os.MkdirAll(base, 0o750); err != nil {
		return "", "", nil, fmt.Errorf("runs: %w", err)
	}
	tmp, err = os.MkdirTemp(base, ".new-"+id+"-")
	if err != nil {
		return "", "", nil, fmt.Errorf("runs: %w", err)
	}
	commit = func(in Info) (Info, error) {
		in.ID, in.Kind, in.CreatedAt = id, kind, now
		raw, err := json.MarshalIndent(in, "", "  ")
		if err != nil {
			return in, fmt.Errorf("runs: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "run.json"), append(raw, '\n'), 0o640); err != nil {
			return in, fmt.Errorf("runs: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(base, id)); err != nil {
			return in, fmt.Errorf("runs: %w", err)
		}
		return in, nil
	}
	return id, tmp, commit, nil
}

// maxName bounds a run's name (runes).
const maxName = 200

// cleanName is a run's name as stored: spaces trimmed, control
// characters dropped, at most maxName runes.
func cleanName(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsControl(r) {
			continue
		}
		if n++; n > maxName {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
