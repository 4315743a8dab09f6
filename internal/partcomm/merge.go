package partcomm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Reader hands one partition's sums in increasing key order; Next returns
// io.EOF after the last.
type Reader interface {
	Next() (Record, error)
}

// Partitions is how the coordinator reaches the partitions of a graph.
type Partitions interface {
	// Sums has every partition compute its sums of step under labels
	// (Sums) and returns one Reader of them per partition, in partition
	// order. Readers that are io.Closers are closed when read.
	Sums(ctx context.Context, step Step, labels []int32) ([]Reader, error)
}

// SliceReader reads sums held in memory.
type SliceReader struct {
	recs []Record
	i    int
}

// NewSliceReader returns a Reader of recs, which must be in key order.
func NewSliceReader(recs []Record) *SliceReader { return &SliceReader{recs: recs} }

// Next implements Reader.
func (s *SliceReader) Next() (Record, error) {
	if s.i >= len(s.recs) {
		return Record{}, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}

// Local is Partitions over edge partitions in this process: each step's
// sums are computed by Workers goroutines (1 when 0), one partition at a
// time each.
type Local struct {
	Parts   []Edges
	Workers int
}

// Sums implements Partitions.
func (l *Local) Sums(ctx context.Context, step Step, labels []int32) ([]Reader, error) {
	out := make([]Reader, len(l.Parts))
	errs := make([]error, len(l.Parts))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(l.Workers, 1) {
		wg.Go(func() {
			for k := range next {
				if err := ctx.Err(); err != nil {
					errs[k] = err
					continue
				}
				recs, err := Sums(l.Parts[k], step, labels)
				if err != nil {
					errs[k] = fmt.Errorf("partition %d: %w", k, err)
					continue
				}
				out[k] = NewSliceReader(recs)
			}
		})
	}
	for k := range l.Parts {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// merger merges the partitions' sorted sums into one record a key, the
// weights added in partition order (so that the float sum does not depend
// on which partition answered first).
type merger struct {
	rs   []Reader
	h    mergeHeap
	last []uint64 // each reader's last key, to check the order
	seen []bool
}

type mergeItem struct {
	r    Record
	part int
}

// mergeHeap is a min-heap of the partitions' next records by (key,
// partition), typed (container/heap would box every record).
type mergeHeap []mergeItem

func (h mergeHeap) less(i, j int) bool {
	if a, b := h[i].r.key(), h[j].r.key(); a != b {
		return a < b
	}
	return h[i].part < h[j].part
}

func (h *mergeHeap) push(x mergeItem) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *mergeHeap) pop() mergeItem {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r := l + 1; r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

func newMerger(rs []Reader) (*merger, error) {
	m := &merger{rs: rs, last: make([]uint64, len(rs)), seen: make([]bool, len(rs))}
	for k := range rs {
		if err := m.pull(k); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// pull reads partition k's next record onto the heap.
func (m *merger) pull(k int) error {
	r, err := m.rs[k].Next()
	if err == io.EOF {
		if c, ok := m.rs[k].(io.Closer); ok {
			return c.Close()
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("partcomm: the sums of partition %d: %w", k, err)
	}
	if m.seen[k] && r.key() <= m.last[k] {
		return fmt.Errorf("partcomm: the sums of partition %d are not in key order: (%d, %d) after (%d, %d)", k, r.A, r.B, int32(m.last[k]>>32), int32(uint32(m.last[k])))
	}
	m.seen[k], m.last[k] = true, r.key()
	m.h.push(mergeItem{r, k})
	return nil
}

// next returns the next key's record, summed over the partitions, and
// false at the end.
func (m *merger) next() (Record, bool, error) {
	if len(m.h) == 0 {
		return Record{}, false, nil
	}
	it := m.h.pop()
	out := it.r
	if err := m.pull(it.part); err != nil {
		return out, false, err
	}
	for len(m.h) > 0 && m.h[0].r.key() == out.key() {
		it := m.h.pop()
		out.W += it.r.W
		out.N += it.r.N
		if err := m.pull(it.part); err != nil {
			return out, false, err
		}
	}
	return out, true, nil
}

// closeAll closes the readers that are io.Closers (a merge that stopped
// early).
func closeAll(rs []Reader) {
	for _, r := range rs {
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
	}
}
