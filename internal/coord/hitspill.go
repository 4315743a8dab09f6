package coord

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// hitBytes is what a hit held by a HitCounter costs: 16 bytes, twice
// (the slice grows by doubling, and the garbage collector's headroom).
const hitBytes = 32

// A HitCounter is a participation reducer's side within a memory budget:
// it takes the hits of its accounts (Add) and returns those that qualify
// (Qualified), exactly as QualifiedAccounts over all of them. Beyond the
// budget its hits are sorted, their repeats dropped, and written as
// sorted runs of 16-byte records to the budget's temporary directory;
// Qualified merges the runs. Close removes them.
type HitCounter struct {
	spec   ParticipationSpec
	budget Budget
	hits   []PostHit
	runFiles
	Runs    int   // sorted runs written
	Spilled int64 // bytes written to them
}

// NewHitCounter returns a counter of spec's hits within b.
func NewHitCounter(spec ParticipationSpec, b Budget) *HitCounter {
	return &HitCounter{spec: spec, budget: b}
}

// Add takes one hit.
func (c *HitCounter) Add(h PostHit) error {
	c.hits = append(c.hits, h)
	if c.budget.Mem > 0 && int64(len(c.hits))*hitBytes > c.budget.Mem {
		return c.spill()
	}
	return nil
}

// sortedUnique sorts the hits held and drops their repeats.
func (c *HitCounter) sortedUnique() []PostHit {
	sortHits(c.hits)
	return slices.Compact(c.hits)
}

func (c *HitCounter) spill() error {
	f, err := c.create(c.budget.TempDir, "tahqiq-participation-", "hits-*.run", "posts in pairs")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var b [16]byte
	hits := c.sortedUnique()
	for _, h := range hits {
		putHit(b[:], h)
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("coord: spilling posts in pairs over the memory budget (--mem) to %s: %w", f.Name(), err)
	}
	c.Runs++
	c.Spilled += int64(16 * len(hits))
	c.hits = c.hits[:0]
	return nil
}

func putHit(b []byte, h PostHit) {
	binary.LittleEndian.PutUint32(b[0:], uint32(h.Acc))
	binary.LittleEndian.PutUint32(b[4:], uint32(h.Scope))
	binary.LittleEndian.PutUint32(b[8:], uint32(h.Post))
	binary.LittleEndian.PutUint32(b[12:], uint32(h.Rows))
}

func getHit(b []byte) PostHit {
	return PostHit{Acc: int32(binary.LittleEndian.Uint32(b[0:])), Scope: int32(binary.LittleEndian.Uint32(b[4:])),
		Post: int32(binary.LittleEndian.Uint32(b[8:])), Rows: int32(binary.LittleEndian.Uint32(b[12:]))}
}

// Qualified returns the accounts that qualify, as QualifiedAccounts does
// (indexes scope*Accounts+account, ascending), after the last Add.
func (c *HitCounter) Qualified() ([]int64, error) {
	if len(c.runs) == 0 {
		return QualifiedAccounts(c.spec, c.hits), nil
	}
	// the hits held are a run of their own, in memory
	last := c.sortedUnique()
	h := make(hitHeap, 0, len(c.runs)+1)
	for _, f := range c.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		h = append(h, &hitCursor{r: bufio.NewReaderSize(f, 1<<16), name: f.Name()})
	}
	h = append(h, &hitCursor{mem: last})
	live := h[:0]
	for _, cur := range h {
		ok, err := cur.next()
		if err != nil {
			return nil, err
		}
		if ok {
			live = append(live, cur)
		}
	}
	h = live
	heap.Init(&h)
	q := qualifier{spec: c.spec}
	for len(h) > 0 {
		cur := h[0]
		q.add(cur.h)
		ok, err := cur.next()
		if err != nil {
			return nil, err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return q.out, nil
}

// Close removes the runs written.
func (c *HitCounter) Close() error { return c.remove() }

// qualifier is QualifiedAccounts' count over hits handed in sorted
// order (sortHits), repeats allowed.
type qualifier struct {
	spec    ParticipationSpec
	prev    PostHit
	started bool
	n       int64
	out     []int64
}

func (q *qualifier) add(h PostHit) {
	if q.started && q.prev == h {
		return // the same post in pairs of another object
	}
	if q.started && (q.prev.Acc != h.Acc || q.prev.Scope != h.Scope) {
		q.n = 0
	}
	q.prev, q.started = h, true
	q.n += int64(h.Rows)
	if q.n >= int64(q.spec.Min) && q.n-int64(h.Rows) < int64(q.spec.Min) {
		q.out = append(q.out, int64(h.Scope)*int64(q.spec.Accounts)+int64(h.Acc))
	}
}

// hitCursor reads one sorted run of hits: a file's, or the one in memory.
type hitCursor struct {
	r    *bufio.Reader
	name string
	mem  []PostHit
	h    PostHit
	b    [16]byte
}

func (c *hitCursor) next() (bool, error) {
	if c.r == nil {
		if len(c.mem) == 0 {
			return false, nil
		}
		c.h, c.mem = c.mem[0], c.mem[1:]
		return true, nil
	}
	if _, err := io.ReadFull(c.r, c.b[:]); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("coord: reading back the posts in pairs spilled to %s: %w", c.name, err)
	}
	c.h = getHit(c.b[:])
	return true, nil
}

type hitHeap []*hitCursor

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	a, b := h[i].h, h[j].h
	if a.Scope != b.Scope {
		return a.Scope < b.Scope
	}
	if a.Acc != b.Acc {
		return a.Acc < b.Acc
	}
	if a.Post != b.Post {
		return a.Post < b.Post
	}
	return a.Rows < b.Rows
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(*hitCursor)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
