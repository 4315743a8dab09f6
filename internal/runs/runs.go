// Package runs makes and keeps analysis runs (coordination, election
// audit, narratives, claims match, targets) as directories under the data
// directory, so that the CLI and the server make, list and read them the
// same way: a coordination run, whoever asks for it, is made by MakeCoord
// (into a directory) or Store.MakeCoord (kept in the store) from a
// CoordRun, read from files by the CLI or from a stored dataset by
// DatasetRun; a text analysis by MakeNarratives, MakeClaims, MakeTargets
// or their Store.Store* (text.go), its posts read by the Dataset*
// functions (ReadDataset). A run directory is
// written under a temporary name and completed by Store.finish, which
// renames it into place: a listed run is always whole. The package
// chooses no engine: the CLI's wiring gives Store.Engine.
package runs

import (
	"context"
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

	"github.com/tahqiq/tahqiq/internal/rundir"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// Kinds of runs.
const (
	Coord      = "coord"
	Audit      = "audit"
	Narratives = "narratives" // tahqiq narratives
	Claims     = "claims"     // tahqiq claims match
	Targets    = "targets"    // tahqiq targets
)

// prefixes are the first letter of each kind's run ids.
var prefixes = map[string]byte{Coord: 'c', Audit: 'a', Narratives: 'n', Claims: 'm', Targets: 't'}

// Kinds lists every kind of run.
var Kinds = []string{Coord, Audit, Narratives, Claims, Targets}

// Info is run.json, written beside the analysis' own outputs.
type Info struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Name    string   `json:"name,omitempty"` // what its author called it
	Dataset string   `json:"dataset,omitempty"`
	Inputs  []string `json:"inputs,omitempty"` // file names, for runs from files
	// InputSHA256 is the hex SHA-256 of each input file, as Inputs
	// orders them (audit runs; coordination runs of a dataset name it).
	InputSHA256 []string         `json:"input_sha256,omitempty"`
	Map         string           `json:"map,omitempty"`       // audit column map
	ClaimSet    string           `json:"claim_set,omitempty"` // claims runs: the claim set matched (its readers read the run)
	CoordRun    string           `json:"coord_run,omitempty"` // narratives and targets runs: the coordination run linked
	CreatedAt   time.Time        `json:"created"`
	CreatedBy   string           `json:"created_by,omitempty"`
	Params      json.RawMessage  `json:"params,omitempty"`
	Counts      map[string]int64 `json:"counts,omitempty"`
}

// Store is the runs directory (DATA/runs).
type Store struct {
	Dir string
	Now func() time.Time
	// Engine is where coordination runs make and fold their pairs: nil
	// in this process; the CLI's wiring chooses (tahqiq serve --nats: the
	// NATS JetStream workers). The result is the same.
	Engine coord.Engine
	// Limits bound what an audited .gz results file may expand to.
	Limits decompress.Limits
	// Log records a run in the custody log when its files are written and
	// before it is listed (finish): the CLI's wiring gives
	// casework.Service.LogRun. An error abandons the run. nil: runs are
	// not logged (tests of this package).
	Log func(ctx context.Context, rec tahqiq.RunRecord) error
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
	prefix, ok := prefixes[kind]
	if !ok {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "no run kind %q", kind)
	}
	if !idRE.MatchString(id) || id[0] != prefix {
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

// pending is a run being made: its future id and the temporary
// directory its files are written into.
type pending struct {
	kind, id, tmp string
	created       time.Time
}

// create makes a temporary directory for a new run of kind.
func (s *Store) create(kind string) (*pending, error) {
	now := s.now()
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	id := string(prefixes[kind]) + "-" + now.Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	base := filepath.Join(s.Dir, kind)
	if err := os.MkdirAll(base, 0o750); err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	tmp, err := os.MkdirTemp(base, ".new-"+id+"-")
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	return &pending{kind: kind, id: id, tmp: tmp, created: now}, nil
}

// abandon removes the files of a run that will not be finished.
func (p *pending) abandon() { os.RemoveAll(p.tmp) }

// finish completes a run whose files are written: its run.json, the
// custody-log entry that records the run with the SHA-256 of every file
// (Log), then its directory renamed into place, so that a listed run is
// always whole and logged. It is where every run of the store,
// coordination or audit, from the CLI or the server, becomes a stored run,
// and the one place that records that it did. On an error the run is
// abandoned. A crash between the entry and the rename leaves the run in
// its temporary directory (.new-<id>-*): verifying the store then names it
// missing.
func (s *Store) finish(ctx context.Context, p *pending, in Info) (Info, error) {
	in.ID, in.Kind, in.CreatedAt = p.id, p.kind, p.created
	raw, err := json.MarshalIndent(in, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(p.tmp, "run.json"), append(raw, '\n'), 0o640)
	}
	if err == nil && s.Log != nil {
		var files map[string]string
		if files, err = hashFiles(p.tmp); err == nil {
			err = s.Log(ctx, in.record(files))
		}
	}
	if err == nil {
		err = os.Rename(p.tmp, filepath.Join(s.Dir, p.kind, p.id))
	}
	if err != nil {
		p.abandon()
		if tahqiq.ErrorCode(err) != "" {
			return in, err
		}
		return in, fmt.Errorf("runs: %w", err)
	}
	return in, nil
}

// record is the custody log's record of the run in with files.
func (in Info) record(files map[string]string) tahqiq.RunRecord {
	return tahqiq.RunRecord{Kind: in.Kind, ID: in.ID, Name: in.Name, Dataset: in.Dataset, CreatedBy: in.CreatedBy, Files: files}
}

// hashFiles returns the hex SHA-256 of every regular file of dir by name.
// A run directory holds files only; anything else is an error.
func hashFiles(dir string) (map[string]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ents))
	for _, e := range ents {
		if !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file in a run directory", filepath.Join(dir, e.Name()))
		}
		sum, err := rundir.FileSHA256(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = sum
	}
	return out, nil
}

// Records returns every stored run as the custody log records it, its
// files hashed as they are now (tahqiq verify compares them with the
// log). A directory that does not read as a run (no run.json, a run.json
// that does not parse or names another run) is returned with what is
// known: its kind, its ID and its files, so that it shows as a run the
// log does not know.
func (s *Store) Records() ([]tahqiq.RunRecord, error) {
	var out []tahqiq.RunRecord
	for _, kind := range Kinds {
		ents, err := os.ReadDir(filepath.Join(s.Dir, kind))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("runs: %w", err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") { // being written, or abandoned by a crash
				continue
			}
			dir := filepath.Join(s.Dir, kind, e.Name())
			files := map[string]string{}
			if e.IsDir() {
				if files, err = hashFiles(dir); err != nil {
					return nil, fmt.Errorf("runs: %w", err)
				}
			}
			in := Info{Kind: kind, ID: e.Name()}
			if raw, err := os.ReadFile(filepath.Join(dir, "run.json")); err == nil {
				var got Info
				if json.Unmarshal(raw, &got) == nil && got.ID == e.Name() && got.Kind == kind {
					in = got
				}
			}
			out = append(out, in.record(files))
		}
	}
	return out, nil
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
