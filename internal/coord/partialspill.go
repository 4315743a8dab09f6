package coord

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// PartialMerger merges the partials of an account-pair partition (a
// reducer's work on the reduce path) within a memory budget, as the run
// in one process does with its pairs (spill.go): the merged partials are
// held in a map until their estimated size reaches the budget; then they
// are written, sorted by account pair, as a run to a temporary file (in
// Budget.TempDir, the same directory convention as the pairs' runs) and
// the map starts empty. Each hands out the partition's merged partials in
// account-pair order: from the map when nothing was spilled, else by a
// k-way merge of the runs (and what the map holds at the end, spilled as
// a last run), merging the partials of an account pair that several runs
// hold. Each partial's terms come out in object order, so the bytes
// handed on do not depend on the order the partials arrived in, nor on
// the budget.
type PartialMerger struct {
	budget Budget
	merged map[uint64]*EdgePartial
	bytes  int64          // estimated size of merged
	cache  []*EdgePartial // merged, sorted (nil: not yet, or changed since)
	runFiles
	// Spilled counts the bytes written to runs, Runs the runs.
	Spilled int64
	Runs    int
}

// NewPartialMerger returns a merger that holds at most about b.Mem bytes
// of partials in memory (b.Mem <= 0: no limit, never spills).
func NewPartialMerger(b Budget) *PartialMerger {
	return &PartialMerger{budget: b, merged: map[uint64]*EdgePartial{}}
}

// partialBytes estimates what p costs held in the merger's map: the map
// entry and the struct, and its lists.
func partialBytes(p *EdgePartial) int64 {
	return 200 + 4*int64(len(p.ByType)+len(p.PostsA)+len(p.PostsB)) + 24*int64(len(p.Terms))
}

// Add merges p (compact; the merger may keep it) into the partition.
func (m *PartialMerger) Add(p *EdgePartial) error {
	m.cache = nil
	if x, ok := m.merged[p.Key()]; ok {
		before := partialBytes(x)
		x.Merge(p)
		m.bytes += partialBytes(x) - before
	} else {
		m.merged[p.Key()] = p
		m.bytes += partialBytes(p)
	}
	if m.budget.Mem > 0 && m.bytes > m.budget.Mem && len(m.merged) > 1 {
		return m.spill()
	}
	return nil
}

// Len is the number of account pairs held in memory now.
func (m *PartialMerger) Len() int { return len(m.merged) }

// sorted returns the partials held in memory in account-pair order, each
// with its terms in object order (the keys sorted as numbers, then looked
// up: sorting the partials by their keys chased every pointer).
func (m *PartialMerger) sorted() []*EdgePartial {
	if m.cache != nil {
		return m.cache
	}
	keys := make([]uint64, 0, len(m.merged))
	for k := range m.merged {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*EdgePartial, len(keys))
	for i, k := range keys {
		p := m.merged[k]
		sortTerms(p)
		out[i] = p
	}
	m.cache = out
	return out
}

// Sorted returns the merged partials in account-pair order, as Each
// hands them out, when none was spilled (ok false: use Each).
func (m *PartialMerger) Sorted() (ps []*EdgePartial, ok bool) {
	if len(m.runs) > 0 {
		return nil, false
	}
	return m.sorted(), true
}

func sortTerms(p *EdgePartial) {
	byObj := func(a, b ObjTerm) int { return cmp.Compare(a.Obj, b.Obj) }
	if !slices.IsSortedFunc(p.Terms, byObj) {
		slices.SortStableFunc(p.Terms, byObj)
	}
}

// spillBlock is how many partials a block of a run holds: a block is
// decoded at once (decoding one partial at a time allocated the decoder's
// blocks of lists for each, and took minutes at 3M posts).
const spillBlock = 1024

// spill writes the map as one sorted run: blocks of up to spillBlock
// partials, each as its length in bytes and its number of partials
// (uvarints) and the partials' binary form (AppendBinary).
func (m *PartialMerger) spill() error {
	f, err := m.create(m.budget.TempDir, "tahqiq-reduce-", "partials-*.run", "partials")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var b, h []byte
	k := 0
	flush := func() {
		h = binary.AppendUvarint(h[:0], uint64(len(b)))
		h = binary.AppendUvarint(h, uint64(k))
		w.Write(h)
		w.Write(b)
		m.Spilled += int64(len(h) + len(b))
		b, k = b[:0], 0
	}
	for _, p := range m.sorted() {
		b, _ = p.AppendBinary(b)
		if k++; k == spillBlock {
			flush()
		}
	}
	if k > 0 {
		flush()
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("coord: spilling partials over the memory budget (--mem) to %s: %w", f.Name(), err)
	}
	m.Runs++
	m.merged = map[uint64]*EdgePartial{} // let the old buckets go
	m.cache = nil
	m.bytes = 0
	return nil
}

// Spill writes the partials held in memory to disk as a sorted run (a
// partition that waits, so that its memory goes to other work); Each
// merges them back.
func (m *PartialMerger) Spill() error {
	if len(m.merged) == 0 {
		return nil
	}
	return m.spill()
}

// Each calls fn with every merged partial of the partition in account-pair
// order (after the last Add; it may be called again). An error of fn
// stops it and is returned.
func (m *PartialMerger) Each(fn func(*EdgePartial) error) error {
	if len(m.runs) == 0 {
		for _, p := range m.sorted() {
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	}
	if len(m.merged) > 0 {
		if err := m.spill(); err != nil {
			return err
		}
	}
	h := make(partialHeap, 0, len(m.runs))
	for _, f := range m.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		c := &partialCursor{r: bufio.NewReaderSize(f, 1<<16), name: f.Name()}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		p := h[0].p
		for {
			c := h[0]
			if c.p != p {
				if c.p.Key() != p.Key() {
					break
				}
				p.Merge(c.p)
			}
			ok, err := c.next()
			if err != nil {
				return err
			}
			if ok {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
			if len(h) == 0 {
				break
			}
		}
		sortTerms(p)
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// Close removes the runs.
func (m *PartialMerger) Close() {
	m.remove()
	m.merged, m.cache = nil, nil
}

// partialCursor reads one sorted run of partials, a block at a time.
type partialCursor struct {
	r     *bufio.Reader
	name  string
	buf   []byte
	block []EdgePartial
	p     *EdgePartial
}

func (c *partialCursor) next() (bool, error) {
	if len(c.block) == 0 {
		n, err := binary.ReadUvarint(c.r)
		if err == io.EOF {
			return false, nil
		}
		var k uint64
		if err == nil {
			k, err = binary.ReadUvarint(c.r)
		}
		if err == nil && (n > 1<<30 || k > spillBlock) {
			err = fmt.Errorf("a block of %d partials in %d bytes", k, n)
		}
		if err == nil {
			c.buf = slices.Grow(c.buf[:0], int(n))[:n]
			_, err = io.ReadFull(c.r, c.buf)
		}
		if err == nil {
			c.block, err = DecodePartials(c.buf, int(k))
		}
		if err == nil && len(c.block) == 0 {
			err = errors.New("an empty block")
		}
		if err != nil {
			return false, fmt.Errorf("coord: reading back %s: %w", c.name, err)
		}
	}
	c.p = &c.block[0]
	c.block = c.block[1:]
	return true, nil
}

type partialHeap []*partialCursor

func (h partialHeap) Len() int           { return len(h) }
func (h partialHeap) Less(a, b int) bool { return h[a].p.Key() < h[b].p.Key() }
func (h partialHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *partialHeap) Push(x any)        { *h = append(*h, x.(*partialCursor)) }
func (h *partialHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
