package coord

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// ReadParts reads dir/parts.json, the manifest of a partitioned run's
// parts, and checks that it lists a whole set: every single file's parts,
// one per partition.
func ReadParts(dir string) (*PartsManifest, error) {
	path := filepath.Join(dir, "parts.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(dir, "edges.csv")); serr == nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s has no parts.json: its edges.csv is whole already (a run in one file needs no merge)", dir)
		}
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s has no parts.json: not the directory of a partitioned coordination run (tahqiq coord --nats ... --parts)", dir)
	}
	if err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%v", err)
	}
	var m PartsManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", path, err)
	}
	if m.Format != PartsFormat {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: format %q, this tahqiq reads %q", path, m.Format, PartsFormat)
	}
	n := m.Partitioning.Partitions
	if n <= 0 || len(m.Files) == 0 {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %d partitions and %d files: nothing to merge", path, n, len(m.Files))
	}
	if slices.Contains(m.Files, "evidence.csv.gz") != (m.EvidenceParts > 0) {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: evidence_parts %d with files %v: evidence.csv.gz is listed exactly when it has parts", path, m.EvidenceParts, m.Files)
	}
	for _, f := range m.Files {
		n := n
		if f == "evidence.csv.gz" {
			n = m.EvidenceParts
		}
		seen := make([]bool, n)
		for _, p := range m.Parts {
			if p.Of != f {
				continue
			}
			if p.Partition < 0 || p.Partition >= n || seen[p.Partition] {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: part %s of %s: partition %d listed twice or out of 0..%d", path, p.Name, f, p.Partition, n-1)
			}
			if p.Name == "" || p.Name != filepath.Base(p.Name) || strings.HasPrefix(p.Name, ".") {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: part name %q: want a file name in the run's directory", path, p.Name)
			}
			seen[p.Partition] = true
		}
		if k := slices.Index(seen, false); k >= 0 {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %s has no part for partition %d of %d", path, f, k, n)
		}
	}
	for _, p := range m.Parts {
		if !slices.Contains(m.Files, p.Of) {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: part %s is of %q, which the manifest does not list in files", path, p.Name, p.Of)
		}
	}
	return &m, nil
}

// Merged is what MergeParts wrote: rows per file.
type Merged struct {
	Files []string
	Rows  map[string]int64
}

// MergeParts merges the parts of the partitioned run in dir into the
// single files (edges.csv, edges_directed.csv) in out, byte for byte what
// the run in one process writes, and copies the run's evidence.csv.gz
// (written whole by the run) beside them. It reads each part once,
// streaming (a k-way merge: memory in the number of parts, not their
// size), checks each part's rows and SHA-256 against parts.json, and
// leaves no output file where a check fails.
func MergeParts(dir, out string) (*Merged, error) {
	m, err := ReadParts(dir)
	if err != nil {
		return nil, err
	}
	if a, b := absPath(dir), absPath(out); a == b {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "--out is the run's own directory: give another (a run's directory holds what its manifest and the custody log list)")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %v", out, err)
	}
	res := &Merged{Rows: map[string]int64{}}
	// every file is written beside its name and renamed once all are
	// whole and checked
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}()
	for _, f := range m.Files {
		var parts []PartFile
		for _, p := range m.Parts {
			if p.Of == f {
				parts = append(parts, p)
			}
		}
		slices.SortFunc(parts, func(a, b PartFile) int { return a.Partition - b.Partition })
		tmp := filepath.Join(out, f+".tmp")
		tmps = append(tmps, tmp)
		merge := mergeFile
		if f == "evidence.csv.gz" {
			merge = concatEvidence
		}
		n, err := merge(dir, tmp, f == "edges_directed.csv", parts)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, f)
		res.Rows[f] = n
	}
	ev := filepath.Join(dir, "evidence.csv.gz")
	if _, err := os.Stat(ev); err == nil && m.EvidenceParts == 0 {
		tmp := filepath.Join(out, "evidence.csv.gz.tmp")
		tmps = append(tmps, tmp)
		if err := copyFile(ev, tmp); err != nil {
			return nil, fmt.Errorf("coord: copy evidence.csv.gz: %w", err)
		}
		res.Files = append(res.Files, "evidence.csv.gz")
	}
	for i, f := range res.Files {
		if err := os.Rename(tmps[i], filepath.Join(out, f)); err != nil {
			return nil, err
		}
	}
	tmps = nil
	return res, nil
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(a); err == nil {
		return r
	}
	return a
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// concatEvidence writes evidence.csv.gz at path from its parts (in
// partition order: consecutive objects), decompressed and put end to end
// without their headers but the first's, compressed as the run compresses
// it; it returns its rows.
func concatEvidence(dir, path string, _ bool, parts []PartFile) (rows int64, err error) {
	o, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			o.Close()
		}
	}()
	zw := newEvidenceGzip(o)
	bw := bufio.NewWriterSize(zw, 1<<20)
	var header []byte
	for _, p := range parts {
		n, err := appendEvidencePart(dir, p, bw, &header)
		if err != nil {
			return 0, err
		}
		rows += n
	}
	if header == nil {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "evidence.csv.gz has no part")
	}
	if err := firstErr(bw.Flush(), zw.Close()); err != nil {
		return 0, err
	}
	return rows, o.Close()
}

// appendEvidencePart writes the lines of evidence part p to w (its
// header too when *header is nil, which it then holds), checking its
// bytes, SHA-256 and rows.
func appendEvidencePart(dir string, p PartFile, w io.Writer, header *[]byte) (int64, error) {
	f, err := os.Open(filepath.Join(dir, p.Name))
	if err != nil {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s of evidence.csv.gz, listed in parts.json: %v", p.Name, err)
	}
	defer f.Close()
	h, cnt := sha256.New(), &countWriter{}
	tee := io.TeeReader(f, io.MultiWriter(h, cnt))
	zr, err := gzip.NewReader(tee)
	if err != nil {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s: %v", p.Name, err)
	}
	r := bufio.NewReaderSize(zr, 1<<16)
	head, err := r.ReadBytes('\n')
	if err != nil {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s: no header line (%v)", p.Name, err)
	}
	if *header == nil {
		*header = head
		if _, err := w.Write(head); err != nil {
			return 0, err
		}
	} else if !bytes.Equal(head, *header) {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s has another header than the first part's: parts of another run?", p.Name)
	}
	// rows: lines, a quoted field's newlines aside
	rows, quoted := int64(0), false
	buf := make([]byte, 1<<16)
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			switch {
			case c == '"':
				quoted = !quoted
			case c == '\n' && !quoted:
				rows++
			}
		}
		if _, werr := w.Write(buf[:n]); werr != nil {
			return 0, werr
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s: %v (a damaged or cut part?)", p.Name, err)
		}
	}
	io.Copy(io.Discard, tee) // anything after the gzip stream is hashed too
	if sum := hex.EncodeToString(h.Sum(nil)); rows != p.Rows || cnt.n != p.Bytes || sum != p.SHA256 {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s: %d rows, %d bytes, SHA-256 %s; parts.json says %d rows, %d bytes, %s: the part was changed or cut after the run wrote it", p.Name, rows, cnt.n, sum, p.Rows, p.Bytes, p.SHA256)
	}
	return rows, nil
}

// partReader reads one part record by record, hashing and counting what
// it reads.
type partReader struct {
	p      PartFile
	f      *os.File
	h      hash.Hash
	cnt    *countWriter
	r      *bufio.Reader
	rec    []byte // the current record, with its newline
	key    partKey
	rows   int64
	header []byte
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }

// next reads the next record; false at the end.
func (pr *partReader) next(directed bool) (bool, error) {
	pr.rec = pr.rec[:0]
	quoted := false
	for {
		line, err := pr.r.ReadSlice('\n')
		pr.rec = append(pr.rec, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(pr.rec) == 0 {
				return false, nil
			}
			return false, fmt.Errorf("%s: the last record has no end of line (a truncated part?)", pr.p.Name)
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", pr.p.Name, err)
		}
		// a newline inside quotes continues the record
		for _, c := range line {
			if c == '"' {
				quoted = !quoted
			}
		}
		if !quoted {
			break
		}
	}
	if pr.header == nil {
		pr.header = slices.Clone(pr.rec)
		return pr.next(directed)
	}
	pr.rows++
	a, rest, err := csvField(pr.rec)
	var b string
	if err == nil {
		b, _, err = csvField(rest)
	}
	if err != nil {
		return false, fmt.Errorf("%s: record %d: %v", pr.p.Name, pr.rows, err)
	}
	pr.key = partKey{a, b, false}
	if directed && b < a {
		pr.key = partKey{b, a, true}
	}
	return true, nil
}

// partKey is where a record sorts: its edge's accounts (a < b), and for
// a directed row whether it is b->a (after a->b).
type partKey struct {
	a, b string
	back bool
}

func (k partKey) less(o partKey) bool {
	if k.a != o.a {
		return k.a < o.a
	}
	if k.b != o.b {
		return k.b < o.b
	}
	return !k.back && o.back
}

// csvField returns the first field of rec (unquoted) and what follows its
// comma.
func csvField(rec []byte) (string, []byte, error) {
	if len(rec) > 0 && rec[0] == '"' {
		var b strings.Builder
		i := 1
		for i < len(rec) {
			if rec[i] == '"' {
				if i+1 < len(rec) && rec[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				i++
				if i < len(rec) && rec[i] == ',' {
					return b.String(), rec[i+1:], nil
				}
				return "", nil, errors.New("a quoted field not followed by a comma")
			}
			b.WriteByte(rec[i])
			i++
		}
		return "", nil, errors.New("a quoted field without its closing quote")
	}
	i := bytes.IndexByte(rec, ',')
	if i < 0 {
		return "", nil, errors.New("fewer than two fields")
	}
	return string(rec[:i]), rec[i+1:], nil
}

func (pr *partReader) less(o *partReader) bool {
	if pr.key != o.key {
		return pr.key.less(o.key)
	}
	return pr.p.Partition < o.p.Partition
}

type partHeap []*partReader

func (h partHeap) Len() int           { return len(h) }
func (h partHeap) Less(i, j int) bool { return h[i].less(h[j]) }
func (h partHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *partHeap) Push(x any)        { *h = append(*h, x.(*partReader)) }
func (h *partHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeFile merges parts (of one file) into path and returns its rows.
func mergeFile(dir, path string, directed bool, parts []PartFile) (rows int64, err error) {
	name := strings.TrimSuffix(filepath.Base(path), ".tmp")
	readers := make([]*partReader, 0, len(parts))
	defer func() {
		for _, pr := range readers {
			pr.f.Close()
		}
	}()
	var h partHeap
	for _, p := range parts {
		f, err := os.Open(filepath.Join(dir, p.Name))
		if err != nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s of %s, listed in parts.json: %v", p.Name, name, err)
		}
		pr := &partReader{p: p, f: f, h: sha256.New(), cnt: &countWriter{}}
		pr.r = bufio.NewReaderSize(io.TeeReader(f, io.MultiWriter(pr.h, pr.cnt)), 1<<16)
		readers = append(readers, pr)
		ok, err := pr.next(directed)
		if err != nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "%v", err)
		}
		if pr.header == nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s is empty: a part starts with its header", p.Name)
		}
		if !bytes.Equal(pr.header, readers[0].header) {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s has another header than %s: parts of another run?", p.Name, readers[0].p.Name)
		}
		if ok {
			h = append(h, pr)
		}
	}
	o, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			o.Close()
		}
	}()
	w := bufio.NewWriterSize(o, 1<<20)
	if len(readers) > 0 {
		w.Write(readers[0].header)
	}
	heap.Init(&h)
	var last *partReader
	var lastKey partKey
	for len(h) > 0 {
		pr := h[0]
		if last != nil && !lastKey.less(pr.key) {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "%s, record %d: accounts %s and %s out of order or repeated (after %s and %s in %s): the parts are not sorted as parts.json says", pr.p.Name, pr.rows, pr.key.a, pr.key.b, lastKey.a, lastKey.b, last.p.Name)
		}
		if _, err := w.Write(pr.rec); err != nil {
			return 0, err
		}
		rows++
		last, lastKey = pr, pr.key
		ok, err := pr.next(directed)
		if err != nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "%v", err)
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	for _, pr := range readers {
		sum := hex.EncodeToString(pr.h.Sum(nil))
		if pr.rows != pr.p.Rows || pr.cnt.n != pr.p.Bytes || sum != pr.p.SHA256 {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "part %s: %d rows, %d bytes, SHA-256 %s; parts.json says %d rows, %d bytes, %s: the part was changed or cut after the run wrote it", pr.p.Name, pr.rows, pr.cnt.n, sum, pr.p.Rows, pr.p.Bytes, pr.p.SHA256)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return rows, o.Close()
}
