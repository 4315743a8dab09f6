package runs

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq/internal/rundir"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/stats"
)

// AuditRequest is an audit run of one results file through a column map.
type AuditRequest struct {
	File    string // path of the results file
	Name    string // its name as the user knows it (default the path's base)
	Map     string
	Leader  string // default the overall winner
	Turnout string // audit.TurnoutIssued (default) or audit.TurnoutBoxes
	// KlimekFit also fits Klimek et al.'s fraud model (audit.FitKlimek).
	KlimekFit bool
	// RunName is what the run's author calls it (shown beside its ID).
	RunName string
}

// DefaultForensics are the options of tahqiq audit forensics without flags.
func DefaultForensics() audit.ForensicsOptions {
	return audit.ForensicsOptions{Rule: stats.Exact, Weight: "stations", Multiple: 1, Turnout: audit.TurnoutIssued, Seed: 42, Bins: 100,
		MinRegistered: audit.DefaultMinRegistered}
}

// DefaultChecks are the options of tahqiq audit check without flags.
func DefaultChecks() audit.CheckOptions {
	return audit.CheckOptions{RecountPct: 5, RecountNA: 8000, RecountPA: 4000}
}

// Files of an audit run beside the audit package's own outputs.
const (
	auditElection = "election.json.gz" // the normalised import, for drill-downs and claims
	auditFlags    = "flags.jsonl"      // every flag of the checks and the forensics
)

// RunAudit reads a results file, runs every check and the forensics, and
// writes a new run directory: forensics.json, flags.csv, plots,
// report.html (the forensics), checks-* (the checks' own files),
// flags.jsonl (all flags) and election.json.gz (the forms read).
func (s *Store) RunAudit(ctx context.Context, req AuditRequest, actor string, report func(done, total int64)) (Info, error) {
	step := func(n int64) {
		if report != nil {
			report(n, 4)
		}
	}
	if req.Map == "" {
		return Info{}, tahqiq.Errorf(tahqiq.EINVALID, "map is required (%s)", strings.Join(audit.MapNames(), ", "))
	}
	name := req.Name
	if name == "" {
		name = filepath.Base(req.File)
	}
	sum, err := rundir.FileSHA256(req.File) // of the bytes audited, for the run's record in the custody log
	if err != nil {
		return Info{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "%s: %v", name, err)
	}
	imp, err := audit.ReadFileWithin(ctx, req.File, req.Map, s.Limits)
	if err != nil {
		if code := tahqiq.ErrorCode(err); code != tahqiq.EINTERNAL { // say it with the name the user knows
			return Info{}, &tahqiq.Error{Code: code, Message: strings.ReplaceAll(tahqiq.ErrorMessage(err), req.File, name), Err: err}
		}
		return Info{}, err
	}
	imp.File = name
	// the reader names the input by its path, or by the path's last
	// element where a form's row leaves its file empty: both are the
	// user's file (for the server, not a temporary upload's name)
	base := filepath.Base(req.File)
	for i := range imp.Rejects {
		if imp.Rejects[i].File == req.File || imp.Rejects[i].File == base {
			imp.Rejects[i].File = name
		}
	}
	for _, f := range imp.Election.Forms {
		if f.File == req.File || f.File == base {
			f.File = name
		}
	}
	step(1)
	fo := DefaultForensics()
	fo.Leader = req.Leader
	fo.KlimekFit = req.KlimekFit
	if req.Turnout != "" {
		fo.Turnout = req.Turnout
	}
	run, err := s.create(Audit)
	if err != nil {
		return Info{}, err
	}
	tmp := run.tmp
	fail := func(err error) (Info, error) {
		run.abandon()
		return Info{}, err
	}
	// an input without polling-station forms (pk2024, pk-constituency)
	// still gets its checks; forensics.json then says why they did not run
	f, err := audit.RunForensics(imp, fo)
	switch {
	case errors.Is(err, audit.ErrNothingToAnalyse):
		if err := audit.WriteNotRun(tmp, imp, err); err != nil {
			return fail(err)
		}
	case err != nil:
		return fail(err)
	default:
		if err := audit.WriteForensics(tmp, imp, f); err != nil {
			return fail(err)
		}
	}
	step(2)
	co := DefaultChecks()
	chk := audit.Check(imp, co)
	cdir := filepath.Join(tmp, ".checks")
	if err := audit.WriteChecks(cdir, imp, chk); err != nil {
		return fail(err)
	}
	ents, err := os.ReadDir(cdir)
	if err != nil {
		return fail(err)
	}
	for _, e := range ents {
		if err := os.Rename(filepath.Join(cdir, e.Name()), filepath.Join(tmp, "checks-"+e.Name())); err != nil {
			return fail(err)
		}
	}
	os.Remove(cdir)
	flags := slices.Clone(chk.Flags)
	stations := 0
	var fparams map[string]any
	if f != nil {
		flags = append(flags, audit.OutlierFlags(imp, f)...)
		stations, fparams = f.Stations, f.Parameters
	}
	if err := writeJSONL(filepath.Join(tmp, auditFlags), flags); err != nil {
		return fail(err)
	}
	if err := writeGzipJSON(filepath.Join(tmp, auditElection), imp); err != nil {
		return fail(err)
	}
	step(3)
	params, _ := json.Marshal(map[string]any{"map": req.Map, "forensics": fparams, "checks": co})
	counts := map[string]int64{"rows": imp.Rows, "forms": int64(len(imp.Election.Forms)), "rejects": int64(len(imp.Rejects)),
		"stations": int64(stations), "flags": int64(len(flags))}
	in, err := s.finish(ctx, run, Info{Name: cleanName(req.RunName), Inputs: []string{name}, InputSHA256: []string{sum}, Map: req.Map, CreatedBy: actor, Params: params, Counts: counts})
	if err != nil {
		return Info{}, err
	}
	step(4)
	return in, nil
}

func writeJSONL[T any](path string, xs []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for i := range xs {
		if err := enc.Encode(&xs[i]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func writeGzipJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// FlagFilter selects flags; empty fields match all.
type FlagFilter struct {
	Rule, Contest, Severity string
	Limit, Offset           int
}

// Flags returns a page of an audit run's flags and how many matched.
func (s *Store) Flags(id string, f FlagFilter) ([]audit.Flag, int, error) {
	p, err := s.File(Audit, id, auditFlags)
	if err != nil {
		return nil, 0, err
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("runs: %w", err)
	}
	defer fh.Close()
	dec := json.NewDecoder(fh)
	out := []audit.Flag{}
	total := 0
	for {
		var fl audit.Flag
		if err := dec.Decode(&fl); err == io.EOF {
			break
		} else if err != nil {
			return nil, 0, fmt.Errorf("runs: %s: %w", p, err)
		}
		if (f.Rule != "" && fl.Rule != f.Rule) || (f.Contest != "" && fl.Contest != f.Contest) || (f.Severity != "" && fl.Severity != f.Severity) {
			continue
		}
		if total >= f.Offset && (f.Limit <= 0 || len(out) < f.Limit) {
			out = append(out, fl)
		}
		total++
	}
	return out, total, nil
}

// Election reads back the forms an audit run read.
func (s *Store) Election(id string) (*audit.Import, error) {
	p, err := s.File(Audit, id, auditElection)
	if err != nil {
		return nil, err
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("runs: %s: %w", p, err)
	}
	var imp audit.Import
	if err := json.NewDecoder(zr).Decode(&imp); err != nil {
		return nil, fmt.Errorf("runs: %s: %w", p, err)
	}
	return &imp, nil
}

// Copy is one copy of a form as the drill-down shows it.
type Copy struct {
	Instance string           `json:"instance"`
	Form     string           `json:"form"`
	Source   string           `json:"source"`
	File     string           `json:"file"`
	SHA256   string           `json:"sha256"`
	Page     int              `json:"page,omitempty"`
	Line     int64            `json:"line"`
	Status   string           `json:"status,omitempty"`
	Values   map[string]int64 `json:"values"` // candidate name, or the line item's key
}

// StationCopies are the copies of the forms of one station (Station ""
// holds the contest-level forms: 47, 48, 49).
type StationCopies struct {
	Station string `json:"station"`
	Copies  []Copy `json:"copies"`
}

// Contest returns every copy of every form of a contest, by station.
func (s *Store) Contest(id, contest string) ([]StationCopies, error) {
	imp, err := s.Election(id)
	if err != nil {
		return nil, err
	}
	by := map[string][]Copy{}
	var order []string
	for _, f := range imp.Election.Forms {
		if f.Contest != contest {
			continue
		}
		c := Copy{Instance: f.ID, Form: f.Type, Source: f.Source, File: f.File, SHA256: f.SHA256, Page: f.Page, Line: f.Line, Status: f.Status, Values: map[string]int64{}}
		for _, it := range f.Items {
			k := it.Key
			if it.Candidate != "" {
				k = it.Candidate
			}
			c.Values[k] = it.Value
		}
		if _, ok := by[f.Station]; !ok {
			order = append(order, f.Station)
		}
		by[f.Station] = append(by[f.Station], c)
	}
	if len(order) == 0 {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "no contest %q in audit run %s", contest, id)
	}
	slices.Sort(order)
	out := make([]StationCopies, 0, len(order))
	for _, st := range order {
		out = append(out, StationCopies{Station: st, Copies: by[st]})
	}
	return out, nil
}
