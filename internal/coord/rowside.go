package coord

import (
	"strings"
	"unsafe"

	"github.com/tahqiq/tahqiq"
)

// The rows' side of a Collector: the rows of the shares a read adds are
// made on a goroutine of their own, a batch behind the records. The
// caller's goroutine (the read's strand: storeimport.Add in file order)
// queues each row's type, object, account, post and time in a batch; a
// full batch goes to a goroutine started for it once the batch before it
// is done (one at a time, in order: no goroutine waits between batches,
// so a collector let go leaves nothing running). The side owns the
// objects' tables, the rows, the used accounts and posts, and the rows'
// spill (checkRows); the caller's goroutine owns the accounts, the posts
// and the posts' runs. Each reads what the other holds only at a handoff,
// when the side is idle: the caller's goroutine then notes the side's
// tables, its spill and its failure, and the side the caller's tables
// (mainSeen), for the budget's checks.

// rowBatchLen is how many rows a batch carries (a variable for the
// tests: the posts' budget is checked once the side's rows spill, which
// the caller's goroutine learns at a handoff).
var rowBatchLen = 4096

// queued is one row of a batch, its object's value aside.
type queued struct {
	typ  tahqiq.ObjectType // one of rowFeed.types: a copy owned by the collector
	acc  int32
	post int32
	t    int64
}

// rowBatch is the rows queued for the side: the i-th row's object value
// is buf[ends[i-1]:ends[i]] (copied: the read reuses its record's
// strings).
type rowBatch struct {
	rows []queued
	ends []int
	buf  []byte
}

// value returns the object of row i, which starts at start (the end of
// the row before): in b's buffer, valid until b is filled again (the
// objects' table keeps a copy of a name it adds).
func (b *rowBatch) value(i, start int) string {
	if start == b.ends[i] {
		return ""
	}
	return unsafe.String(&b.buf[start], b.ends[i]-start)
}

// rowFeed is the caller's goroutine's end of the side.
type rowFeed struct {
	filling  *rowBatch     // being filled
	inflight *rowBatch     // the side's
	spare    *rowBatch     // done with, to be filled again
	busy     chan struct{} // closed when the side is done with inflight (nil: idle)
	types    []tahqiq.ObjectType

	// the side as of the last handoff
	sideSeen int64 // its tables (checkPosts)
	spilling bool  // its rows go to disk
	err      error // its first failure
}

// queue adds a row to the batch being filled and hands the batch to the
// side once it is full.
func (c *Collector) queue(post, acc int32, t int64, typ tahqiq.ObjectType, value string) {
	f := &c.feed
	b := f.filling
	if b == nil {
		b = f.spare
		if b == nil {
			b = &rowBatch{rows: make([]queued, 0, rowBatchLen), ends: make([]int, 0, rowBatchLen)}
		}
		f.filling, f.spare = b, nil
	}
	b.rows = append(b.rows, queued{typ: f.stable(typ), acc: acc, post: post, t: t})
	b.buf = append(b.buf, value...)
	b.ends = append(b.ends, len(b.buf))
	if len(b.rows) == rowBatchLen {
		c.handoff()
	}
}

// stable returns the collector's copy of type t.
func (f *rowFeed) stable(t tahqiq.ObjectType) tahqiq.ObjectType {
	for _, x := range f.types {
		if x == t {
			return x
		}
	}
	x := tahqiq.ObjectType(strings.Clone(string(t)))
	f.types = append(f.types, x)
	return x
}

// handoff waits for the side to finish its batch, then gives it the one
// being filled.
func (c *Collector) handoff() {
	f := &c.feed
	c.wait()
	b := f.filling
	if b == nil || len(b.rows) == 0 {
		return
	}
	f.filling = nil
	c.mainSeen = c.mainTableBytes()
	done := make(chan struct{})
	f.busy, f.inflight = done, b
	go func() {
		defer close(done)
		c.addRows(b)
	}()
}

// wait waits until the side is idle and notes what it holds.
func (c *Collector) wait() {
	f := &c.feed
	if f.busy == nil {
		return
	}
	<-f.busy
	b := f.inflight
	b.rows, b.ends, b.buf = b.rows[:0], b.ends[:0], b.buf[:0]
	f.busy, f.inflight, f.spare = nil, nil, b
	f.sideSeen = c.sideTableBytes()
	f.spilling = c.spill != nil
	if f.err == nil {
		f.err = c.err
	}
}

// flush makes the rows of every share added and waits for them: the side
// is idle after it, and c's rows, objects and spill are the caller's.
func (c *Collector) flush() {
	c.handoff()
	c.wait()
}

// failed returns the first failure of either side (as of the last
// handoff for the rows' side).
func (c *Collector) failed() error {
	if c.postErr != nil {
		return c.postErr
	}
	return c.feed.err
}
