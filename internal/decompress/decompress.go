// Package decompress reads compressed input within limits, so that a small
// hostile file cannot expand into gigabytes of memory, disk or work: a gzip
// stream (the importer's .gz files and stdin, the audit's result files) is
// cut off once its decompressed bytes pass a ratio of its compressed size
// or a total, and a zip archive (a case bundle) is checked from its central
// directory before any member is read: the number of members, their
// declared sizes, ratio and total, their compression methods, and members
// whose data overlap. Members are then read through the same bounded
// reader. The rule exists here once; nothing is ever extracted to disk.
//
// It may not import anything of tahqiq but the standard library.
package decompress

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// Defaults of Limits. The ratio applies beyond the floor, so that a small file
// that compresses unusually well (a few repeated lines) is never refused.
const (
	DefaultRatio   = 100      // decompressed bytes per compressed byte
	DefaultSize    = 16 << 30 // 16 GiB decompressed per input
	DefaultEntries = 250_000  // members of a zip archive
	DefaultFloor   = 8 << 20  // 8 MiB: always allowed, whatever the ratio
)

// Limits bound what a compressed input may expand to. Zero fields take the
// defaults.
type Limits struct {
	Ratio   int64 // decompressed bytes per compressed byte, beyond Floor
	Size    int64 // decompressed bytes of one input (a file; all of a zip's members together)
	Entries int   // members of a zip archive
	Floor   int64 // decompressed bytes always allowed, whatever the ratio
	// RatioFlag, SizeFlag and EntriesFlag name how the user raises each
	// limit (e.g. "--max-ratio"); a refusal cites them.
	RatioFlag, SizeFlag, EntriesFlag string
}

func (l Limits) ratio() int64 {
	if l.Ratio <= 0 {
		return DefaultRatio
	}
	return l.Ratio
}

func (l Limits) size() int64 {
	if l.Size <= 0 {
		return DefaultSize
	}
	return l.Size
}

func (l Limits) floor() int64 {
	if l.Floor <= 0 {
		return DefaultFloor
	}
	return l.Floor
}

func (l Limits) entries() int {
	if l.Entries <= 0 {
		return DefaultEntries
	}
	return l.Entries
}

// Allowed returns how many decompressed bytes compressed bytes of input
// may expand to: Ratio times as many, at least Floor, at most Size.
func (l Limits) Allowed(compressed int64) int64 {
	a := int64(math.MaxInt64)
	if r := l.ratio(); compressed < math.MaxInt64/r {
		a = max(compressed*r, l.floor())
	}
	return min(a, l.size())
}

// LimitError is a refusal: the input expands beyond its limit.
type LimitError struct {
	Name       string // the input, as the user named it
	Compressed int64  // its compressed size
	Declared   int64  // for a zip member: the size it declares (else 0: found while reading)
	Limit      int64  // the decompressed bytes it was allowed
	Ratio      int64  // the ratio in force
	ByRatio    bool   // the ratio set Limit (else the total)
	Flag       string // how to raise the limit that applied
	Entries    int    // for too many zip members: the cap (the other fields unused)
}

func (e *LimitError) Error() string {
	var s string
	switch {
	case e.Entries > 0:
		s = fmt.Sprintf("%s: more than %d members: refused before reading any", e.Name, e.Entries)
	case e.ByRatio && e.Declared > 0:
		s = fmt.Sprintf("%s: declares %s, more than %d times its compressed size (%s): refused as a possible decompression bomb", e.Name, Bytes(e.Declared), e.Ratio, Bytes(e.Compressed))
	case e.ByRatio:
		s = fmt.Sprintf("%s: expands beyond %s, more than %d times its compressed size (%s): refused as a possible decompression bomb", e.Name, Bytes(e.Limit), e.Ratio, Bytes(e.Compressed))
	case e.Declared > 0:
		s = fmt.Sprintf("%s: declares %s, more than %s: refused as a possible decompression bomb", e.Name, Bytes(e.Declared), Bytes(e.Limit))
	default:
		s = fmt.Sprintf("%s: expands beyond %s: refused as a possible decompression bomb", e.Name, Bytes(e.Limit))
	}
	if e.Flag != "" {
		s += "; for a large, trusted file raise " + e.Flag
	}
	return s
}

func (l Limits) refuse(name string, compressed, limit int64) *LimitError {
	e := &LimitError{Name: name, Compressed: compressed, Limit: limit, Ratio: l.ratio()}
	e.ByRatio = limit < l.size()
	if e.ByRatio {
		e.Flag = l.RatioFlag
	} else {
		e.Flag = l.SizeFlag
	}
	return e
}

// IsLimit reports whether err is (or wraps) a refusal by a limit.
func IsLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}

// Reader reads decompressed bytes and fails with a *LimitError, for good,
// once they pass what their compressed size allows.
type Reader struct {
	r      io.Reader
	n      int64 // decompressed bytes read
	limit  int64
	err    error // a refusal, sticky
	name   string
	member string // of a zip archive named name; "" for a stream
	closer io.Closer
	comp   int64
	l      Limits
}

// NewReader bounds r, the decompressed bytes of compressed bytes of input
// named name, by l.
func NewReader(name string, r io.Reader, compressed int64, l Limits) *Reader {
	return &Reader{r: r, limit: l.Allowed(compressed), name: name, comp: compressed, l: l}
}

// Read reads at most one byte beyond the limit, to tell an input that
// ends exactly at it from one that goes on.
func (b *Reader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if left := b.limit - b.n + 1; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		name := b.name
		if b.member != "" {
			name = fmt.Sprintf("%s: member %q", b.name, b.member)
		}
		b.err = b.l.refuse(name, b.comp, b.limit)
		return n - int(b.n-b.limit), b.err
	}
	return n, err
}

// Close closes the zip member a Reader reads (a gzip stream needs no
// closing).
func (b *Reader) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

// N returns the decompressed bytes read so far.
func (b *Reader) N() int64 { return b.n }

// Err returns the refusal, if the limit was passed.
func (b *Reader) Err() error { return b.err }

// Bytes formats a byte count for people: 512 B, 324 KiB, 31.6 MiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if v >= 100 || s[len(s)-2:] == ".0" {
		s = fmt.Sprintf("%.0f", v)
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}
