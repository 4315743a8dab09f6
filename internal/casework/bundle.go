package casework

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Bundle formats (docs/format/bundle.md). Format 2 carries view.json,
// whose digest the export's own log entry records, and every log entry up
// to the checkpoint with the entries the exporter may not read withheld
// (index and leaf hash only). Format 1 bundles, made before, still verify,
// without the proof that they are complete.
const (
	BundleFormat   = "tahqiq-bundle/2"
	BundleFormatV1 = "tahqiq-bundle/1"
)

// Manifest is manifest.json of a bundle. The case itself is in view.json
// (format 2) or inline (format 1: ManifestV1).
type Manifest struct {
	Format     string    `json:"format"`
	ExportedAt time.Time `json:"exported_at"`
	ExportedBy string    `json:"exported_by"`
	Origin     string    `json:"origin"`
	LogSize    int64     `json:"log_size"`
	CaseID     string    `json:"case_id"`
	Scope      string    `json:"scope"`
	Items      int       `json:"items"` // items in view.json
	// Entry is the index of the export's own log entry (the last, log_size-1).
	Entry int64 `json:"entry"`
	// Proofs holds, for each item, the inclusion proof of the entry that
	// attached it, in the tree of the bundle's checkpoint.
	Proofs map[string]tahqiq.Proof `json:"proofs"`
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

// sealView reads the case as the actor may see it and appends the export's
// entry, which records the digest of that view: the view is read again
// until no entry of the case came in between, so the entry seals exactly
// the state it names.
func (s *Service) sealView(ctx context.Context, actor tahqiq.User, caseID string) (View, []byte, tahqiq.LogEntry, error) {
	for try := 0; ; try++ {
		head, err := s.Store.CaseHead(ctx, caseID)
		if err != nil {
			return View{}, nil, tahqiq.LogEntry{}, err
		}
		v, err := s.view(ctx, actor, caseID)
		if err != nil {
			return v, nil, tahqiq.LogEntry{}, err
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return v, nil, tahqiq.LogEntry{}, err
		}
		e := tahqiq.LogEntry{Actor: actor.ID, Action: "case.export", CaseID: caseID, Hashes: []string{ledger.Digest("view", vb)},
			Details: fmt.Sprintf("%s scope, %d items", v.Scope, len(v.Items))}
		var moved bool
		e, err = s.change(ctx, e, func(tx tahqiq.CaseTx) error {
			now, err := tx.CaseHead(ctx, caseID)
			moved = err == nil && now.Count != head.Count
			if moved {
				return errCaseMoved
			}
			return err
		})
		switch {
		case moved && try < 20:
			continue
		case moved:
			return v, nil, e, tahqiq.Errorf(tahqiq.ECONFLICT, "export: case %s kept changing while it was exported; export again", caseID)
		}
		return v, vb, e, err
	}
}

var errCaseMoved = errors.New("casework: the case changed")

func (s *Service) export(ctx context.Context, actor tahqiq.User, caseID string, out sink) (Manifest, error) {
	var m Manifest
	v, vb, seal, err := s.sealView(ctx, actor, caseID)
	if err != nil {
		return m, err
	}
	size := seal.Index + 1
	cp, err := s.checkpointAt(ctx, size)
	if err != nil {
		return m, err
	}
	entries, err := s.Store.LogEntries(ctx, 0, size)
	if err != nil {
		return m, err
	}
	m = Manifest{Format: BundleFormat, ExportedAt: seal.Time, ExportedBy: actor.ID, Origin: s.Origin, LogSize: size,
		CaseID: caseID, Scope: v.Scope, Items: len(v.Items), Entry: seal.Index, Proofs: map[string]tahqiq.Proof{}}
	// The entries the exporter may read go in full; the others as their
	// index and leaf hash.
	rd := s.newReader(actor)
	var log bytes.Buffer
	items := map[string]bool{}
	for _, it := range v.Items {
		items[it.ID] = true
	}
	hr := s.logHashes(ctx)
	for i, b := range entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil {
			return m, tahqiq.Errorf(tahqiq.EVERIFY, "export: custody log entry %d does not decode: %w", i, err)
		}
		ok, err := rd.visible(ctx, e)
		if err != nil {
			return m, err
		}
		if e.CaseID != caseID {
			ok = false // other cases' entries never travel in full
		}
		if !ok {
			log.Write(ledger.EncodeWithheld(int64(i), ledger.LeafHash(b)))
			log.WriteByte('\n')
			continue
		}
		log.Write(b)
		log.WriteByte('\n')
		if e.ItemID != "" && items[e.ItemID] && attaches(e) {
			p, err := ledger.ProveInclusion(hr, int64(i), size)
			if err != nil {
				return m, err
			}
			m.Proofs[e.ItemID] = p
		}
	}
	w := &bundleWriter{out: out, sums: map[string]string{}}
	for _, it := range v.Items {
		for _, b := range it.Blobs {
			w.copy("blobs/"+b.SHA256, s.Blobs.Path(b.SHA256))
		}
	}
	w.write("view.json", vb)
	w.write("log/entries.jsonl", log.Bytes())
	w.write("log/checkpoint", cp.Note)
	olds, err := s.Store.Checkpoints(ctx)
	if err != nil {
		return m, err
	}
	k := 0
	for _, o := range olds {
		if bytes.Equal(o, cp.Note) {
			continue
		}
		if _, t, _, err := ledger.OpenCheckpoint(o, s.LogKey); err != nil || t.N > size {
			continue // a later checkpoint: not about this bundle's log
		}
		w.write(fmt.Sprintf("log/earlier/%06d", k), o)
		k++
	}
	w.write("keys/log.pub", []byte(s.LogKeyName()+"\n"))
	mb, _ := json.MarshalIndent(m, "", "  ")
	w.write("manifest.json", append(mb, '\n'))
	w.writeSums()
	return m, w.err
}

// attaches reports whether e is the entry that attached its item.
func attaches(e tahqiq.LogEntry) bool {
	if e.Action != "item.attach" {
		return false
	}
	for _, r := range e.Records {
		if r.Kind == tahqiq.RecItem && r.ID == e.ItemID {
			return true
		}
	}
	return e.Format < 2
}

// LogKeyName is the name (with its key id, where the verifier gives one)
// of the key the custody log is signed with: the key a bundle's
// recipient is given to verify it with.
func (s *Service) LogKeyName() string {
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
	// Blobs are stored as they are (evidence is often compressed already,
	// and a verifier then reads exactly the bytes it hashes); the rest is
	// deflated.
	method := zip.Deflate
	if strings.HasPrefix(name, "blobs/") {
		method = zip.Store
	}
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: z.at})
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
