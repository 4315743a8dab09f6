package csvrow

import (
	"bytes"
	"encoding/csv"
	"io"
)

// Rest returns the input after the header row, unread, with the input
// offset (BOM included) and the line its first byte is at, for a reader
// that cuts the rest into chunks of whole records (Splitter) and reads
// each with Chunk, on several cores. It must be called before Next, and r
// not used after it but for Chunk.
func (r *Reader) Rest() (rest io.Reader, offset, line int64) {
	left := bytes.Clone(r.rec.slice(r.prev, r.rec.base+int64(len(r.rec.buf))))
	return io.MultiReader(bytes.NewReader(left), r.rec.r), r.prev + r.bom, r.next
}

// Chunk returns a reader of the rows of data, whole records of the input
// of r (a Reader whose header was read) that start at input offset
// offset (BOM included) on line line: its rows are those Next of a reader
// of the whole input gives for these bytes, the same lines, offsets, raw
// bytes and rejects. Chunks of one input may be read at the same time.
func (r *Reader) Chunk(data []byte, offset, line int64) *Reader {
	c := &Reader{
		name: r.name, header: r.header, keys: r.keys, hline: r.hline, noRaw: r.noRaw,
		rec:  &recorder{buf: data, whole: true},
		base: offset, lineBase: line - 1,
	}
	c.cr = csv.NewReader(bytes.NewReader(data))
	c.cr.FieldsPerRecord = -1
	c.cr.ReuseRecord = true
	return c
}

// Splitter finds where the records of a CSV input end, as encoding/csv
// (and so Reader) reads them, so that the input can be cut into chunks of
// whole records: a record ends at the end of a line, unless that line
// leaves a quoted field open (a newline inside quotes). A quote that
// encoding/csv rejects (a bare quote in an unquoted field, text after a
// closing quote) ends the record at the end of its line, as the reader's
// reject does. Feed it the input after the header row from its start.
type Splitter struct {
	scanned int  // bytes of the buffer looked at: whole lines
	end     int  // the end of the last whole record found in them
	quoted  bool // the line at scanned starts inside a quoted field
}

// Scan looks at the whole lines of buf not looked at yet (buf holds the
// input from the start of the last Cut on, and grows between calls) and
// returns the length of its longest prefix of whole records.
func (s *Splitter) Scan(buf []byte) int {
	for s.scanned < len(buf) {
		if !s.quoted {
			// lines without a quote are whole records: skip to the
			// line of the next quote
			rest := buf[s.scanned:]
			q := bytes.IndexByte(rest, '"')
			if q < 0 {
				if nl := bytes.LastIndexByte(rest, '\n'); nl >= 0 {
					s.scanned += nl + 1
					s.end = s.scanned
				}
				return s.end
			}
			if nl := bytes.LastIndexByte(rest[:q], '\n'); nl >= 0 {
				s.scanned += nl + 1
				s.end = s.scanned
			}
		}
		nl := bytes.IndexByte(buf[s.scanned:], '\n')
		if nl < 0 {
			break // an incomplete line: read more
		}
		line := buf[s.scanned : s.scanned+nl+1]
		s.scanned += len(line)
		s.quoted = !lineEnds(line, s.quoted)
		if !s.quoted {
			s.end = s.scanned
		}
	}
	return s.end
}

// Cut tells s that the first n bytes of the buffer (a prefix Scan
// returned) went into a chunk: the buffer passed next starts after them.
func (s *Splitter) Cut(n int) {
	s.scanned -= n
	s.end -= n
}

// lineEnds reports whether a record ends with line (one line, its '\n'
// included), which starts at a field's start (the record's, or after a
// comma) or, when quoted, inside a quoted field, as encoding/csv reads
// it (no LazyQuotes, no TrimLeadingSpace, no comments, ',' the comma).
func lineEnds(line []byte, quoted bool) bool {
	n := len(line) - 1 // the '\n'
	i := 0
	for {
		if !quoted {
			if i < n && line[i] == '"' {
				quoted = true
				i++
				continue
			}
			// an unquoted field, to the next comma or the line's end;
			// a quote in it is a bare quote: the reader rejects the
			// record, which ends with the line
			for i < n && line[i] != ',' {
				if line[i] == '"' {
					return true
				}
				i++
			}
			if i >= n {
				return true
			}
			i++ // the comma: a field starts
			continue
		}
		j := bytes.IndexByte(line[i:], '"')
		if j < 0 {
			return false // the field goes on on the next line
		}
		i += j + 1 // after the quote; i <= n
		switch line[i] {
		case '"': // an escaped quote
			i++
		case ',': // the field closed; the next starts
			i++
			quoted = false
		default:
			// the line's end ("\n", "\r\n") closes the record; anything
			// else after a closing quote is an error that ends it too
			return true
		}
	}
}
