package coord

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Partial edges: the one way kept pairs become edges. Whatever the
// engine, the kept pairs of an account pair are folded into an
// EdgePartial (fold.add, in object order), partials of the same account
// pair over other objects are merged (Merge), and a partial over all of
// them becomes the Edge (edge). In process the pairs are sorted by
// account pair and each run of them is folded into one reused partial;
// on the reduce path the workers fold each task's objects, their
// reducers merge, and the partials travel between them in the binary
// form below (AppendBinary, decodePartial).

// EdgePartial is the partial aggregate of one account pair over some
// objects. Merging the partials of every object gives the edge.
type EdgePartial struct {
	A      int32     `json:"a"`
	B      int32     `json:"b"`
	Pairs  int64     `json:"n"`
	SumDt  int64     `json:"sdt"`
	MinDt  int64     `json:"mdt"`
	First  int64     `json:"f"`
	Last   int64     `json:"l"`
	Fast   int64     `json:"fast,omitempty"`
	ByType []int32   `json:"bt"`
	Terms  []ObjTerm `json:"ot"`
	PostsA []int32   `json:"pa"` // distinct posts of A in the pairs, sorted
	PostsB []int32   `json:"pb"`
}

// ObjTerm is what one object adds to an edge besides counts: the number
// of accounts in the object's kept pairs (collab adds 1/(K-1)) and the
// TF-IDF product of the edge's first pair in the object.
type ObjTerm struct {
	Obj int32   `json:"o"`
	K   int32   `json:"k"`
	TF  float64 `json:"tf,omitempty"`
}

// Key is the account pair as one number, A in the high half.
func (e *EdgePartial) Key() uint64 { return uint64(uint32(e.A))<<32 | uint64(uint32(e.B)) }

// reset makes e the partial of accounts a < b over no pair, keeping the
// room of its lists (ByType keeps its length, zeroed).
func (e *EdgePartial) reset(a, b int32) {
	clear(e.ByType)
	*e = EdgePartial{A: a, B: b, MinDt: math.MaxInt64, First: math.MaxInt64, Last: math.MinInt64,
		ByType: e.ByType, Terms: e.Terms[:0], PostsA: e.PostsA[:0], PostsB: e.PostsB[:0]}
}

// fold adds kept pairs to partials, cutting the partials' short lists
// from large blocks: one allocation for thousands of partials (the
// garbage collector's work, not the copying, dominated the reduce path).
// A list it gives has no room to grow: an append copies it elsewhere,
// never into its neighbour.
type fold struct {
	ints  []int32
	terms []ObjTerm
	t0    int64 // the time rows' offsets count from (interned.t0)
}

// int32s returns a zeroed slice of n.
func (f *fold) int32s(n int) []int32 {
	if n > len(f.ints) {
		f.ints = make([]int32, max(n, 1<<14))
	}
	s := f.ints[:n:n]
	f.ints = f.ints[n:]
	return s
}

// start makes *e the partial of accounts a < b over no pair, with room
// for ntypes per-type counts.
func (f *fold) start(e *EdgePartial, a, b int32, ntypes int) {
	*e = EdgePartial{ByType: f.int32s(ntypes), PostsA: f.int32s(1)[:0], PostsB: f.int32s(1)[:0]}
	e.reset(a, b)
}

// add folds one kept pair into e: row ra of account A and row rb of B,
// of object obj whose type is the run's type typ. When it is e's first
// pair of the object (add reports it) the object's term is added: k, the
// accounts in the object's kept pairs (0 when not known yet: the caller
// sets it once the object is done), and tf, the TF-IDF product of the
// pair's rows. fast: the pair belongs to the fast layer. Pairs come in
// object order, so the terms are in object order.
func (f *fold) add(e *EdgePartial, ra, rb *row, obj, typ, k int32, tf float64, fast bool) (first bool) {
	ta, tb := f.t0+int64(ra.t), f.t0+int64(rb.t)
	dt := tb - ta
	if dt < 0 {
		dt = -dt
	}
	e.Pairs++
	e.SumDt += dt
	e.MinDt = min(e.MinDt, dt)
	e.First = min(e.First, ta, tb)
	e.Last = max(e.Last, ta, tb)
	if n := len(e.Terms); n == 0 || e.Terms[n-1].Obj != obj {
		if cap(e.Terms) == 0 {
			if len(f.terms) == 0 {
				f.terms = make([]ObjTerm, 1<<12)
			}
			e.Terms, f.terms = f.terms[:0:1], f.terms[1:]
		}
		e.Terms = append(e.Terms, ObjTerm{Obj: obj, K: k, TF: tf})
		e.ByType[typ]++
		first = true
	}
	if fast {
		e.Fast++
	}
	e.PostsA = append(e.PostsA, ra.post)
	e.PostsB = append(e.PostsB, rb.post)
	return first
}

// compact makes e's lists of posts sets (sorted, each post once), as the
// pairs added them with repeats.
func (e *EdgePartial) compact() {
	for _, ps := range []*[]int32{&e.PostsA, &e.PostsB} {
		if len(*ps) > 1 {
			slices.Sort(*ps)
			*ps = slices.Compact(*ps)
		}
	}
}

// Merge adds o (of other objects) into e; both are compact.
func (e *EdgePartial) Merge(o *EdgePartial) {
	e.Pairs += o.Pairs
	e.SumDt += o.SumDt
	e.MinDt = min(e.MinDt, o.MinDt)
	e.First = min(e.First, o.First)
	e.Last = max(e.Last, o.Last)
	e.Fast += o.Fast
	for i := range min(len(e.ByType), len(o.ByType)) {
		e.ByType[i] += o.ByType[i]
	}
	e.Terms = append(e.Terms, o.Terms...)
	e.PostsA = union(e.PostsA, o.PostsA)
	e.PostsB = union(e.PostsB, o.PostsB)
}

// union merges two sorted sets.
func union(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// edge returns the Edge of e, a compact partial over all of its account
// pair's kept pairs, with its per-type counts copied into byType. The
// objects' terms are summed in object order (the order the fold adds
// them in process), so that every engine gives the same floats; tf holds
// the run's TF-IDF norms (nil: no TF-IDF weight).
func (e *EdgePartial) edge(bt int32, byType []int32, tf *tfidf) Edge {
	byObj := func(a, b ObjTerm) int { return cmp.Compare(a.Obj, b.Obj) }
	if !slices.IsSortedFunc(e.Terms, byObj) {
		slices.SortStableFunc(e.Terms, byObj)
	}
	out := Edge{A: e.A, B: e.B, Pairs: e.Pairs, Objects: int32(len(e.Terms)), bt: bt, SumDt: e.SumDt, MinDt: e.MinDt,
		First: e.First, Last: e.Last, PostsA: int32(len(e.PostsA)), PostsB: int32(len(e.PostsB)), Fast: e.Fast}
	copy(byType, e.ByType)
	// the weights that are not counts (see Edge.Weight): TF-IDF when the
	// norms are given, else collab
	var collab, tfw float64
	for _, t := range e.Terms {
		if t.K > 1 {
			collab += 1 / float64(t.K-1)
		}
		if tf != nil {
			tfw += t.TF
		}
	}
	out.Weight = collab
	if tf != nil {
		if d := tf.norm[e.A] * tf.norm[e.B]; d > 0 {
			tfw /= d
		}
		out.Weight = tfw
	}
	return out
}

// The binary form of a partial (the reduce path's messages carry a
// sequence of them), every number a varint (signed: zig-zag):
//
//	A B pairs sumDt minDt first last fast
//	len(ByType) ByType*
//	len(Terms) (obj k tfBits)*       tfBits: the float64's bits, uvarint
//	len(PostsA) ΔPostsA*  len(PostsB) ΔPostsB*   (sorted, each after the first as the gap to the previous)

// AppendBinary appends the binary form of e (compact) to b.
func (e *EdgePartial) AppendBinary(b []byte) ([]byte, error) {
	b = binary.AppendVarint(b, int64(e.A))
	b = binary.AppendVarint(b, int64(e.B))
	for _, x := range []int64{e.Pairs, e.SumDt, e.MinDt, e.First, e.Last, e.Fast} {
		b = binary.AppendVarint(b, x)
	}
	b = binary.AppendUvarint(b, uint64(len(e.ByType)))
	for _, x := range e.ByType {
		b = binary.AppendVarint(b, int64(x))
	}
	b = binary.AppendUvarint(b, uint64(len(e.Terms)))
	for _, t := range e.Terms {
		b = binary.AppendVarint(b, int64(t.Obj))
		b = binary.AppendVarint(b, int64(t.K))
		b = binary.AppendUvarint(b, math.Float64bits(t.TF))
	}
	for _, ps := range [2][]int32{e.PostsA, e.PostsB} {
		b = binary.AppendUvarint(b, uint64(len(ps)))
		prev := int64(0)
		for _, x := range ps {
			b = binary.AppendVarint(b, int64(x)-prev)
			prev = int64(x)
		}
	}
	return b, nil
}

// DecodePartials reads n partials in binary form from data, which must
// hold them and nothing else. Every length is checked against the bytes
// left, so damaged data is an error, never a panic or a huge allocation.
func DecodePartials(data []byte, n int) ([]EdgePartial, error) {
	if n < 0 || n > len(data)/12 {
		return nil, fmt.Errorf("%d partials in %d bytes", n, len(data))
	}
	r := &reader{b: data}
	out := make([]EdgePartial, n)
	var f fold // the lists of the message are cut from large blocks
	for k := range n {
		p := &out[k]
		p.A, p.B = r.int32(), r.int32()
		p.Pairs, p.SumDt, p.MinDt, p.First, p.Last, p.Fast = r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()
		p.ByType = f.int32s(r.count(1))
		for i := range p.ByType {
			p.ByType[i] = r.int32()
		}
		nt := r.count(3)
		if nt > len(f.terms) {
			f.terms = make([]ObjTerm, max(nt, 1<<12))
		}
		p.Terms, f.terms = f.terms[:nt:nt], f.terms[nt:]
		for i := range p.Terms {
			p.Terms[i] = ObjTerm{Obj: r.int32(), K: r.int32(), TF: math.Float64frombits(r.uvarint())}
		}
		for _, dst := range []*[]int32{&p.PostsA, &p.PostsB} {
			ps := f.int32s(r.count(1))
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
			return nil, fmt.Errorf("partial %d of %d: %w", k, n, r.err)
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the last partial", len(r.b))
	}
	return out, nil
}

var errShort = errors.New("truncated")

// reader reads varints, keeping the first error.
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
