package stream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// The partials stream carries binary messages: JSON spent most of the
// reduce path's time on them. A message is
//
//	"TQP1" batch chunk chunks count partial*
//
// with every number a varint (signed: zig-zag) and each partial
//
//	A B pairs sumDt minDt first last fast
//	len(ByType) ByType*
//	len(Terms) (obj k tfBits)*       tfBits: the float64's bits, uvarint
//	len(PostsA) ΔPostsA*  len(PostsB) ΔPostsB*   (sorted, each after the first as the gap to the previous)
//
// decodePartials checks every length against the bytes left, so a
// damaged message is an error, never a panic or a huge allocation.

var partialsMagic = []byte("TQP1")

func appendPartial(b []byte, p *coord.EdgePartial) []byte {
	b = binary.AppendVarint(b, int64(p.A))
	b = binary.AppendVarint(b, int64(p.B))
	for _, x := range []int64{p.Pairs, p.SumDt, p.MinDt, p.First, p.Last, p.Fast} {
		b = binary.AppendVarint(b, x)
	}
	b = binary.AppendUvarint(b, uint64(len(p.ByType)))
	for _, x := range p.ByType {
		b = binary.AppendVarint(b, int64(x))
	}
	b = binary.AppendUvarint(b, uint64(len(p.Terms)))
	for _, t := range p.Terms {
		b = binary.AppendVarint(b, int64(t.Obj))
		b = binary.AppendVarint(b, int64(t.K))
		b = binary.AppendUvarint(b, math.Float64bits(t.TF))
	}
	for _, ps := range [2][]int32{p.PostsA, p.PostsB} {
		b = binary.AppendUvarint(b, uint64(len(ps)))
		prev := int64(0)
		for _, x := range ps {
			b = binary.AppendVarint(b, int64(x)-prev)
			prev = int64(x)
		}
	}
	return b
}

// encodePartials cuts ps into messages of about limit bytes (at least one
// message, empty when ps is), each with the header of chunk c of n.
func encodePartials(batch int, ps []coord.EdgePartial, limit int) [][]byte {
	ptrs := make([]*coord.EdgePartial, len(ps))
	for i := range ps {
		ptrs[i] = &ps[i]
	}
	return encodePartialPtrs(batch, ptrs, limit)
}

func encodePartialPtrs(batch int, ps []*coord.EdgePartial, limit int) [][]byte {
	var bodies [][]byte
	var counts []int
	var cur []byte
	n := 0
	for _, p := range ps {
		if n > 0 && len(cur) > limit {
			bodies, counts = append(bodies, cur), append(counts, n)
			cur, n = nil, 0
		}
		cur = appendPartial(cur, p)
		n++
	}
	bodies, counts = append(bodies, cur), append(counts, n)
	out := make([][]byte, len(bodies))
	for c, body := range bodies {
		h := append([]byte(nil), partialsMagic...)
		h = binary.AppendUvarint(h, uint64(batch))
		h = binary.AppendUvarint(h, uint64(c))
		h = binary.AppendUvarint(h, uint64(len(bodies)))
		h = binary.AppendUvarint(h, uint64(counts[c]))
		out[c] = append(h, body...)
	}
	return out
}

var errShort = errors.New("truncated")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return x
}

// int32 reads a signed varint that must fit in an int32.
func (r *reader) int32() int32 {
	x := r.varint()
	if x < math.MinInt32 || x > math.MaxInt32 {
		r.err = fmt.Errorf("number %d out of range", x)
	}
	return int32(x)
}

// count reads a length; every element takes at least min bytes.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)/min) {
		r.err = fmt.Errorf("length %d with %d bytes left", n, len(r.b))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// decodeHeader reads the header of a message of encodePartials: its
// batch, chunk and chunks in pm, and how many partials follow.
func decodeHeader(data []byte) (pm *partialsMsg, n int, r *reader, err error) {
	if len(data) < len(partialsMagic) || string(data[:len(partialsMagic)]) != string(partialsMagic) {
		return nil, 0, nil, errors.New("not a partials message")
	}
	r = &reader{b: data[len(partialsMagic):]}
	pm = &partialsMsg{}
	pm.Batch, pm.Chunk, pm.Chunks = int(r.uvarint()), int(r.uvarint()), int(r.uvarint())
	if r.err == nil && (pm.Batch > math.MaxInt32 || pm.Chunks > math.MaxInt32 || pm.Chunk >= pm.Chunks) {
		return nil, 0, nil, fmt.Errorf("partials message: chunk %d of %d", pm.Chunk, pm.Chunks)
	}
	n = r.count(12)
	if r.err != nil {
		return nil, 0, nil, fmt.Errorf("partials message: %w", r.err)
	}
	return pm, n, r, nil
}

// decodePartials reads one message of encodePartials.
func decodePartials(data []byte) (*partialsMsg, error) {
	pm, n, r, err := decodeHeader(data)
	if err != nil {
		return nil, err
	}
	pm.Partials = make([]coord.EdgePartial, n)
	// the lists of the message are cut from large blocks
	var ints coord.Int32s
	var terms []coord.ObjTerm
	for k := range n {
		p := &pm.Partials[k]
		p.A, p.B = r.int32(), r.int32()
		p.Pairs, p.SumDt, p.MinDt, p.First, p.Last, p.Fast = r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()
		p.ByType = ints.Take(r.count(1))
		for i := range p.ByType {
			p.ByType[i] = r.int32()
		}
		nt := r.count(3)
		if nt > len(terms) {
			terms = make([]coord.ObjTerm, max(nt, 1<<12))
		}
		p.Terms, terms = terms[:nt:nt], terms[nt:]
		for i := range p.Terms {
			p.Terms[i] = coord.ObjTerm{Obj: r.int32(), K: r.int32(), TF: math.Float64frombits(r.uvarint())}
		}
		for _, dst := range []*[]int32{&p.PostsA, &p.PostsB} {
			ps := ints.Take(r.count(1))
			prev := int64(0)
			for i := range ps {
				d := r.varint()
				if i > 0 && d <= 0 && r.err == nil {
					r.err = errors.New("posts not in increasing order")
				}
				prev += d
				if (prev < 0 || prev > math.MaxInt32) && r.err == nil {
					r.err = fmt.Errorf("post id %d out of range", prev)
				}
				ps[i] = int32(prev)
			}
			*dst = ps
		}
		if r.err != nil {
			return nil, fmt.Errorf("partials message: partial %d of %d: %w", k, n, r.err)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("partials message: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("partials message: %d bytes after the last partial", len(r.b))
	}
	return pm, nil
}
