package casework

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// BundleFormat names the bundle layout of docs/format/bundle.md.
const BundleFormat = "tahqiq-bundle/1"

// Manifest is manifest.json of a bundle.
type Manifest struct {
	Format     string                  `json:"format"`
	ExportedAt time.Time               `json:"exported_at"`
	ExportedBy string                  `json:"exported_by"`
	Origin     string                  `json:"origin"`
	LogSize    int64                   `json:"log_size"`
	View                               // the case as the exporter sees it
	Proofs     map[string]tahqiq.Proof `json:"proofs"` // item ID -> inclusion proof of its attach entry
}

// Export writes a bundle of the case to dir (which must not exist or be
// empty). It logs the export (an evidence read), signs a checkpoint and
// writes every file plus SHA256SUMS.
func (s *Service) Export(ctx context.Context, actor tahqiq.User, caseID, dir string) (Manifest, error) {
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		return Manifest{}, tahqiq.Errorf(tahqiq.ECONFLICT, "export: %s is not empty", dir)
	}
	return s.export(ctx, actor, caseID, dirSink{dir: dir})
}

// ExportZip writes the same bundle as Export as a zip archive to w: the
// bundle's files as members at the zip's root, under the same slash paths
// (docs/format/bundle.md). It is what both `tahqiq case export --out
// X.zip` and the HTTP export send. On error after the first byte, w holds
// a truncated zip that fails verification.
func (s *Service) ExportZip(ctx context.Context, actor tahqiq.User, caseID string, w io.Writer) (Manifest, error) {
	zw := zip.NewWriter(w)
	m, err := s.export(ctx, actor, caseID, zipSink{zw: zw, at: s.now()})
	if err != nil {
		return m, err
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("casework: export zip: %w", err)
	}
	return m, nil
}

// ExportZipFile writes the zip bundle to path, which must not exist: to a
// temporary file in the same directory first, fsynced, then renamed, so
// that path is either absent or complete.
func (s *Service) ExportZipFile(ctx context.Context, actor tahqiq.User, caseID, path string) (Manifest, error) {
	if _, err := os.Lstat(path); err == nil {
		return Manifest{}, tahqiq.Errorf(tahqiq.ECONFLICT, "export: %s exists", path)
	}
	var m Manifest
	err := atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		var err error
		m, err = s.ExportZip(ctx, actor, caseID, w)
		return err
	})
	return m, err // a refusal keeps its code; a write error names the file
}

func (s *Service) export(ctx context.Context, actor tahqiq.User, caseID string, out sink) (Manifest, error) {
	var m Manifest
	v, err := s.view(ctx, actor, caseID)
	if err != nil {
		return m, err
	}
	var hs []string
	for _, it := range v.Items {
		for _, b := range it.Blobs {
			hs = append(hs, "sha256:"+b.SHA256)
		}
	}
	if _, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "case.export", CaseID: caseID, Hashes: hs, Details: fmt.Sprintf("%d items", len(v.Items))}, nil); err != nil {
		return m, err
	}
	cp, err := s.Checkpoint(ctx)
	if err != nil {
		return m, err
	}
	entries, err := s.Store.LogEntries(ctx, 0, cp.Size)
	if err != nil {
		return m, err
	}
	m = Manifest{Format: BundleFormat, ExportedAt: s.now(), ExportedBy: actor.ID, Origin: s.Origin, LogSize: cp.Size, View: v, Proofs: map[string]tahqiq.Proof{}}
	hr := s.Store.LogHashes(ctx)
	for i, b := range entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil || e.Action != "item.attach" {
			continue
		}
		for _, it := range v.Items {
			if it.ID == e.ItemID {
				p, err := ledger.ProveInclusion(hr, int64(i), cp.Size)
				if err != nil {
					return m, err
				}
				m.Proofs[it.ID] = p
			}
		}
	}
	w := &bundleWriter{out: out, sums: map[string]string{}}
	for _, it := range v.Items {
		for _, b := range it.Blobs {
			w.copy("blobs/"+b.SHA256, s.Blobs.Path(b.SHA256))
		}
	}
	var log bytes.Buffer
	for _, b := range entries {
		log.Write(b)
		log.WriteByte('\n')
	}
	w.write("log/entries.jsonl", log.Bytes())
	w.write("log/checkpoint", cp.Note)
	olds, err := s.Store.Checkpoints(ctx)
	if err != nil {
		return m, err
	}
	for i, o := range olds[:len(olds)-1] {
		w.write(fmt.Sprintf("log/earlier/%06d", i), o)
	}
	w.write("keys/log.pub", []byte(s.vkey()+"\n"))
	mb, _ := json.MarshalIndent(m, "", "  ")
	w.write("manifest.json", append(mb, '\n'))
	w.writeSums()
	return m, w.err
}

func (s *Service) vkey() string {
	if v, ok := s.LogKey.(interface{ String() string }); ok {
		return v.String()
	}
	return s.LogKey.Name()
}

// sink receives a bundle's files: a directory or a zip archive.
type sink interface {
	put(name string, r io.Reader) error
}

type dirSink struct{ dir string }

func (d dirSink) put(name string, r io.Reader) error {
	p := filepath.Join(d.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type zipSink struct {
	zw *zip.Writer
	at time.Time
}

func (z zipSink) put(name string, r io.Reader) error {
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: z.at})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// bundleWriter hashes every file as it goes to the sink, for SHA256SUMS.
type bundleWriter struct {
	out  sink
	sums map[string]string
	err  error
}

func (w *bundleWriter) put(name string, r io.Reader) {
	if w.err != nil {
		return
	}
	h := sha256.New()
	if err := w.out.put(name, io.TeeReader(r, h)); err != nil {
		w.err = fmt.Errorf("casework: export: %s: %w", name, err)
		return
	}
	w.sums[name] = hex.EncodeToString(h.Sum(nil))
}

func (w *bundleWriter) write(name string, data []byte) { w.put(name, bytes.NewReader(data)) }

func (w *bundleWriter) copy(name, src string) {
	if w.err != nil {
		return
	}
	if _, done := w.sums[name]; done { // a blob shared by two items
		return
	}
	f, err := os.Open(src)
	if err != nil {
		w.err = fmt.Errorf("casework: export: blob %s: %w", name, err)
		return
	}
	defer f.Close()
	w.put(name, f)
}

func (w *bundleWriter) writeSums() {
	if w.err != nil {
		return
	}
	names := make([]string, 0, len(w.sums))
	for n := range w.sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&buf, "%s  %s\n", w.sums[n], n)
	}
	w.put("SHA256SUMS", &buf)
}

// VerifyOptions are what the user brings to a verification.
type VerifyOptions struct {
	LogKey    string   // expected log public key; "" trusts the bundle's keys/log.pub (reported)
	Witnesses []string // witness public keys
	Earlier   [][]byte // checkpoints the user kept
}

// VerifyBundle checks an exported bundle offline: a directory, or a zip
// archive of one (any path that is a regular file is read as a zip).
// Every problem is named in the report; the error is for a path that
// cannot be opened at all.
func VerifyBundle(path string, o VerifyOptions) (*Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "verify: %s: %v", path, err)
	}
	r := &Report{Path: path, Kind: "bundle"}
	if st.IsDir() {
		return verifyBundle(newDirSource(path, r), r, o), nil
	}
	r.Kind = "zip bundle"
	zr, err := zip.OpenReader(path)
	if err != nil {
		r.add("file", 0, "%s: not a readable zip archive: %v", path, err)
		return r, nil
	}
	defer zr.Close()
	return verifyBundle(newZipSource(&zr.Reader, r), r, o), nil
}

// VerifyBundleZip checks a zip bundle held in memory or any io.ReaderAt.
func VerifyBundleZip(ra io.ReaderAt, size int64, name string, o VerifyOptions) *Report {
	r := &Report{Path: name, Kind: "zip bundle"}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		r.add("file", 0, "%s: not a readable zip archive: %v", name, err)
		return r
	}
	return verifyBundle(newZipSource(zr, r), r, o)
}

func verifyBundle(src bundleSource, r *Report, o VerifyOptions) *Report {
	buf := make([]byte, 64<<10)
	hash := func(rc io.Reader, h io.Writer) error {
		// struct{io.Reader} hides os.File's WriteTo, which would allocate
		// a buffer per file (20,000 for a 10,000-item bundle).
		_, err := io.CopyBuffer(h, struct{ io.Reader }{rc}, buf)
		return err
	}
	read := func(name string) []byte {
		rc, err := src.open(name)
		if err != nil {
			r.add("file", 0, "%s: missing", name)
			return nil
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			r.add("file", 0, "%s: unreadable: %v: file changed", name, err)
			return nil
		}
		return b
	}
	// 1. SHA256SUMS names every file; each must exist and match.
	sums := read("SHA256SUMS")
	listed := map[string]bool{"SHA256SUMS": true}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			r.add("file", 0, "SHA256SUMS: bad line %q", sc.Text())
			continue
		}
		if !safeName(name) {
			r.add("file", 0, "SHA256SUMS: unsafe path %q (absolute, .. or backslash): not read", name)
			continue
		}
		listed[name] = true
		rc, err := src.open(name)
		if err != nil {
			r.add("file", 0, "%s: listed in SHA256SUMS but missing: file removed", name)
			continue
		}
		h := sha256.New()
		err = hash(rc, h)
		rc.Close()
		switch {
		case err != nil:
			r.add("file", 0, "%s: unreadable: %v: file changed", name, err)
		case hex.EncodeToString(h.Sum(nil)) != sum:
			r.add("file", 0, "%s: content differs from SHA256SUMS: file changed", name)
		}
	}
	for _, name := range src.names() {
		if !listed[name] {
			r.add("file", 0, "%s: not listed in SHA256SUMS: file added", name)
		}
	}
	var m Manifest
	mb := read("manifest.json")
	if mb == nil {
		return r
	}
	if err := json.Unmarshal(mb, &m); err != nil {
		r.add("file", 0, "manifest.json: %v", err)
		return r
	}
	if m.Format != BundleFormat {
		r.add("file", 0, "manifest.json: format %q, want %q", m.Format, BundleFormat)
	}
	key := o.LogKey
	if key == "" {
		key = strings.TrimSpace(string(read("keys/log.pub")))
	}
	mat, err := keys(key, o.Witnesses)
	if err != nil {
		r.add("key", 0, "%v", err)
		return r
	}
	if lb := read("log/entries.jsonl"); lb != nil {
		for _, line := range bytes.Split(bytes.TrimSuffix(lb, []byte("\n")), []byte("\n")) {
			mat.entries = append(mat.entries, line)
		}
	}
	for _, name := range src.names() { // sorted
		if strings.HasPrefix(name, "log/earlier/") {
			mat.earlier = append(mat.earlier, read(name))
		}
	}
	mat.earlier = append(mat.earlier, o.Earlier...)
	if cp := read("log/checkpoint"); cp != nil {
		mat.checkpoints = [][]byte{cp}
	}
	mat.items = m.Items
	mat.records = map[string]string{}
	recordDigests(m.View, mat.records)
	mat.proofs = m.Proofs
	mat.checkBlob = func(sum string) error {
		rc, err := src.open("blobs/" + sum)
		if err != nil {
			return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: missing (blobs/%s)", sum, sum)
		}
		defer rc.Close()
		h := sha256.New()
		if err := hash(rc, h); err != nil {
			return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: unreadable: %v: the file was changed", sum, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			return tahqiq.Errorf(tahqiq.EVERIFY, "blob %s: content hashes to %s: the file was changed", sum, got)
		}
		return nil
	}
	check(mat, r)
	return r
}

func keys(logKey string, witnesses []string) (material, error) {
	var m material
	v, err := ledger.NewVerifier(logKey)
	if err != nil {
		return m, err
	}
	m.logKey = v
	for _, w := range witnesses {
		wv, err := ledger.NewVerifier(w)
		if err != nil {
			return m, err
		}
		m.witnesses = append(m.witnesses, wv)
	}
	return m, nil
}

// VerifyStore checks the whole store: every item and record of every case
// against the log, every blob against its hash, the log against its signed
// checkpoints and any earlier checkpoints the user holds.
func (s *Service) VerifyStore(ctx context.Context, o VerifyOptions) (*Report, error) {
	r := &Report{Kind: "store", Path: filepath.Dir(s.Blobs.Dir)}
	key := o.LogKey
	if key == "" {
		key = s.vkey()
	}
	mat, err := keys(key, o.Witnesses)
	if err != nil {
		return nil, err
	}
	n, err := s.Store.LogSize(ctx)
	if err != nil {
		return nil, err
	}
	if mat.entries, err = s.Store.LogEntries(ctx, 0, n); err != nil {
		return nil, err
	}
	if mat.checkpoints, err = s.Store.Checkpoints(ctx); err != nil {
		return nil, err
	}
	mat.earlier = o.Earlier
	cases, err := s.Store.FindCases(ctx)
	if err != nil {
		return nil, err
	}
	mat.records = map[string]string{}
	for _, c := range cases {
		items, err := s.Store.FindItems(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		mat.items = append(mat.items, items...)
		v := View{Case: c}
		if v.Findings, err = s.Store.FindFindings(ctx, c.ID); err != nil {
			return nil, err
		}
		if v.Recommendations, err = s.Store.FindRecommendations(ctx, c.ID); err != nil {
			return nil, err
		}
		if v.Tasks, err = s.Store.FindTasks(ctx, c.ID); err != nil {
			return nil, err
		}
		if v.Notes, err = s.Store.FindNotes(ctx, c.ID); err != nil {
			return nil, err
		}
		recordDigests(v, mat.records)
	}
	mat.checkBlob = func(sum string) error { return blob.Check(s.Blobs.Path(sum), sum) }
	check(mat, r)
	// The stored hash cache must agree with the entries (new appends and
	// proofs are computed from it).
	mem := &ledger.MemStore{}
	if _, err := ledger.New(mem).Append(mat.entries...); err == nil {
		total := tlog.StoredHashIndex(0, n)
		idx := make([]int64, total)
		for i := range idx {
			idx[i] = int64(i)
		}
		want, _ := mem.ReadHashes(idx)
		got, err := s.Store.LogHashes(ctx).ReadHashes(idx)
		if err != nil {
			r.add("hashes", n, "stored tree hashes unreadable: %v", err)
		} else {
			for i := range want {
				if got[i] != want[i] {
					r.add("hashes", int64(i), "stored tree hash %d differs from the one computed from the entries: the hash table was edited", i)
					break
				}
			}
		}
	}
	return r, nil
}
