// Package bundle verifies a case bundle offline (tahqiq verify BUNDLE,
// POST /api/v1/verify/bundle, tahqiq demo): a directory or a zip archive
// (docs/format/bundle.md), its files against SHA256SUMS, its log against
// its checkpoints and the trusted key, and what view.json shows against
// the fold of the log. It reads only; the export, which logs, is
// casework's (Service.Export), as are the report and the rules of what a
// record's digest is (casework.Report, casework.ViewRecords).
package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// Verify checks an exported bundle offline: a directory, or a zip
// archive of one (any path that is a regular file is read as a zip).
// Every problem is named in the report; the error is for a path that
// cannot be opened at all.
func Verify(path string, o casework.VerifyOptions) (*casework.Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: %s: %w", path, err)
	}
	r := &casework.Report{Path: path, Kind: "bundle"}
	if st.IsDir() {
		return verifyBundle(newDirSource(path, r), r, o), nil
	}
	r.Kind = "zip bundle"
	f, err := os.Open(path)
	if err != nil {
		r.Add("file", 0, "%s: not a readable zip archive: %v", path, err)
		return r, nil
	}
	defer f.Close()
	if src := openZipSource(f, st.Size(), path, o.Limits, r); src != nil {
		verifyBundle(src, r, o)
	}
	return r, nil
}

// VerifyZip checks a zip bundle held in memory or any io.ReaderAt.
func VerifyZip(ra io.ReaderAt, size int64, name string, o casework.VerifyOptions) *casework.Report {
	r := &casework.Report{Path: name, Kind: "zip bundle"}
	if src := openZipSource(ra, size, name, o.Limits, r); src != nil {
		verifyBundle(src, r, o)
	}
	return r
}

// bundleReader reads a bundle's files for verification, naming each one
// that is missing or unreadable.
type bundleReader struct {
	src   bundleSource
	r     *casework.Report
	buf   []byte
	meter *progress.Meter
}

// hash copies rc into h through one buffer.
func (b *bundleReader) hash(rc io.Reader, h io.Writer) error {
	// struct{io.Reader} hides os.File's WriteTo, which would allocate a
	// buffer per file (20,000 for a 10,000-item bundle).
	_, err := io.CopyBuffer(h, struct{ io.Reader }{rc}, b.buf)
	return err
}

func (b *bundleReader) read(name string) []byte {
	rc, err := b.src.open(name)
	if err != nil {
		b.r.Add("file", 0, "%s: missing", name)
		return nil
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		b.r.Add("file", 0, "%s: unreadable: %v: file changed", name, err)
		return nil
	}
	return data
}

// checkSums checks SHA256SUMS: it names every file; each must exist and
// match; nothing else may be there.
func (b *bundleReader) checkSums() {
	sums := b.read("SHA256SUMS")
	prog := b.meter.Phase("checking files against SHA256SUMS", "files", int64(bytes.Count(sums, []byte("\n"))))
	defer prog.Done()
	listed := map[string]bool{"SHA256SUMS": true}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		prog.Add(1)
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			b.r.Add("file", 0, "SHA256SUMS: bad line %q", sc.Text())
			continue
		}
		if !safeName(name) {
			b.r.Add("file", 0, "SHA256SUMS: unsafe path %q (absolute, .. or backslash): not read", name)
			continue
		}
		listed[name] = true
		rc, err := b.src.open(name)
		if err != nil {
			b.r.Add("file", 0, "%s: listed in SHA256SUMS but missing: file removed", name)
			continue
		}
		h := sha256.New()
		err = b.hash(rc, h)
		rc.Close()
		switch {
		case err != nil:
			b.r.Add("file", 0, "%s: unreadable: %v: file changed", name, err)
		case hex.EncodeToString(h.Sum(nil)) != sum:
			b.r.Add("file", 0, "%s: content differs from SHA256SUMS: file changed", name)
		}
	}
	for _, name := range b.src.names() {
		if !listed[name] {
			b.r.Add("file", 0, "%s: not listed in SHA256SUMS: file added", name)
		}
	}
}

// checkBlob hashes blobs/<sum>.
func (b *bundleReader) checkBlob(sum string) error {
	rc, err := b.src.open("blobs/" + sum)
	if err != nil {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: missing (blobs/%s)", sum, sum)
	}
	defer rc.Close()
	h := sha256.New()
	if err := b.hash(rc, h); err != nil {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: unreadable: %w: the file was changed", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: content hashes to %s: the file was changed", sum, got)
	}
	return nil
}

// leaves reads log/entries.jsonl.
func (b *bundleReader) leaves() []ledger.Leaf {
	lb := b.read("log/entries.jsonl")
	if lb == nil {
		return nil
	}
	lines := bytes.Split(bytes.TrimSuffix(lb, []byte("\n")), []byte("\n"))
	out := make([]ledger.Leaf, len(lines))
	for i, line := range lines {
		out[i] = ledger.ParseLine(int64(i), line)
	}
	return out
}

// checkLog chooses the key that verifies the bundle's log, reads the
// log and checks it against its checkpoint (cp: nil when there is none)
// and the earlier ones.
func (b *bundleReader) checkLog(o casework.VerifyOptions) (leaves []ledger.Leaf, cp []byte, t tlog.Tree) {
	casework.ChooseKey(string(b.read("keys/log.pub")), o, b.r, "bundle")
	leaves = b.leaves()
	var cps [][]byte
	if cp = b.read("log/checkpoint"); cp != nil {
		cps = [][]byte{cp}
	}
	return leaves, cp, casework.CheckLog(b.r, leaves, cps, b.earlier(o), o)
}

// earlier reads log/earlier/* and the checkpoints the user brought.
func (b *bundleReader) earlier(o casework.VerifyOptions) [][]byte {
	var out [][]byte
	for _, name := range b.src.names() { // sorted
		if strings.HasPrefix(name, "log/earlier/") {
			out = append(out, b.read(name))
		}
	}
	return append(out, o.Earlier...)
}

func verifyBundle(src bundleSource, r *casework.Report, o casework.VerifyOptions) *casework.Report {
	b := &bundleReader{src: src, r: r, buf: make([]byte, 64<<10), meter: o.Meter}
	b.checkSums()
	mb := b.read("manifest.json")
	if mb == nil {
		return r
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(mb, &head); err != nil {
		r.Add("file", 0, "manifest.json: %v", err)
		return r
	}
	r.Format = head.Format
	switch head.Format {
	case casework.BundleFormat:
		verifyBundleV2(b, mb, o)
	case casework.BundleFormatV1:
		verifyBundleV1(b, mb, o)
	default:
		r.Add("file", 0, "manifest.json: format %q, want %q", head.Format, casework.BundleFormat)
	}
	return r
}

// verifyBundleV2 checks a bundle of format 2 (docs/format/bundle.md,
// "Verification").
func verifyBundleV2(b *bundleReader, mb []byte, o casework.VerifyOptions) {
	r := b.r
	var m casework.Manifest
	if err := strictJSON(mb, &m); err != nil {
		r.Add("file", 0, "manifest.json: %v", err)
		return
	}
	// The log: every position up to the checkpoint, exactly.
	leaves, _, t := b.checkLog(o)
	n := int64(len(leaves))
	if t.N >= 0 && n > t.N {
		r.Add("log", t.N, "%d entries after the signed checkpoint (size %d): not covered by any signature, added after the export", n-t.N, t.N)
	}
	if t.N >= 0 && m.LogSize != t.N {
		r.Add("file", 0, "manifest.json: log_size %d, the checkpoint's size is %d (only the signed checkpoint counts)", m.LogSize, t.N)
	}
	if t.N < 0 || n == 0 {
		return
	}
	if t.N < n {
		leaves = leaves[:t.N] // what follows is reported above and never trusted
	}
	// The view, as its bytes were logged.
	vb := b.read("view.json")
	if vb == nil {
		return
	}
	var v casework.View
	if err := strictJSON(vb, &v); err != nil {
		r.Add("file", 0, "view.json: %v", err)
		return
	}
	if re, err := json.Marshal(v); err != nil || !bytes.Equal(re, vb) {
		r.Add("file", 0, "view.json: not in canonical form (duplicate, reordered or re-spelt keys): what it shows may differ from what was logged")
		return
	}
	caseID := v.Case.ID
	// The last entry is the export itself and seals the view.
	last := leaves[len(leaves)-1]
	switch e := last.Entry; {
	case last.Withheld() || e == nil:
		r.Add("seal", last.Index, "the last entry is not the export's: the bundle's log was cut or extended")
		return
	case e.Action != "case.export" || e.CaseID != caseID:
		r.Add("seal", last.Index, "the last entry is %s of case %q, not the export of case %s: the bundle's log was cut or extended", e.Action, e.CaseID, caseID)
		return
	case len(e.Hashes) == 0 || e.Hashes[0] != ledger.Digest("view", vb):
		r.Add("seal", last.Index, "view.json differs from the view the export logged: the case's records were changed after the export")
		return
	case m.CaseID != caseID || m.Entry != last.Index:
		r.Add("file", 0, "manifest.json names case %q entry %d, the export is entry %d of case %s", m.CaseID, m.Entry, last.Index, caseID)
	}
	// The fold of the case's entries against the view.
	st := ledger.Fold(leaves, true)
	r.Problems = append(r.Problems, st.Problems...)
	if c := st.Chains[caseID]; c != nil {
		r.Withheld = c.Withheld
		switch {
		case c.Withheld > 0 && v.Scope != casework.ScopeItems: // only an export of shared items may lack entries of the case
			r.Add("chain", c.Last, "case %s: %d of its entries are withheld from an export of the whole case: entries of the case were hidden", caseID, c.Withheld)
		case c.Withheld > 0:
			r.Note("%d entries of case %s are withheld: the exporter's organisation was shared %d items, not the whole case; the records they made are not in this bundle", c.Withheld, caseID, len(v.Items))
		}
		if c.Legacy > 0 {
			r.Note("%d entries of case %s were logged before log format 2: the records they made are proven logged, not complete", c.Legacy, caseID)
		}
	}
	present := casework.ViewRecords(v)
	sc := ledger.Scope{CaseID: caseID}
	if v.Scope == casework.ScopeItems {
		// The case's own record is shown to every reader of a case; an
		// export of shared items holds no other record of the case but
		// those items and the reader's own shares.
		sc.Kinds = []string{tahqiq.RecCase, tahqiq.RecItem, tahqiq.RecShare}
	}
	cmp := st.Compare(present, sc)
	r.Problems = append(r.Problems, cmp.Problems...)
	r.Records = len(present)
	if cmp.Legacy > 0 {
		r.Note("%d records of case %s were logged before log format 2: proven logged, not complete", cmp.Legacy, caseID)
	}
	// Every item: the inclusion proof of its attachment, and its blobs.
	root := tlog.Hash{}
	if _, tr, _, err := ledger.OpenCheckpoint(b.read("log/checkpoint"), mustVerifier(r.Key)); err == nil {
		root = tr.Hash
	}
	checked := map[string]bool{}
	prog := b.meter.Phase("checking items", "items", int64(len(v.Items)))
	defer prog.Done()
	for _, it := range v.Items {
		prog.Add(1)
		r.Items++
		rec := st.Records[ledger.RecordKey{Kind: tahqiq.RecItem, ID: it.ID}]
		p, ok := m.Proofs[it.ID]
		switch {
		case rec == nil:
		case !ok:
			r.Add("proof", rec.Entry, "item %s (%s): no inclusion proof of the entry that attached it", it.ID, it.Title)
		case p.Index != rec.Entry || p.Size != t.N:
			r.Add("proof", rec.Entry, "item %s: inclusion proof is for entry %d in size %d, want %d in %d", it.ID, p.Index, p.Size, rec.Entry, t.N)
		default:
			if err := ledger.CheckInclusion(p, root, leaves[rec.Entry].Data); err != nil {
				r.Add("proof", rec.Entry, "item %s: %v", it.ID, err)
			}
		}
		for _, bl := range it.Blobs {
			if checked[bl.SHA256] {
				continue
			}
			checked[bl.SHA256] = true
			r.Blobs++
			if err := b.checkBlob(bl.SHA256); err != nil {
				r.Add("blob", 0, "item %s %q: %s", it.ID, bl.Name, tahqiq.ErrorMessage(err))
			}
		}
	}
}

func mustVerifier(vkey string) interface {
	Name() string
	KeyHash() uint32
	Verify(msg, sig []byte) bool
} {
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		return badKey{}
	}
	return v
}

type badKey struct{}

func (badKey) Name() string                { return "" }
func (badKey) KeyHash() uint32             { return 0 }
func (badKey) Verify(msg, sig []byte) bool { return false }

// strictJSON decodes one JSON value with no unknown, duplicate or
// differently-cased keys: the bytes must be the canonical encoding of what
// they decode to (so that what is shown is what was hashed).
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailing
	}
	return nil
}

var errTrailing = tahqiq.Errorf(tahqiq.EVERIFY, "more than one JSON value")

// ManifestV1 is manifest.json of a bundle of format 1.
type ManifestV1 struct {
	Format        string                  `json:"format"`
	ExportedAt    time.Time               `json:"exported_at"`
	ExportedBy    string                  `json:"exported_by"`
	Origin        string                  `json:"origin"`
	LogSize       int64                   `json:"log_size"`
	casework.View                         // the case as the exporter saw it
	Proofs        map[string]tahqiq.Proof `json:"proofs"`
}

// verifyBundleV1 checks a bundle of format 1 as it was checked when it was
// made: the log against its checkpoint, every item against the entry that
// attached it, every record against a digest the log holds. Format 1 has
// no proof of completeness, and the report says so; a bundle whose case
// was logged in format 2 cannot pass as one of format 1.
func verifyBundleV1(b *bundleReader, mb []byte, o casework.VerifyOptions) {
	r := b.r
	var m ManifestV1
	if err := json.Unmarshal(mb, &m); err != nil {
		r.Add("file", 0, "manifest.json: %v", err)
		return
	}
	leaves, cp, t := b.checkLog(o)
	r.Note("bundle format 1 (made before completeness proofs): every record shown was logged, but whether the bundle is complete is not proven")
	attach := map[string]tahqiq.LogEntry{}
	logged := map[string]bool{}
	for _, l := range leaves {
		e := l.Entry
		if e == nil {
			continue
		}
		if e.Format >= 2 && e.CaseID == m.Case.ID {
			r.Add("format", l.Index, "case %s was logged in format 2 but the bundle claims format 1: a downgrade that would skip the completeness checks", m.Case.ID)
			return
		}
		if e.Action == "item.attach" {
			attach[e.ItemID] = *e
		}
		for _, h := range e.Hashes {
			logged[h] = true
		}
	}
	var root tlog.Hash
	if t.N >= 0 {
		if _, tr, _, err := ledger.OpenCheckpoint(cp, mustVerifier(r.Key)); err == nil {
			root = tr.Hash
		}
	}
	checked := map[string]bool{}
	for _, it := range m.Items {
		r.Items++
		e, ok := attach[it.ID]
		switch {
		case !ok:
			r.Add("item", 0, "item %s (%s): no log entry attaches it: inserted without custody", it.ID, it.Title)
		case len(e.Hashes) == 0 || e.Hashes[0] != it.Digest():
			r.Add("item", e.Index, "item %s (%s): record differs from what entry %d logged: edited", it.ID, it.Title, e.Index)
		}
		if p, has := m.Proofs[it.ID]; ok && has && t.N >= 0 {
			if p.Size != t.N || p.Index != e.Index {
				r.Add("proof", e.Index, "item %s: inclusion proof is for entry %d in size %d, want %d in %d", it.ID, p.Index, p.Size, e.Index, t.N)
			} else if err := ledger.CheckInclusion(p, root, leaves[e.Index].Data); err != nil {
				r.Add("proof", e.Index, "item %s: %v", it.ID, err)
			}
		}
		for _, bl := range it.Blobs {
			if ok && !slices.Contains(e.Hashes, "sha256:"+bl.SHA256) {
				r.Add("item", e.Index, "item %s: blob %s not in its log entry", it.ID, bl.SHA256)
			}
			if checked[bl.SHA256] {
				continue
			}
			checked[bl.SHA256] = true
			r.Blobs++
			if err := b.checkBlob(bl.SHA256); err != nil {
				r.Add("blob", 0, "item %s %q: %s", it.ID, bl.Name, tahqiq.ErrorMessage(err))
			}
		}
	}
	for _, p := range casework.ViewRecords(m.View) {
		if p.Key.Kind == tahqiq.RecItem || p.Key.Kind == tahqiq.RecShare {
			continue
		}
		r.Records++
		if !logged[p.Digest] {
			r.Add("record", 0, "%s: not as logged: edited or inserted without custody", p.Label)
		}
	}
}
