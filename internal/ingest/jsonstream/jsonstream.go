// Package jsonstream walks the JSON values of an input without reading it
// whole, and hands each one over with its exact bytes, line and offset:
//
//   - JSON Lines (one value per line) is read line by line, so a bad line
//     (truncated, invalid JSON, invalid UTF-8) is reported and the rest
//     still parses; lines are not validated here, since the caller decodes
//     them anyway: it reports a decoding error through Explain;
//   - anything else (a pretty-printed document, a top-level array, an object
//     wrapping an array such as a search envelope) is read as a stream of
//     tokens, descending into top-level arrays and into the arrays under the
//     named keys of a top-level object, so each element is one value.
//
// It is used by the JSON importers; it knows nothing of their formats.
package jsonstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

// Value is one JSON value of the input.
type Value struct {
	Raw     []byte // exact bytes, owned by the callee
	Line    int64  // 1-based line of the value's first byte
	Offset  int64  // byte offset of the value's first byte
	Pointer string // JSON pointer inside the document ("" for a line or top-level value)
	Err     error  // non-nil: the value is bad (Raw holds its bytes, as far as they go)
}

// Options control the walk.
type Options struct {
	// Descend lists keys of a top-level object whose array elements are the
	// values (e.g. "statuses" for a v1.1 search envelope). The object's
	// other members are ignored.
	Descend []string
}

// Each calls fn for every value of r, in order. It returns the first error
// of fn, an I/O error, or a structural error of a non-line document (a
// syntax error there cannot be skipped). An empty input yields nothing.
func Each(r io.Reader, opt Options, fn func(Value) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	first, err := firstLine(br)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(first)
	if len(trimmed) > 0 && trimmed[0] == '{' && !mentions(trimmed, opt.Descend) && (wholeValue(trimmed) || brokenFirstLine(br, trimmed)) {
		return eachLine(br, fn)
	}
	return eachToken(br, opt, fn)
}

// brokenFirstLine reports whether first, which is not a whole value, is a
// damaged first line of JSON Lines rather than the opening of a multi-line
// document: it does not end with '{' or '[' (as `{"data": [` would), and
// the lines that follow within the buffer (two, or one when it ends there)
// are whole objects; a document whose first line ends with ':' or ','
// fails on its closing line. Then the damaged line becomes a reject and
// the rest parses, as for a damaged line anywhere else.
func brokenFirstLine(br *bufio.Reader, first []byte) bool {
	switch first[len(first)-1] {
	case '{', '[':
		return false
	}
	b, _ := br.Peek(br.Size())
	b = bytes.TrimLeft(b, " \t\r\n")
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return false
	}
	seen := 0
	for _, l := range bytes.Split(b[i+1:], []byte{'\n'}) {
		if seen == 2 {
			break
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if l[0] != '{' || !wholeValue(l) {
			// The last piece may be cut by the buffer: it counts only
			// when it is not the first line after the broken one.
			return seen > 0 && len(b) == br.Size()
		}
		seen++
	}
	return seen > 0
}

// firstLine peeks at the first non-empty line without consuming it.
func firstLine(br *bufio.Reader) ([]byte, error) {
	for n := 4096; ; n *= 2 {
		b, err := br.Peek(n)
		if len(bytes.TrimSpace(b)) > 0 {
			start := len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
			if i := bytes.IndexByte(b[start:], '\n'); i >= 0 {
				return b[start : start+i], nil
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, bufio.ErrBufferFull) {
				return b, nil
			}
			return nil, err
		}
	}
}

func eachLine(br *bufio.Reader, fn func(Value) error) error {
	var line, offset int64
	for {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			start := offset
			offset += int64(len(b))
			raw := bytes.TrimRight(b, "\r\n")
			if len(bytes.TrimSpace(raw)) > 0 {
				v := Value{Raw: raw, Line: line, Offset: start}
				if !utf8.Valid(raw) {
					v.Err = errors.New("invalid UTF-8")
				}
				if ferr := fn(v); ferr != nil {
					return ferr
				}
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// wholeValue reports whether b is one complete bracketed value: its
// brackets (outside strings) balance exactly at its last byte. It decides
// between JSON Lines and a multi-line document as json.Valid would, at a
// fraction of the cost (a page line can be megabytes); whether each line is
// valid JSON is for the caller's decoder to say.
func wholeValue(b []byte) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i == len(b)-1
			}
			if depth < 0 {
				return false
			}
		}
	}
	return false
}

// mentions reports whether b contains one of keys as a JSON string.
func mentions(b []byte, keys []string) bool {
	for _, k := range keys {
		if bytes.Contains(b, []byte(strconv.Quote(k))) {
			return true
		}
	}
	return false
}

// Explain turns the error of decoding raw into a message for a reject: a
// syntax error says where, and a value that ends early says it looks
// truncated. Other errors (a wrong type) are returned as they are.
func Explain(raw []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(raw)) {
			return fmt.Errorf("invalid JSON: the record ends early at byte %d (truncated?)", len(raw))
		}
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("invalid JSON: the record ends early at byte %d (truncated?)", len(raw))
	}
	return err
}

// capture keeps the bytes the decoder has read since base, so that a value's
// exact bytes can be cut out by offset, and counts lines of what it drops.
type capture struct {
	r     io.Reader
	buf   []byte
	base  int64 // offset of buf[0]
	lines int64 // newlines before base
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// slice returns a copy of the bytes [from, to).
func (c *capture) slice(from, to int64) []byte {
	return bytes.Clone(c.buf[from-c.base : to-c.base])
}

// lineAt returns the 1-based line of offset off (>= base).
func (c *capture) lineAt(off int64) int64 {
	return c.lines + int64(bytes.Count(c.buf[:off-c.base], []byte{'\n'})) + 1
}

// drop forgets the bytes before off.
func (c *capture) drop(off int64) {
	k := off - c.base
	if k <= 0 {
		return
	}
	c.lines += int64(bytes.Count(c.buf[:k], []byte{'\n'}))
	n := copy(c.buf, c.buf[k:])
	c.buf = c.buf[:n]
	c.base = off
}

func eachToken(br *bufio.Reader, opt Options, fn func(Value) error) error {
	c := &capture{r: br}
	dec := json.NewDecoder(c)
	emit := func(pointer string) error {
		var raw json.RawMessage
		before := dec.InputOffset()
		if err := dec.Decode(&raw); err != nil {
			return structural(c, before, err)
		}
		end := dec.InputOffset()
		start := end - int64(len(raw))
		v := Value{Raw: c.slice(start, end), Line: c.lineAt(start), Offset: start, Pointer: pointer}
		if !utf8.Valid(v.Raw) {
			v.Err = errors.New("invalid UTF-8")
		}
		c.drop(end)
		return fn(v)
	}
	for index := 0; ; index++ {
		before := dec.InputOffset()
		if !dec.More() {
			// Either the end of the input or a stray closing delimiter.
			if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
				return structural(c, before, err)
			} else if err == nil {
				return structural(c, before, errors.New("unexpected closing delimiter"))
			}
			return nil
		}
		start := firstNonSpace(c, before)
		switch c.buf[start-c.base] {
		case '[':
			if _, err := dec.Token(); err != nil {
				return structural(c, before, err)
			}
			for i := 0; dec.More(); i++ {
				if err := emit("/" + strconv.Itoa(i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return structural(c, dec.InputOffset(), err)
			}
		case '{':
			if len(opt.Descend) == 0 || !hasDescendKey(c, start, opt.Descend) {
				if err := emit(""); err != nil {
					return err
				}
				continue
			}
			if err := descend(dec, c, opt, emit); err != nil {
				return err
			}
		default:
			if err := emit(""); err != nil {
				return err
			}
		}
	}
}

// firstNonSpace returns the offset of the first non-space byte at or after
// off, reading more input as needed.
func firstNonSpace(c *capture, off int64) int64 {
	for i := off - c.base; i < int64(len(c.buf)); i++ {
		switch c.buf[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return c.base + i
		}
	}
	// More() has already buffered the next token's first byte, so this is
	// not reached in practice; guard anyway.
	return off
}

// hasDescendKey reports whether the object starting at start names one of
// the descend keys among the bytes buffered so far.
func hasDescendKey(c *capture, start int64, keys []string) bool {
	b := c.buf[start-c.base:]
	if len(b) > 1<<16 {
		b = b[:1<<16]
	}
	return mentions(b, keys)
}

// descend walks a top-level object, emitting the elements of the arrays
// under the descend keys and skipping its other members.
func descend(dec *json.Decoder, c *capture, opt Options, emit func(string) error) error {
	if _, err := dec.Token(); err != nil { // '{'
		return structural(c, dec.InputOffset(), err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return structural(c, dec.InputOffset(), err)
		}
		key, _ := tok.(string)
		wanted := false
		for _, k := range opt.Descend {
			wanted = wanted || k == key
		}
		if !wanted {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return structural(c, dec.InputOffset(), err)
			}
			c.drop(dec.InputOffset())
			continue
		}
		if tok, err := dec.Token(); err != nil {
			return structural(c, dec.InputOffset(), err)
		} else if d, ok := tok.(json.Delim); !ok || d != '[' {
			return structural(c, dec.InputOffset(), fmt.Errorf("member %q is not an array", key))
		}
		for i := 0; dec.More(); i++ {
			if err := emit("/" + key + "/" + strconv.Itoa(i)); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return structural(c, dec.InputOffset(), err)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return structural(c, dec.InputOffset(), err)
	}
	return nil
}

// StructuralError is a syntax error in a non-line document: parsing cannot
// go on past it.
type StructuralError struct {
	Line   int64
	Offset int64
	Err    error
}

func (e *StructuralError) Error() string {
	return fmt.Sprintf("line %d (byte %d): %v", e.Line, e.Offset, e.Err)
}

func (e *StructuralError) Unwrap() error { return e.Err }

func structural(c *capture, off int64, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of input (truncated file?)")
	}
	if off < c.base {
		off = c.base
	}
	return &StructuralError{Line: c.lineAt(off), Offset: off, Err: err}
}

// Records is the record loop of a JSON importer: one record per value of
// src with its provenance (line, offset, locator "L<line>[#pointer]", raw
// bytes and their SHA-256). A value the walk finds bad is a reject; for a
// good one, fill derives posts and accounts and returns why the record is
// rejected, or nil. A structural error of a JSON document and an empty
// input are EINVALID errors.
func Records(ctx context.Context, src tahqiq.Source, opt Options, format string, emit func(*tahqiq.Parsed) error, fill func(*tahqiq.Parsed) error) error {
	n := 0
	err := Each(src.R, opt, func(v Value) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		loc := "L" + strconv.FormatInt(v.Line, 10)
		if v.Pointer != "" {
			loc += "#" + v.Pointer
		}
		p := &tahqiq.Parsed{Record: tahqiq.RawRecord{Format: format, SourceFile: src.Name, Line: v.Line, Offset: v.Offset,
			Locator: loc, Raw: v.Raw, SHA256: sha256.Sum256(v.Raw)}}
		if v.Err != nil {
			p.Reject = v.Err.Error()
		} else if err := fill(p); err != nil {
			p.Reject = err.Error()
			p.Posts, p.Accounts = nil, nil
		}
		return emit(p)
	})
	var se *StructuralError
	if errors.As(err, &se) {
		return tahqiq.Errorf(tahqiq.EINVALID, "not valid JSON at line %d: %v", se.Line, se.Err)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return tahqiq.Errorf(tahqiq.EINVALID, "empty input")
	}
	return nil
}
