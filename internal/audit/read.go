// Package audit is the election-results audit (docs/audit.md): it reads
// result forms from files through named column maps into the model of the
// root package (election -> contest -> station -> form instance -> line
// items), reconciles them (checks P1-P10, A8-A10), tests claims and runs the
// station-level forensics (A1, A2, A4, A5, A7).
package audit

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// Import is what reading one file through one map produced.
type Import struct {
	File     string           `json:"file"`
	SHA256   string           `json:"sha256"`
	Size     int64            `json:"size"`
	Map      string           `json:"map"`
	Rows     int64            `json:"rows"` // data rows read
	Election *tahqiq.Election `json:"election"`
	Rejects  []tahqiq.Reject  `json:"rejects"`

	// StationForm is the form type the forensics use by default.
	StationForm string `json:"station_form"`
	// BallotCap is the ballots supplied per station when the map knows it
	// (Afghanistan: 600), else 0.
	BallotCap int64 `json:"ballot_cap,omitempty"`
	// ElectionDate (YYYY-MM-DD) and PublishedAt (form id -> RFC 3339) come
	// from the long template, for the timing checks (P9).
	ElectionDate string            `json:"election_date,omitempty"`
	PublishedAt  map[string]string `json:"published_at,omitempty"`
}

// ReadFile reads path (plain or .gz) through the named map. Bad rows are
// rejects in the result, not errors; an error means the file could not be
// read at all, expands beyond the default decompression limits, or the
// map does not fit its header.
func ReadFile(ctx context.Context, path, mapName string) (*Import, error) {
	return ReadFileWithin(ctx, path, mapName, decompress.Limits{})
}

// ReadFileWithin is ReadFile whose .gz input is gunzipped within lim.
func ReadFileWithin(ctx context.Context, path, mapName string, lim decompress.Limits) (*Import, error) {
	m, ok := Maps[mapName]
	if !ok {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "unknown column map %q (known: %s)", mapName, strings.Join(MapNames(), ", "))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "input %s does not exist", path)
		}
		return nil, fmt.Errorf("audit: read %s: %w", path, err)
	}
	sum := sha256.Sum256(raw)
	prog := progress.Start(ctx, "reading "+filepath.Base(path), "bytes", int64(len(raw)))
	defer prog.Done()
	var r io.Reader = &countingReader{r: bytes.NewReader(raw), prog: prog}
	var zr *decompress.Reader
	if decompress.IsGzip(raw) {
		if zr, err = decompress.Gzip(path, r, int64(len(raw)), lim); err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: bad gzip: %w", path, err)
		}
		r = zr
	}
	refused := func() error {
		if zr == nil || zr.Err() == nil {
			return nil
		}
		return tahqiq.Errorf(tahqiq.EINVALID, "%v", zr.Err())
	}
	imp := &Import{File: path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(raw)), Map: mapName}
	rd := &rows{file: path, base: filepath.Base(path), sha: imp.SHA256, imp: imp}
	rd.cr = csv.NewReader(r)
	rd.cr.ReuseRecord = true
	rd.cr.FieldsPerRecord = -1
	hdr, err := rd.cr.Read()
	if rerr := refused(); rerr != nil {
		return nil, rerr
	}
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: no CSV header: %w", path, err)
	}
	rd.col = make(map[string]int, len(hdr))
	for i, h := range hdr {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if j, dup := rd.col[h]; dup && h != "" {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: column %q appears twice in the header (columns %d and %d): which one holds the data is unknown", path, h, j+1, i+1)
		}
		rd.col[h] = i
		rd.header = append(rd.header, h)
	}
	for _, need := range m.Required {
		if _, ok := rd.col[need]; !ok {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: header has no column %q required by map %s", path, need, mapName)
		}
	}
	imp.StationForm = m.StationForm
	imp.BallotCap = m.BallotCap
	imp.Election = &tahqiq.Election{ID: strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".csv")}
	if err := m.read(ctx, rd); err != nil || refused() != nil {
		return nil, cmp.Or(refused(), err)
	}
	dedupe(imp)
	if imp.Rows == 0 {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: no data rows after the header: nothing to read", path)
	}
	if len(imp.Election.Forms) == 0 {
		if len(imp.Rejects) == 0 {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %d data rows and no form in them through map %s: nothing to read", path, imp.Rows, mapName)
		}
		r := imp.Rejects[0]
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: every data row was rejected (%d rejects), nothing to read; the first: line %d: %s",
			path, len(imp.Rejects), r.Line, r.Reason)
	}
	finish(imp.Election)
	for i, c := range imp.Election.Contests {
		imp.Election.Contests[i].Date = rd.dates[c.ID]
	}
	return imp, nil
}

// dedupe keeps every form instance and every line item once: a second
// form with the id of an earlier one (the same station given twice) and a
// second item with the key and candidate of an earlier one on the same
// form become rejects of their lines, never merged or counted twice.
// Rejects are then in line order.
func dedupe(imp *Import) {
	first := make(map[string]*tahqiq.FormInstance, len(imp.Election.Forms))
	kept := imp.Election.Forms[:0]
	for _, f := range imp.Election.Forms {
		if g, ok := first[f.ID]; ok {
			what := "form " + f.ID
			if f.Station != "" {
				what = "station " + f.Station
			}
			imp.Rejects = append(imp.Rejects, tahqiq.Reject{File: imp.File, Line: f.Line,
				Reason: fmt.Sprintf("%s is given again (first on line %d): this row is not read, so that nothing is counted twice", what, g.Line)})
			continue
		}
		first[f.ID] = f
		kept = append(kept, f)
		dedupeItems(imp, f)
	}
	clear(imp.Election.Forms[len(kept):])
	imp.Election.Forms = kept
	sort.SliceStable(imp.Rejects, func(i, j int) bool { return imp.Rejects[i].Line < imp.Rejects[j].Line })
}

// dedupeItems keeps the first of the items of f with one key and
// candidate; the others become rejects. Forms have a few dozen items at
// most, so pairs are compared without a map, and nothing is written unless
// an item repeats.
func dedupeItems(imp *Import, f *tahqiq.FormInstance) {
	line := func(it tahqiq.LineItem) int64 {
		if it.Line == 0 {
			return f.Line
		}
		return it.Line
	}
	n := 0                                // f.Items[:n] are the items kept so far
	dup := func(it tahqiq.LineItem) int { // index of a kept item like it, or -1
		for j := range n {
			if f.Items[j].Key == it.Key && f.Items[j].Candidate == it.Candidate {
				return j
			}
		}
		return -1
	}
	for i, it := range f.Items {
		if j := dup(it); j >= 0 {
			name := it.Key
			if it.Candidate != "" {
				name += " " + it.Candidate
			}
			imp.Rejects = append(imp.Rejects, tahqiq.Reject{File: imp.File, Line: line(it),
				Reason: fmt.Sprintf("%s: %s is given again (first on line %d): not read, so that nothing is counted twice", f.ID, name, line(f.Items[j]))})
			continue
		}
		if n != i {
			f.Items[n] = it
		}
		n++
	}
	f.Items = f.Items[:n]
}

// rows walks the data rows of one CSV file.
type rows struct {
	file, base, sha string
	imp             *Import
	cr              *csv.Reader
	col             map[string]int
	header          []string
	rec             []string
	line            int64
	bad             string            // first problem of the current row
	dates           map[string]string // contest -> polling day (YYYY-MM-DD)
}

// contestDate records the polling day of a contest (the first one given).
func (r *rows) contestDate(contest, date string) {
	if date == "" {
		return
	}
	if r.dates == nil {
		r.dates = map[string]string{}
	}
	if _, ok := r.dates[contest]; !ok {
		r.dates[contest] = date
	}
}

// next reads the next row; false at the end. A malformed CSV line is a reject.
func (r *rows) next(ctx context.Context) (bool, error) {
	for {
		rec, err := r.cr.Read()
		if err == io.EOF {
			return false, nil
		}
		line, _ := r.cr.FieldPos(0)
		r.line = int64(line)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.imp.Rows++
				r.reject(fmt.Sprintf("malformed CSV: %v", pe.Err))
				continue
			}
			return false, fmt.Errorf("audit: read %s: %w", r.file, err)
		}
		r.imp.Rows++
		if r.imp.Rows&0xffff == 0 && ctx.Err() != nil {
			return false, ctx.Err()
		}
		r.rec = rec
		r.bad = ""
		return true, nil
	}
}

func (r *rows) reject(reason string) {
	r.imp.Rejects = append(r.imp.Rejects, tahqiq.Reject{File: r.file, Line: r.line, Reason: reason})
}

// str returns the trimmed field of column name ("" when the column is absent).
func (r *rows) str(name string) string {
	i, ok := r.col[name]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

// count parses column name as a count. Missing (empty) gives ok=false; when
// required, that and any bad value mark the row bad. A present but bad value
// always marks the row bad: never a silent zero.
func (r *rows) count(name string, required bool) (int64, bool) {
	s := r.str(name)
	if s == "" {
		if required && r.bad == "" {
			r.bad = fmt.Sprintf("missing count in column %s", name)
		}
		return 0, false
	}
	v, why := ParseCount(s)
	if why != "" {
		if r.bad == "" {
			r.bad = fmt.Sprintf("column %s: %s", name, why)
		}
		return 0, false
	}
	return v, true
}

// ParseCount parses a vote count: a non-negative integer in decimal digits.
// It returns the reason when s is not one ("" when it is).
func ParseCount(s string) (int64, string) {
	if s == "" {
		return 0, "missing count"
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			switch {
			case s[0] == '-':
				return 0, fmt.Sprintf("negative count %q", s)
			case strings.ContainsAny(s, ".eE"):
				return 0, fmt.Sprintf("non-integer count %q", s)
			}
			return 0, fmt.Sprintf("not a count %q", s)
		}
		if v > (1<<62)/10 {
			return 0, fmt.Sprintf("count out of range %q", s)
		}
		v = v*10 + int64(c-'0')
	}
	return v, ""
}

// form starts a form instance at the current row.
func (r *rows) form(id, typ, source, contest, station, region string) *tahqiq.FormInstance {
	return &tahqiq.FormInstance{ID: id, Type: typ, Source: source, Contest: contest, Station: station,
		Region: region, File: r.base, SHA256: r.sha, Line: r.line}
}

// finish fills the contest and station lists from the forms, in first-seen order.
func finish(el *tahqiq.Election) {
	cidx := map[string]int{}
	for i, c := range el.Contests {
		cidx[c.ID] = i
	}
	cands := map[string]map[string]bool{}
	seenSt := map[[2]string]bool{}
	for _, f := range el.Forms {
		if _, ok := cidx[f.Contest]; !ok {
			cidx[f.Contest] = len(el.Contests)
			el.Contests = append(el.Contests, tahqiq.Contest{ID: f.Contest, Region: f.Region})
		}
		ci := cidx[f.Contest]
		cs := cands[f.Contest]
		if cs == nil {
			cs = map[string]bool{}
			for _, c := range el.Contests[ci].Candidates {
				cs[c] = true
			}
			cands[f.Contest] = cs
		}
		for _, it := range f.Items {
			if it.Key == tahqiq.KeyVotes && !cs[it.Candidate] {
				cs[it.Candidate] = true
				el.Contests[ci].Candidates = append(el.Contests[ci].Candidates, it.Candidate)
			}
		}
		if f.Station != "" {
			k := [2]string{f.Contest, f.Station}
			if !seenSt[k] {
				seenSt[k] = true
				el.Stations = append(el.Stations, tahqiq.Station{ID: f.Station, Contest: f.Contest, Region: f.Region})
			}
		}
	}
}

// countingReader counts the bytes read to a progress phase.
type countingReader struct {
	r    io.Reader
	prog *progress.Phase
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.prog.Add(int64(n))
	return n, err
}
