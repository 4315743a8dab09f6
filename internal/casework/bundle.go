package casework

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
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
	var m Manifest
	v, err := s.Show(ctx, actor, caseID)
	if err != nil {
		return m, err
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		return m, tahqiq.Errorf(tahqiq.ECONFLICT, "export: %s is not empty", dir)
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
	w := &bundleWriter{dir: dir}
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
	w.sums()
	return m, w.err
}

func (s *Service) vkey() string {
	if v, ok := s.LogKey.(interface{ String() string }); ok {
		return v.String()
	}
	return s.LogKey.Name()
}

type bundleWriter struct {
	dir   string
	files []string
	err   error
}

func (w *bundleWriter) write(name string, data []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(name))
	if w.err = os.MkdirAll(filepath.Dir(p), 0o755); w.err != nil {
		return
	}
	w.err = os.WriteFile(p, data, 0o644)
	w.files = append(w.files, name)
}

func (w *bundleWriter) copy(name, src string) {
	b, err := os.ReadFile(src)
	if err != nil {
		w.err = fmt.Errorf("export: blob %s: %w", name, err)
		return
	}
	w.write(name, b)
}

func (w *bundleWriter) sums() {
	if w.err != nil {
		return
	}
	sort.Strings(w.files)
	var buf bytes.Buffer
	for _, f := range w.files {
		b, err := os.ReadFile(filepath.Join(w.dir, filepath.FromSlash(f)))
		if err != nil {
			w.err = err
			return
		}
		s := sha256.Sum256(b)
		fmt.Fprintf(&buf, "%x  %s\n", s, f)
	}
	w.write("SHA256SUMS", buf.Bytes())
}

// VerifyOptions are what the user brings to a verification.
type VerifyOptions struct {
	LogKey    string   // expected log public key; "" trusts the bundle's keys/log.pub (reported)
	Witnesses []string // witness public keys
	Earlier   [][]byte // checkpoints the user kept
}

// VerifyBundle checks an exported bundle offline.
func VerifyBundle(dir string, o VerifyOptions) (*Report, error) {
	r := &Report{Path: dir, Kind: "bundle"}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			r.add("file", 0, "%s: missing", name)
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
		listed[name] = true
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			r.add("file", 0, "%s: listed in SHA256SUMS but missing: file removed", name)
			continue
		}
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != sum {
			r.add("file", 0, "%s: content differs from SHA256SUMS: file changed", name)
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			if !listed[filepath.ToSlash(rel)] {
				r.add("file", 0, "%s: not listed in SHA256SUMS: file added", filepath.ToSlash(rel))
			}
		}
		return nil
	})
	var m Manifest
	if err := json.Unmarshal(read("manifest.json"), &m); err != nil {
		r.add("file", 0, "manifest.json: %v", err)
		return r, nil
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
		return r, nil
	}
	if lb := read("log/entries.jsonl"); lb != nil {
		for _, line := range bytes.Split(bytes.TrimSuffix(lb, []byte("\n")), []byte("\n")) {
			mat.entries = append(mat.entries, line)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "log", "earlier")); len(ents) > 0 {
		for _, e := range ents {
			mat.earlier = append(mat.earlier, read("log/earlier/"+e.Name()))
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
	mat.blobPath = func(sum string) string { return filepath.Join(dir, "blobs", sum) }
	check(mat, r)
	return r, nil
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
	mat.blobPath = s.Blobs.Path
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
