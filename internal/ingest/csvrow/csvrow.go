// Package csvrow reads CSV files row by row for the CSV importers: it keeps
// each row's line, byte offset and original bytes, re-encodes good rows as
// JSON objects keyed by header (the raw record form of formats.md §7.1), and
// turns rows with a wrong field count, a quoting error or invalid UTF-8 into
// rejects with a reason instead of failing the file.
//
// It is imported only by the CSV importer packages under internal/ingest. It
// never reads a whole file into memory.
package csvrow

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

// Row is one data row. The Reader reuses the Row and its Fields slice on
// every call to Next; the field strings themselves and Raw are fresh for
// every row and may be kept.
type Row struct {
	Line   int64    // 1-based line of the row's first byte
	Offset int64    // byte offset of the row's first byte in the input (BOM included)
	Fields []string // one per header column (nil for rejects)
	// Raw is the row as a JSON object keyed by header, or the original row
	// bytes when the row is rejected (they may not be representable as JSON).
	Raw []byte
	// Reject is non-empty when the row is bad; Raw then holds the original bytes.
	Reject string
}

// Reader is a streaming CSV reader.
type Reader struct {
	name   string
	cr     *csv.Reader
	rec    *recorder
	bom    int64
	header []string
	keys   [][]byte // `"name":` encoded once
	hline  []byte
	prev   int64 // input offset (after BOM) of the end of the previous row
	row    Row
	noRaw  bool // OmitRaw
	// a Chunk's reader: base is added to every row's offset, lineBase to
	// every line number (0 for a reader of a whole input)
	base, lineBase int64
	next           int64 // NewReader: the line the first row can start on
}

// NewReader reads the header row of r. name is used in error messages. An
// input with no bytes other than white space and a BOM is EINVALID "empty
// input".
func NewReader(r io.Reader, name string) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	rd := &Reader{name: name}
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bom) {
		br.Discard(3)
		rd.bom = 3
	}
	rd.rec = &recorder{r: br}
	rd.cr = csv.NewReader(rd.rec)
	rd.cr.FieldsPerRecord = -1
	rd.cr.ReuseRecord = true
	h, err := rd.cr.Read()
	if err == io.EOF {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", name)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: header line: %v", name, pe.Err)
		}
		return nil, fmt.Errorf("csvrow: read header of %s: %w", name, err)
	}
	end := rd.cr.InputOffset()
	rd.next = 1 + int64(bytes.Count(rd.rec.slice(0, end), []byte{'\n'}))
	rd.hline = bytes.TrimRight(bytes.Clone(rd.rec.slice(0, end)), "\r\n")
	rd.hline = bytes.TrimLeft(rd.hline, "\r\n")
	rd.prev = end
	rd.rec.discard(end)
	seen := make(map[string]int, len(h))
	for i, s := range h {
		if !utf8.ValidString(s) {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: header line: invalid UTF-8 in column %d", name, i+1)
		}
		key := s
		if key == "" {
			key = "column_" + strconv.Itoa(i+1)
		}
		if n := seen[key]; n > 0 {
			key = key + "#" + strconv.Itoa(n+1)
		}
		seen[s]++
		rd.header = append(rd.header, s)
		k := appendJSONString(nil, key)
		rd.keys = append(rd.keys, append(k, ':'))
	}
	return rd, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Header returns the header fields as written.
func (r *Reader) Header() []string { return r.header }

// HeaderLine returns the original bytes of the header row, without the line
// end (and without a BOM), for storing once per file.
func (r *Reader) HeaderLine() []byte { return r.hline }

// HasBOM reports whether the input started with a UTF-8 byte order mark.
func (r *Reader) HasBOM() bool { return r.bom > 0 }

// Index returns the position of the named column, or -1.
func (r *Reader) Index(name string) int {
	for i, h := range r.header {
		if h == name {
			return i
		}
	}
	return -1
}

// Require returns the positions of the named columns, or an EINVALID error
// naming the first missing column and the file.
func (r *Reader) Require(names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = r.Index(n)
		if idx[i] < 0 {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: missing column %q", r.name, n)
		}
	}
	return idx, nil
}

// OmitRaw makes Next leave Raw nil for good rows (a reject keeps its
// original bytes), for a reader that keeps nothing of a row but its fields.
func (r *Reader) OmitRaw() { r.noRaw = true }

// Next returns the next row, or io.EOF after the last one. Other errors are
// I/O errors. Bad rows are returned with Reject set, not as errors.
func (r *Reader) Next() (*Row, error) {
	row := &r.row
	row.Fields, row.Raw, row.Reject = nil, nil, ""
	rec, err := r.cr.Read()
	end := r.cr.InputOffset()
	if err == io.EOF {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if err != nil && !errors.As(err, &pe) {
		return nil, fmt.Errorf("csvrow: read %s: %w", r.name, err)
	}
	orig := r.rec.slice(r.prev, end)
	start := r.prev
	// encoding/csv skips empty lines before a row: do not count them.
	for len(orig) > 0 && (orig[0] == '\n' || orig[0] == '\r') {
		orig = orig[1:]
		start++
	}
	r.prev = end
	row.Offset = start + r.bom + r.base
	switch {
	case pe != nil:
		row.Line = int64(pe.StartLine) + r.lineBase
		row.Reject = fmt.Sprintf("line %d: %v", row.Line, pe.Err)
	default:
		line := r.lineOf()
		row.Line = line
		if len(rec) != len(r.header) {
			row.Reject = fmt.Sprintf("line %d: %d fields, header has %d", line, len(rec), len(r.header))
			break
		}
		for i, f := range rec {
			if !validUTF8(f) {
				row.Reject = fmt.Sprintf("line %d: invalid UTF-8 in column %q", line, r.header[i])
				break
			}
		}
	}
	if row.Reject != "" {
		row.Raw = bytes.Clone(bytes.TrimRight(orig, "\r\n"))
		r.rec.discard(end)
		return row, nil
	}
	r.rec.discard(end)
	row.Fields = rec
	if !r.noRaw {
		row.Raw = r.encode(rec)
	}
	return row, nil
}

// lineOf is the line of the first field of the row just read.
func (r *Reader) lineOf() int64 {
	line, _ := r.cr.FieldPos(0)
	return int64(line) + r.lineBase
}

// encode returns the row as a JSON object keyed by header, in header order.
func (r *Reader) encode(rec []string) []byte {
	n := 2
	for i, f := range rec {
		n += len(r.keys[i]) + len(f) + 3
	}
	b := make([]byte, 0, n+n/8)
	b = append(b, '{')
	for i, f := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r.keys[i]...)
		b = appendJSONString(b, f)
	}
	return append(b, '}')
}

func validUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s, valid UTF-8, as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// recorder keeps the bytes the CSV reader has consumed but not yet released,
// so that a row's original bytes can be recovered.
type recorder struct {
	r     io.Reader
	buf   []byte
	base  int64 // input offset (after BOM) of buf[0]
	whole bool  // buf is the whole input (a Chunk's): nothing to read or release
}

func (t *recorder) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// slice returns the bytes between two input offsets; valid until discard.
func (t *recorder) slice(start, end int64) []byte {
	if start < t.base {
		start = t.base
	}
	if end-t.base > int64(len(t.buf)) {
		end = t.base + int64(len(t.buf))
	}
	return t.buf[start-t.base : end-t.base]
}

// discard releases the bytes before input offset upto.
func (t *recorder) discard(upto int64) {
	if t.whole {
		return
	}
	k := int(upto - t.base)
	if k < 32<<10 || k < len(t.buf)/2 {
		return
	}
	n := copy(t.buf, t.buf[k:])
	t.buf = t.buf[:n]
	t.base = upto
}

// HeaderFields returns the fields of the first row of head (the start of a
// file, possibly cut anywhere), or nil when it has no complete first line.
// It is for sniffers.
func HeaderFields(head []byte) []string {
	head = bytes.TrimPrefix(head, bom)
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return nil
	}
	cr := csv.NewReader(bytes.NewReader(head[:i+1]))
	cr.FieldsPerRecord = -1
	rec, err := cr.Read()
	if err != nil {
		return nil
	}
	return rec
}

// HasColumns reports whether header contains every name.
func HasColumns(header []string, names ...string) bool {
	for _, n := range names {
		found := false
		for _, h := range header {
			if h == n {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// HeaderRecord returns the header line as a record of kind "header" with
// Locator "L1#header" (its line when there were blank lines or a BOM), to be
// emitted once per file before the rows so that the pipeline stores the
// original header with the file (formats.md §7.1).
func HeaderRecord(r *Reader, format, source string) *tahqiq.Parsed {
	raw := bytes.Clone(r.hline)
	return &tahqiq.Parsed{Record: tahqiq.RawRecord{
		Format: format, SourceFile: source, Line: 1, Offset: r.bom,
		Locator: "L1#header", Raw: raw, SHA256: sha256.Sum256(raw), Kind: tahqiq.RecordHeader,
	}}
}

// Each is the row loop of a CSV importer: it emits the header record, then
// one record per row with its provenance (line, offset, locator "L<line>",
// raw bytes and their SHA-256). A row the reader rejects keeps the reader's
// reason; for a good row, fill derives posts and accounts from the fields
// and returns "" or why the row is rejected, which gets a "line N: " prefix
// (and loses whatever fill derived).
func Each(ctx context.Context, r *Reader, format, source string, emit func(*tahqiq.Parsed) error,
	fill func(p *tahqiq.Parsed, fields []string) string) error {
	if err := emit(HeaderRecord(r, format, source)); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line := strconv.FormatInt(row.Line, 10)
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{
			Format: format, SourceFile: source, Line: row.Line, Offset: row.Offset,
			Locator: "L" + line, Raw: row.Raw, SHA256: sha256.Sum256(row.Raw),
		}}
		if row.Reject != "" {
			p.Reject = row.Reject
		} else if why := fill(p, row.Fields); why != "" {
			p.Reject = "line " + line + ": " + strings.TrimPrefix(why, "line "+line+": ")
			p.Posts, p.Accounts = nil, nil
		}
		if err := emit(p); err != nil {
			return err
		}
	}
}
