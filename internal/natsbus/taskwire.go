package natsbus

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// Map tasks of the reduce path and of a participation round travel in
// binary: decoding them as JSON cost a worker more than pairing them (0.9
// of its CPU-seconds at 1M). A message is
//
//	"TQT1" header objects
//
// header: an unsigned varint n, then n bytes of JSON with the task's
// run, batch, mode, reduce partitions and spec (a few hundred bytes a
// task). objects: an unsigned varint count, then per object:
//
//	obj type (varints) rows (uvarint) row* jaccard (8 bytes, float64 bits, little-endian)
//	tokens (uvarint: 0 or rows) tokenset* typename value (strings) posts (uvarint) post*
//
// a row: account, post, time minus the previous row's (the first: minus
// 0), flags, as signed varints; a token set: its length, then its tokens
// as unsigned varints; a string: its length as an unsigned varint, then
// its bytes. decodeTask checks every count against the bytes left, so a
// damaged task is an error, never a panic or a huge allocation.

var taskMagic = []byte("TQT1")

// taskHeader is the JSON head of a binary task.
type taskHeader struct {
	Run     string                   `json:"run"`
	Batch   int                      `json:"batch"`
	Mode    string                   `json:"mode"`
	Reduces int                      `json:"reduces"`
	Spec    *coord.ReduceSpec        `json:"spec,omitempty"`
	PSpec   *coord.ParticipationSpec `json:"pspec,omitempty"`
}

// encodeTask writes a reduce-path or participation task in binary.
func encodeTask(t *task) ([]byte, error) {
	head, err := json.Marshal(taskHeader{Run: t.Run, Batch: t.Batch, Mode: t.Mode, Reduces: t.Reduces, Spec: t.Spec, PSpec: t.PSpec})
	if err != nil {
		return nil, err
	}
	b := append([]byte(nil), taskMagic...)
	b = binary.AppendUvarint(b, uint64(len(head)))
	b = append(b, head...)
	b = binary.AppendUvarint(b, uint64(len(t.RObjects)))
	for i := range t.RObjects {
		b = appendObject(b, &t.RObjects[i])
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendObject(b []byte, o *coord.ReduceObject) []byte {
	b = binary.AppendVarint(b, int64(o.Obj))
	b = binary.AppendVarint(b, int64(o.Type))
	b = binary.AppendUvarint(b, uint64(len(o.Rows)))
	prev := int64(0)
	for _, r := range o.Rows {
		b = binary.AppendVarint(b, r[0])
		b = binary.AppendVarint(b, r[1])
		b = binary.AppendVarint(b, r[2]-prev) // wraps, and unwraps the same
		b = binary.AppendVarint(b, r[3])
		prev = r[2]
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(o.Jaccard))
	b = binary.AppendUvarint(b, uint64(len(o.Tokens)))
	for _, ks := range o.Tokens {
		b = binary.AppendUvarint(b, uint64(len(ks)))
		for _, k := range ks {
			b = binary.AppendUvarint(b, k)
		}
	}
	b = appendString(b, o.TypeName)
	b = appendString(b, o.Value)
	b = binary.AppendUvarint(b, uint64(len(o.Posts)))
	for _, p := range o.Posts {
		b = appendString(b, p)
	}
	return b
}

// isBinaryTask reports whether data is a task of encodeTask.
func isBinaryTask(data []byte) bool { return bytes.HasPrefix(data, taskMagic) }

// taskReader reads a binary task; its strings are cut from one copy of
// the message (one allocation for all of a task's post UIDs).
type taskReader struct {
	s   string // the message, as a string
	off int
	err error
}

var errTaskTruncated = errors.New("truncated")

func (r *taskReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *taskReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var x uint64
	var s uint
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if r.off >= len(r.s) {
			r.fail(errTaskTruncated)
			return 0
		}
		c := r.s[r.off]
		r.off++
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				r.fail(errors.New("a number overflows 64 bits"))
				return 0
			}
			return x | uint64(c)<<s
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	r.fail(errors.New("a number overflows 64 bits"))
	return 0
}

func (r *taskReader) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a count of items taking at least min bytes each, refusing
// one the bytes left cannot hold.
func (r *taskReader) count(what string, min int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64((len(r.s)-r.off)/min) {
		r.fail(fmt.Errorf("%d %s in %d bytes", n, what, len(r.s)-r.off))
		return 0
	}
	return int(n)
}

func (r *taskReader) str() string {
	n := r.count("bytes", 1)
	if r.err != nil {
		return ""
	}
	s := r.s[r.off : r.off+n]
	r.off += n
	return s
}

// int32 reads a signed varint that must fit 32 bits.
func (r *taskReader) int32(what string) int32 {
	x := r.varint()
	if x < math.MinInt32 || x > math.MaxInt32 {
		r.fail(fmt.Errorf("%s %d out of range", what, x))
		return 0
	}
	return int32(x)
}

// decodeTask reads a task of encodeTask.
func decodeTask(data []byte) (*task, error) {
	if !isBinaryTask(data) {
		return nil, errors.New("not a binary task")
	}
	r := &taskReader{s: string(data), off: len(taskMagic)}
	n := r.count("bytes of header", 1)
	if r.err != nil {
		return nil, fmt.Errorf("binary task: header: %w", r.err)
	}
	var h taskHeader
	if err := json.Unmarshal([]byte(r.s[r.off:r.off+n]), &h); err != nil {
		return nil, fmt.Errorf("binary task: header: %w", err)
	}
	r.off += n
	t := &task{Run: h.Run, Batch: h.Batch, Mode: h.Mode, Reduces: h.Reduces, Spec: h.Spec, PSpec: h.PSpec}
	// an object takes 14 bytes at least (two numbers, a count, the
	// threshold's 8 bytes, a count of token sets, two strings, a count of
	// posts: 7 of them a byte at least)
	nobj := r.count("objects", 15)
	if nobj > 0 {
		t.RObjects = make([]coord.ReduceObject, nobj)
	}
	for i := 0; i < nobj && r.err == nil; i++ {
		o := &t.RObjects[i]
		o.Obj = r.int32("object id")
		o.Type = r.int32("type")
		rows := r.count("rows", 4)
		if rows > 0 {
			o.Rows = make([]coord.ReduceRow, rows)
		}
		prev := int64(0)
		for k := 0; k < rows && r.err == nil; k++ {
			row := &o.Rows[k]
			row[0] = r.varint()
			row[1] = r.varint()
			prev += r.varint()
			row[2] = prev
			row[3] = r.varint()
		}
		if r.err == nil && len(r.s)-r.off < 8 {
			r.fail(errTaskTruncated)
		}
		if r.err != nil {
			break
		}
		o.Jaccard = math.Float64frombits(binary.LittleEndian.Uint64([]byte(r.s[r.off : r.off+8])))
		r.off += 8
		if nt := r.count("token sets", 1); nt > 0 {
			if nt != rows {
				r.fail(fmt.Errorf("%d token sets for %d rows", nt, rows))
				break
			}
			o.Tokens = make([][]uint64, nt)
			for k := 0; k < nt && r.err == nil; k++ {
				nk := r.count("tokens", 1)
				ks := make([]uint64, nk)
				for j := range ks {
					ks[j] = r.uvarint()
				}
				o.Tokens[k] = ks
			}
		}
		o.TypeName = r.str()
		o.Value = r.str()
		if np := r.count("post ids", 1); np > 0 {
			o.Posts = make([]string, np)
			for k := range o.Posts {
				o.Posts[k] = r.str()
			}
		}
	}
	if r.err == nil && r.off != len(r.s) {
		r.fail(fmt.Errorf("%d bytes after the last object", len(r.s)-r.off))
	}
	if r.err != nil {
		return nil, fmt.Errorf("binary task: %w", r.err)
	}
	return t, nil
}
