package coord

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// The memory budget of a run in this process. The kept pairs are made
// object by object into a buffer; while the buffer stays within the
// budget's share for pairs, the run folds them in memory as it always
// did. When it would outgrow that share, the buffer is sorted by account
// pair and written to a temporary file (a sorted run), and the pairs go
// on into an empty buffer; at the end the runs are merged (a k-way merge
// on (A, B, pair), which is the in-memory order: each account pair's
// pairs in object order) and folded into the same edges. The merge is cut
// by account A into parts of about equal pairs (mergeParts), one a
// worker, each merged and folded on a goroutine of its own. The evidence is
// then written by sweeping the kernel again, object by object, as the
// reduce path does. Results do not depend on the budget, to the byte
// (TestSpillEqualsRun).
//
// A run whose edges would not fit (with the graph step: beside the
// graph they make) writes them to a file as the fold makes them
// (edgefile.go); the graph step and the writers read them from there.
// A lean run (carryRows) whose rows take over a quarter of the budget
// writes each pair with its rows and lets the rows go once its pairs are
// made: its merge and fold read the runs only.
//
// What the budget does not bound: reading the input, the interned rows
// (16 bytes a share, held whole while interned and paired, and to the
// end of a run that is not lean) and names, and the graph step's
// CSR (16 bytes an edge with count weights, 24 with others; twice with
// --communities-on-all and --eigen-prune at most); see
// docs/coord.md.

// Budget is the memory a run in this process may use and where it spills.
type Budget struct {
	// Mem is the budget in bytes; 0 or less: no budget (never spill).
	Mem int64
	// TempDir is where sorted runs of pairs are written ("": the
	// system's temporary directory); they are removed as the run ends.
	TempDir string
}

// InProcess is the engine that makes and folds the pairs in this
// process within budget b: a nil Engine is InProcess(Budget{}).
func InProcess(b Budget) Engine { return inProcess{b} }

// pairBytes is what a kept pair costs in memory on the in-memory path:
// the pair (8 bytes), its account-pair key (8) and the two orders of the
// sort (4 + 4).
const pairBytes = 24

// edgeBytes is the estimate of an edge's cost, its per-type counts and
// the fold's lists included, used to leave room for the edges.
const edgeBytes = 100

// graphEdgeBytes is what the graph step holds per kept edge: the CSR of
// every edge (each in both directions: 2 × (4 + 8) bytes) and that of the
// community subgraph (at most as much).
const graphEdgeBytes = 48

// minPairCap is the fewest pairs a run holds in memory however small its
// budget (about 8 MiB with the edges they may make): below it the sorted
// runs get so short and so many that merging them (a file and a buffer
// each) costs more memory and time than the buffer saves: at 1M posts
// under --mem 64MB, 256-pair buffers made 12,851 runs and a 30 times
// slower run that still went over the budget. Tests lower it.
var minPairCap int64 = 1 << 16

// pairCap returns how many pairs the run may hold in memory under b, the
// heap in use now (the interned input) counted against it; 0: no limit.
// need is 0 when the budget has room for them, else the bytes the run
// holds with the fewest pairs it may hold (more than b.Mem).
func (b Budget) pairCap() (n, need int64) {
	if b.Mem <= 0 {
		return 0, 0
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	avail := b.Mem - int64(ms.HeapAlloc)
	// the pairs and the edges they make share what is left: an edge per
	// pair at worst, so a pair held in memory costs pairBytes + edgeBytes
	n = avail / (pairBytes + edgeBytes)
	if n < minPairCap {
		return minPairCap, int64(ms.HeapAlloc) + minPairCap*(pairBytes+edgeBytes)
	}
	return n, 0
}

// overBudget is what a run does when its budget is less than it must
// hold (need bytes: the interned input and the smallest buffers): it
// says so in its counts, and raises the Go runtime's soft memory limit
// to need, since a limit under the live heap makes the garbage collector
// run without pause and gains nothing.
func overBudget(res *Result, need int64) {
	if need <= 0 {
		return
	}
	res.Counts["mem_needed_bytes"] = max(res.Counts["mem_needed_bytes"], need)
	if lim := debug.SetMemoryLimit(-1); lim < need {
		debug.SetMemoryLimit(need)
	}
}

// SetMemoryLimit makes the Go runtime keep the heap under mem bytes (a
// soft limit: the garbage collector runs more often as the heap nears it)
// and returns the limit it replaced. mem <= 0 leaves the limit as it is.
func SetMemoryLimit(mem int64) int64 {
	if mem <= 0 {
		return debug.SetMemoryLimit(-1)
	}
	return debug.SetMemoryLimit(mem)
}

// spilledPairs is what pairsWithin made: the pairs in memory (every one,
// when runs is empty) or the sorted runs on disk.
type spilledPairs struct {
	pairs []pairRef // in object order; nil when spilled
	runFiles
	n       int64 // kept pairs
	held    int64 // the most pairs held at once
	bytes   int64 // written to runs
	collabK []int32
	// runEdges is the most account pairs of one run: the run's edges are
	// at least as many
	runEdges int64
	w        *bufio.Writer // the runs' writer, one buffer for all
	// runLen is each run's pairs, perA the spilled pairs of each account
	// A (where the merge is cut into parts of about equal pairs)
	runLen []int64
	perA   []int64
	// workers sort a run (Params.Workers)
	workers int
	blk     []byte // a block of a run's bytes
	// mergers is how many merges of the runs' sections run at once (the
	// parts of mergeParts; 0: one): their cursors share what the pairs
	// held (cursorBlock)
	mergers int
	// carry: each pair of a run carries its rows (carryBytes a pair),
	// so that the merge and the fold read nothing of in.rows, which the
	// run lets go once the pairs are made (carryRows); else a pair is
	// its two rows' places (8 bytes)
	carry bool
}

// carryBytes is what a pair that carries its rows takes in a run: its
// object, then its first row's time, account and post, then its second
// row's, 4 bytes each, little-endian (the rows in the kernel's order:
// the merge's tie-break).
const carryBytes = 28

// rec is the bytes of a pair in s's runs.
func (s *spilledPairs) rec() int64 {
	if s.carry {
		return carryBytes
	}
	return 8
}

// runFillMin is the fewest pairs of a block of a sorted run a goroutine
// gathers (a variable: a test makes it small).
var runFillMin = 1 << 14

func (s *spilledPairs) close() {
	s.remove()
}

// pairsWithin makes the kept pairs of the run (active, keep: the
// min-participation rule) holding at most limit of them in memory: the
// objects are paired a batch at a time, and when the buffer holds limit
// pairs it is sorted by account pair and written to a run file in
// tempDir.
func (in *interned) pairsWithin(p *Params, active func(*row) bool, keep func(i, j int32) bool, limit int64, tempDir string) (*spilledPairs, error) {
	return in.pairsCarrying(p, active, keep, limit, tempDir, false)
}

// pairsCarrying is pairsWithin whose runs, carry, hold each pair with its
// rows (spilledPairs.carry).
func (in *interned) pairsCarrying(p *Params, active func(*row) bool, keep func(i, j int32) bool, limit int64, tempDir string, carry bool) (*spilledPairs, error) {
	out := &spilledPairs{collabK: make([]int32, len(in.objects)), workers: p.Workers, carry: carry}
	stamp := make([]int32, len(in.accounts))
	for i := range stamp {
		stamp[i] = -1
	}
	nobj := len(in.objects)
	prog := in.meter.Phase("pairing shares in the window", "objects", int64(nobj))
	defer prog.Done()
	var buf []pairRef
	batch := 1 << 16 // objects paired together
	var bound []int64
	if limit > 0 {
		// readspill: the in-window pairs of each object, counted from
		// its rows, bound its kept pairs: a batch is as many objects as
		// surely fit what is left of the buffer, so that the buffer
		// never outgrows the budget's share for pairs, and the buffer is
		// made once, at most that share
		bound = make([]int64, nobj)
		total := int64(0)
		for o := range bound {
			bound[o] = in.windowPairs(int32(o), p.Window)
			total += bound[o]
		}
		buf = make([]pairRef, 0, min(limit, total))
	}
	spillBuf := func() error {
		if err := out.spill(in, buf, tempDir); err != nil {
			out.close()
			return err
		}
		buf = buf[:0]
		return nil
	}
	for lo := 0; lo < nobj && !in.stop.Load(); {
		hi := min(lo+batch, nobj)
		if limit > 0 {
			if bound[lo] > limit-int64(len(buf)) {
				// an object whose pairs may not fit what is left of the
				// buffer: paired alone, the buffer spilled whenever it
				// is full (the runs are merged on account pair, then
				// rows: where a run ends does not change the order)
				if err := in.pairAlone(int32(lo), p, active, keep, limit, &buf, out, stamp, spillBuf); err != nil {
					return nil, err
				}
				prog.Add(1)
				lo++
				continue
			}
			left, sum := limit-int64(len(buf)), int64(0)
			for hi = lo; hi < nobj && hi-lo < 1<<20 && sum+bound[hi] <= left; hi++ {
				sum += bound[hi]
			}
		}
		// the batch cut into spans of about equal pairs (a large
		// object into ranges of its rows), paired on every worker
		boundOf := func(o int32) int64 { return bound[o] }
		if limit <= 0 {
			boundOf = func(o int32) int64 { return in.windowPairs(o, p.Window) }
		}
		total := int64(0)
		for o := int32(lo); o < int32(hi); o++ {
			total += boundOf(o)
		}
		spans := in.pairSpans(int32(lo), int32(hi), boundOf, spanTarget(total, p.Workers), p.Window)
		parts := parallelSpans(in, spans, p.Workers, prog, func(s pairSpan) []pairRef {
			return in.spanPairs(s, p, active, keep)
		})
		start := len(buf)
		for _, part := range parts {
			buf = append(buf, part...)
		}
		out.held = max(out.held, int64(len(buf)))
		in.collabAdd(out.collabK, stamp, buf[start:])
		out.n += int64(len(buf) - start)
		if limit > 0 && int64(len(buf)) >= limit {
			if err := spillBuf(); err != nil {
				return nil, err
			}
		}
		lo = hi
	}
	if len(out.runs) == 0 {
		out.pairs = buf
		return out, nil
	}
	if len(buf) > 0 {
		if err := spillBuf(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pairAlone makes the kept pairs of object o
// into *buf, calling spill whenever it holds limit pairs. Its rows are
// taken a range at a time, as many as surely fit what is left of the
// buffer, each range cut into spans paired on every worker (the order of
// the pairs is the object's); a row whose pairs may not fit is paired
// alone, the buffer spilled when it is full, so that the runs end where
// they ended when one goroutine paired the object.
func (in *interned) pairAlone(o int32, p *Params, active func(*row) bool, keep func(i, j int32) bool, limit int64, buf *[]pairRef, out *spilledPairs, stamp []int32, spill func() error) error {
	lo, hi := in.objStart[o], in.objStart[o+1]
	start := len(*buf) // the object's pairs not yet counted
	count := func() {
		in.collabAdd(out.collabK, stamp, (*buf)[start:])
		out.n += int64(len(*buf) - start)
		start = len(*buf)
	}
	// each row's in-window pairs (a bound of its kept pairs)
	rows := in.rows
	rb := make([]int64, hi-lo)
	j := lo
	for i := lo; i < hi; i++ {
		if j <= i {
			j = i + 1
		}
		for j < hi && int64(rows[j].t)-int64(rows[i].t) <= p.Window {
			j++
		}
		rb[i-lo] = int64(j - i - 1)
	}
	var err error
	for i := lo; i < hi && err == nil && !in.stop.Load(); {
		left := limit - int64(len(*buf))
		k, sum := i, int64(0)
		for k < hi && sum+rb[k-lo] <= left {
			sum += rb[k-lo]
			k++
		}
		if k == i {
			// row i alone, spilling whenever the buffer is full
			in.eachPairFrom(o, i, i+1, p.WindowKind, p.Window, active, func(a, b int32) {
				if err != nil || !keep(a, b) {
					return
				}
				*buf = append(*buf, pairRef{a, b})
				out.held = max(out.held, int64(len(*buf)))
				if int64(len(*buf)) >= limit {
					count()
					err = spill()
					start = 0
				}
			})
			i++
			continue
		}
		spans := in.rowSpans(nil, o, i, k, spanTarget(sum, p.Workers), p.Window)
		for _, part := range parallelSpans(in, spans, p.Workers, nil, func(s pairSpan) []pairRef {
			return in.spanPairs(s, p, active, keep)
		}) {
			*buf = append(*buf, part...)
		}
		out.held = max(out.held, int64(len(*buf)))
		if int64(len(*buf)) >= limit {
			count()
			err = spill()
			start = 0
		}
		i = k
	}
	if err != nil {
		return err
	}
	count()
	return nil
}

// spanPairs returns the kept pairs of span s, in the sweep's order.
func (in *interned) spanPairs(s pairSpan, p *Params, active func(*row) bool, keep func(i, j int32) bool) []pairRef {
	var part []pairRef
	in.eachSpan(s, p.WindowKind, p.Window, active, func(_ int32, i, j int32) {
		if keep(i, j) {
			part = append(part, pairRef{i, j})
		}
	})
	return part
}

// spill writes buf, sorted by account pair (stable: object order within
// an account pair), as one run: each pair as its two row indices, 4 bytes
// each, little-endian, or (s.carry) with its rows (carryBytes).
func (s *spilledPairs) spill(in *interned, buf []pairRef, tempDir string) error {
	f, err := s.create(tempDir, "tahqiq-coord-", "pairs-*.run", "pairs")
	if err != nil {
		return err
	}
	keys, order := in.sortByAccounts(buf, s.workers)
	if s.w == nil {
		s.w = bufio.NewWriterSize(f, 1<<20)
	} else {
		s.w.Reset(f)
	}
	w := s.w
	if s.perA == nil {
		s.perA = make([]int64, len(in.accounts))
	}
	s.runLen = append(s.runLen, int64(len(order)))
	workers := s.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// the run's bytes made a block at a time, each block's pairs cut
	// into a part a worker: the pairs, their account pairs' changes
	// (the run's edges) and counts per account gathered on every core
	// (order scatters them over the buffer), the block then written
	const block = 1 << 17
	rec := int(s.rec())
	if cap(s.blk) < rec*min(block, len(order)) {
		s.blk = make([]byte, rec*min(block, len(order)))
	}
	type part struct {
		edges  int64
		firstA uint64 // the part's first account A, counted in firstN:
		firstN int64  // the part before may hold pairs of it too
	}
	parts := make([]part, min(workers, 64))
	edges := int64(0)
	for lo := 0; lo < len(order); lo += block {
		ks := order[lo:min(lo+block, len(order))]
		out := s.blk[:rec*len(ks)]
		np := max(min(len(parts), len(ks)/runFillMin), 1)
		fill := func(c int) {
			a, b := c*len(ks)/np, (c+1)*len(ks)/np
			x := part{firstA: ^uint64(0)}
			prev := ^uint64(0)
			if lo+a > 0 {
				prev = keys[order[lo+a-1]]
			}
			for i := a; i < b; i++ {
				k := ks[i]
				key := keys[k]
				if key != prev {
					x.edges++
					prev = key
				}
				if acc := key >> 32; c > 0 && (i == a || acc == x.firstA) {
					x.firstA = acc
					x.firstN++
				} else {
					s.perA[acc]++
				}
				if rec == carryBytes {
					putCarried(out[carryBytes*i:], &in.rows[buf[k].i], &in.rows[buf[k].j])
					continue
				}
				binary.LittleEndian.PutUint32(out[8*i:], uint32(buf[k].i))
				binary.LittleEndian.PutUint32(out[8*i+4:], uint32(buf[k].j))
			}
			parts[c] = x
		}
		if np == 1 {
			fill(0)
		} else {
			var wg sync.WaitGroup
			for c := range np {
				wg.Add(1)
				go func() {
					defer wg.Done()
					fill(c)
				}()
			}
			wg.Wait()
		}
		for _, x := range parts[:np] {
			edges += x.edges
			if x.firstN > 0 {
				s.perA[x.firstA] += x.firstN
			}
		}
		w.Write(out)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("coord: spilling pairs over the memory budget (--mem) to %s: %w", f.Name(), err)
	}
	s.bytes += int64(len(order)) * int64(rec)
	s.runEdges = max(s.runEdges, edges)
	return nil
}

// putCarried puts the pair of rows ri, rj (ri first in the kernel's
// order) into b as a run carries it (carryBytes).
func putCarried(b []byte, ri, rj *row) {
	le := binary.LittleEndian
	le.PutUint32(b, uint32(ri.obj))
	le.PutUint32(b[4:], ri.t)
	le.PutUint32(b[8:], uint32(ri.acc))
	le.PutUint32(b[12:], uint32(ri.post))
	le.PutUint32(b[16:], rj.t)
	le.PutUint32(b[20:], uint32(rj.acc))
	le.PutUint32(b[24:], uint32(rj.post))
}

// carried reads back a pair putCarried wrote: its rows ordered by
// account (ends), and whether the first of them (ra) is the second in
// the kernel's order.
func carried(b []byte) (x pairRows, swapped bool, err error) {
	le := binary.LittleEndian
	obj := int32(le.Uint32(b))
	ri := row{obj: obj, t: le.Uint32(b[4:]), acc: int32(le.Uint32(b[8:])), post: int32(le.Uint32(b[12:]))}
	rj := row{obj: obj, t: le.Uint32(b[16:]), acc: int32(le.Uint32(b[20:])), post: int32(le.Uint32(b[24:]))}
	if obj < 0 || ri.acc < 0 || rj.acc < 0 || ri.post < 0 || rj.post < 0 || ri.acc == rj.acc {
		return x, false, errors.New("a pair names no share of the run")
	}
	if ri.acc > rj.acc {
		return pairRows{ra: rj, rb: ri, pr: noRows}, true, nil
	}
	return pairRows{ra: ri, rb: rj, pr: noRows}, false, nil
}

// runCursor reads one sorted run a block of pairs at a time: their
// account pairs are looked up together, in a loop of independent loads
// (the processor overlaps the cache misses of the rows), not one pair at
// a time beside the merge's work (11 s of the 10M default run's 34 s
// merge went to those lookups, one miss after another). Each pair comes
// with its rows, as the fold reads them: looked up in that loop, or
// read from the run when it carries them.
type runCursor struct {
	r     io.Reader
	rec   int        // bytes a pair in the run (8, or carryBytes)
	buf   []byte     // the block as read
	prs   []pairRows // the block's pairs
	swaps []bool     // (carried rows) the pair's ra is its second row in the kernel's order
	keys  []uint64   // and their account pairs
	k     int        // the next pair of the block
	key   uint64     // account pair, A in the high half
	pr    *pairRows  // the current pair
	swap  bool
}

// runBlock is the pairs a cursor reads at a time (32 KiB of run; a
// variable: a test makes it small).
var runBlock = 4096

// minRunBlock is the fewest pairs a cursor reads at a time (2 KiB of run).
const minRunBlock = 256

// cursorPairBytes is what a cursor holds a pair of its block: the pair
// with its rows (40 bytes), its key (8), its order (1) and its bytes as
// read (rec: 8, or carryBytes).
func cursorPairBytes(rec int64) int64 { return 40 + 8 + 1 + rec }

func newRunCursor(r io.Reader, block, rec int) *runCursor {
	return &runCursor{r: r, rec: rec, buf: make([]byte, rec*block), prs: make([]pairRows, 0, block), swaps: make([]bool, block), keys: make([]uint64, block)}
}

// cursorBlock is the pairs each of n cursors of one merge reads at a
// time: runBlock, or less when the cursors of every merge running at
// once (mergers) would hold more than the pairs held while the runs were
// made (cursorPairBytes a pair of a cursor's block against pairBytes a
// held pair), so that a run of many runs under a small budget does not
// pass it while it merges (at 10M posts under --mem 300MB, 1,031 runs in
// two parts of 96 KiB cursors held 198 MB); never under minRunBlock.
func (s *spilledPairs) cursorBlock(n int) int {
	total := int64(n) * int64(max(s.mergers, 1))
	if total == 0 {
		return runBlock
	}
	return int(min(max(s.held*pairBytes/cursorPairBytes(s.rec())/total, int64(min(minRunBlock, runBlock))), int64(runBlock)))
}

func (c *runCursor) next(in *interned) (bool, error) {
	if c.k == len(c.prs) {
		if ok, err := c.fill(in); !ok || err != nil {
			return false, err
		}
	}
	c.pr, c.key, c.swap = &c.prs[c.k], c.keys[c.k], c.swaps[c.k]
	c.k++
	return true, nil
}

// fill reads the next block of pairs and their account pairs.
func (c *runCursor) fill(in *interned) (bool, error) {
	n, err := io.ReadFull(c.r, c.buf)
	switch {
	case err == io.EOF:
		return false, nil
	case err == io.ErrUnexpectedEOF && n%c.rec == 0:
	case err == io.ErrUnexpectedEOF:
		return false, err
	case err != nil:
		return false, err
	}
	c.prs, c.k = c.prs[:0], 0
	if c.rec == carryBytes {
		nobj, nacc := int32(len(in.objects)), int32(len(in.accounts))
		for b := c.buf[:n]; len(b) >= carryBytes; b = b[carryBytes:] {
			x, swapped, err := carried(b)
			if err == nil && (x.ra.obj >= nobj || x.rb.acc >= nacc) {
				err = errors.New("a pair names no share of the run")
			}
			if err != nil {
				return false, err
			}
			c.swaps[len(c.prs)] = swapped
			c.prs = append(c.prs, x)
		}
		for k := range c.prs {
			x := &c.prs[k]
			c.keys[k] = uint64(uint32(x.ra.acc))<<32 | uint64(uint32(x.rb.acc))
		}
		return true, nil
	}
	nrows := len(in.rows)
	for b := c.buf[:n]; len(b) >= 8; b = b[8:] {
		pr := pairRef{int32(binary.LittleEndian.Uint32(b[:4])), int32(binary.LittleEndian.Uint32(b[4:]))}
		if pr.i < 0 || pr.j < 0 || int(pr.i) >= nrows || int(pr.j) >= nrows {
			return false, errors.New("a pair names a row outside the run")
		}
		c.prs = append(c.prs, pairRows{pr: pr})
	}
	rows := in.rows
	for k := range c.prs {
		x := &c.prs[k]
		x.ra, x.rb = rows[x.pr.i], rows[x.pr.j]
		if x.ra.acc > x.rb.acc {
			x.ra, x.rb = x.rb, x.ra
		}
		c.keys[k] = uint64(uint32(x.ra.acc))<<32 | uint64(uint32(x.rb.acc))
	}
	return true, nil
}

// less orders by account pair, then by the rows, which is object order
// (pairs are made object by object, row i before row j): their places
// in in.rows, or, carried, the rows themselves in the kernel's order
// (cmpRow: in.rows is sorted by it, so both give one order).
func (c *runCursor) less(d *runCursor) bool {
	if c.key != d.key {
		return c.key < d.key
	}
	if c.rec == carryBytes {
		ci, cj := c.pr.ra, c.pr.rb
		if c.swap {
			ci, cj = cj, ci
		}
		di, dj := d.pr.ra, d.pr.rb
		if d.swap {
			di, dj = dj, di
		}
		if x := cmpRow(ci, di); x != 0 {
			return x < 0
		}
		return cmpRow(cj, dj) < 0
	}
	if c.pr.pr.i != d.pr.pr.i {
		return c.pr.pr.i < d.pr.pr.i
	}
	return c.pr.pr.j < d.pr.pr.j
}

// down restores the order of the merge's heap of cursors (h[0] the
// least) from i down: container/heap's, without its interface calls.
func down(h []*runCursor, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && h[r].less(h[l]) {
			j = r
		}
		if !h[j].less(h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// merge calls fn with every spilled pair in (A, B, object) order: a k-way
// merge of the runs. A pair given to fn is valid until fn returns.
func (s *spilledPairs) merge(in *interned, fn func(*pairRows) bool) error {
	secs := make([]runSection, len(s.runs))
	for r := range s.runs {
		secs[r] = runSection{r, 0, s.runLen[r]}
	}
	return s.mergeSections(in, secs, fn)
}

// runSection is the pairs lo to hi (not included) of run r.
type runSection struct {
	r      int
	lo, hi int64
}

// mergeParts cuts the spilled pairs into at most parts parts of about
// equal pairs, each the pairs of a range of accounts A (so that an
// account pair's pairs are all in one part, and the parts one after the
// other are the merge's order), and returns each part's sections of the
// runs.
func (s *spilledPairs) mergeParts(in *interned, parts int) ([][]runSection, error) {
	parts = max(min(parts, int(s.n/int64(foldPartMin))), 1)
	// the first account A of each part but the first
	var cuts []int32
	sum := int64(0)
	for a, n := range s.perA {
		if len(cuts) == parts-1 {
			break
		}
		if sum >= int64(len(cuts)+1)*s.n/int64(parts) {
			cuts = append(cuts, int32(a))
		}
		sum += n
	}
	out := make([][]runSection, len(cuts)+1)
	for r := range s.runs {
		lo := int64(0)
		for k, a := range cuts {
			hi, err := s.firstOf(in, r, a)
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], runSection{r, lo, hi})
			lo = hi
		}
		out[len(cuts)] = append(out[len(cuts)], runSection{r, lo, s.runLen[r]})
	}
	return out, nil
}

// firstOf returns the first pair of run r whose account A is a or after
// (the run's length when none is): a binary search of the run's file.
func (s *spilledPairs) firstOf(in *interned, r int, a int32) (int64, error) {
	f := s.runs[r]
	var buf [carryBytes]byte
	b := buf[:s.rec()]
	var err error
	lo, hi := int64(0), s.runLen[r]
	for lo < hi && err == nil {
		mid := lo + (hi-lo)/2
		if _, err = f.ReadAt(b, s.rec()*mid); err != nil {
			break
		}
		var acc int32
		if s.carry {
			var x pairRows
			if x, _, err = carried(b); err != nil {
				break
			}
			acc = x.ra.acc
		} else {
			pr := pairRef{int32(binary.LittleEndian.Uint32(b[:4])), int32(binary.LittleEndian.Uint32(b[4:]))}
			if pr.i < 0 || pr.j < 0 || int(pr.i) >= len(in.rows) || int(pr.j) >= len(in.rows) {
				err = errors.New("a pair names a row outside the run")
				break
			}
			ra, _ := in.ends(pr)
			acc = ra.acc
		}
		if acc < a {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if err != nil {
		return 0, fmt.Errorf("coord: reading back %s: %w", f.Name(), err)
	}
	return lo, nil
}

// mergeSections is merge of the pairs of secs (sections of the runs,
// each in (A, B, object) order).
func (s *spilledPairs) mergeSections(in *interned, secs []runSection, fn func(*pairRows) bool) error {
	h := make([]*runCursor, 0, len(secs))
	block := s.cursorBlock(len(secs))
	rec := s.rec()
	for _, sec := range secs {
		if sec.hi <= sec.lo {
			continue
		}
		f := s.runs[sec.r]
		c := newRunCursor(io.NewSectionReader(f, rec*sec.lo, rec*(sec.hi-sec.lo)), block, int(rec))
		ok, err := c.next(in)
		if err != nil {
			return fmt.Errorf("coord: reading back %s: %w", f.Name(), err)
		}
		if ok {
			h = append(h, c)
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(h, i)
	}
	for len(h) > 0 {
		c := h[0]
		if !fn(c.pr) {
			return nil
		}
		ok, err := c.next(in)
		if err != nil {
			return fmt.Errorf("coord: reading back a run of pairs: %w", err)
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(h, 0)
	}
	return nil
}

// countEdgesAlways makes edgesWithin count the edges of spilled pairs
// before it chooses where they go, as it did before runEdges (a test
// compares both).
var countEdgesAlways = false

// edgesWithin is the in-process engine under a budget: the pairs made
// within it, folded in memory when they all fit, else merged from their
// sorted runs; the evidence is then swept again from the kernel.
func (e inProcess) edgesWithin(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error) {
	limit, need := e.budget.pairCap()
	overBudget(res, need)
	var active func(*row) bool
	var keep func(i, j int32) bool
	active, keep, _ = in.participation(q, in.pairsOf(q))
	carry := e.budget.carryRows(in, q, p)
	sp, err := in.pairsCarrying(q, active, keep, limit, e.budget.TempDir, carry)
	if err != nil {
		return nil, err
	}
	defer sp.close()
	res.Counts["pairs"] = sp.n
	lap("pairs_s")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// the edges go to a file when the budget has no room for them (and,
	// with the graph step, for the graph beside them: the graph step
	// then reads them from the file, holding only the graph)
	spill := func(nedges int) (*edgeFile, error) {
		need := int64(nedges) * edgeBytes
		if p.Graph {
			need += int64(nedges) * graphEdgeBytes
		}
		if need <= e.budget.edgeRoom() {
			return nil, nil
		}
		return newEdgeFile(e.budget.TempDir, len(in.types))
	}
	if len(sp.runs) == 0 {
		res.pairs = sp.pairs
		edges, byType, ef, err := in.aggregate(p, res.pairs, spill)
		if err != nil {
			return nil, err
		}
		res.byType, res.edgeFile = byType, ef
		if ef != nil {
			res.Counts["spilled_edge_bytes"] = ef.size()
		}
		lap("aggregate_s")
		return edges, ctx.Err()
	}
	res.Counts["spilled_bytes"] = sp.bytes
	res.Counts["spilled_runs"] = int64(len(sp.runs))
	// the kept pairs swept again, object by object (evidence, fast layer)
	kept := func(fn func(pairRef) error) error {
		return in.eachKept(q, active, keep, fn)
	}
	res.kept = kept
	var fastKeep func(ra, rb *row) bool
	if p.FastWindow > 0 {
		fastKeep, _ = in.fastLayer(p, func(fn func(pairRef)) {
			kept(func(pr pairRef) error { fn(pr); return nil })
		})
	}
	if sp.carry {
		// the runs carry what the merge and the fold read of the rows:
		// the rows go (nothing of the run reads them after this)
		res.Counts["spilled_carried_bytes"] = sp.bytes
		in.letRowsGo()
		res.kept = func(func(pairRef) error) error { return errRowsGone }
	}
	// count the edges (a first merge), then fold them (a second); not
	// when the budget has no room for the edges of the largest run
	// alone: then they go to a file whatever their count (the same
	// choice, without a merge: 10-20 % of the aggregate at 10M posts)
	nedges := 0
	var ef *edgeFile
	if !countEdgesAlways {
		if ef, err = spill(int(sp.runEdges)); err != nil {
			return nil, err
		}
	}
	// the merge cut into parts by account A, each merged (and folded)
	// on a goroutine of its own: the parts one after the other are the
	// whole merge, so the edges are those of one merge, to the byte
	parts := p.Workers
	if parts <= 0 {
		parts = runtime.GOMAXPROCS(0)
	}
	secs, err := sp.mergeParts(in, min(parts, 64))
	if err != nil {
		return nil, err
	}
	sp.mergers = len(secs)
	merrs := make([]error, len(secs))
	firstEdge := make([]int, len(secs)+1)
	if ef == nil {
		var wg sync.WaitGroup
		for k := range secs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, last := 0, ^uint64(0)
				merrs[k] = sp.mergeSections(in, secs[k], func(pr *pairRows) bool {
					if key := uint64(uint32(pr.ra.acc))<<32 | uint64(uint32(pr.rb.acc)); key != last {
						n++
						last = key
					}
					return !in.stop.Load()
				})
				firstEdge[k+1] = n
			}()
		}
		wg.Wait()
		if err := errors.Join(merrs...); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			// stopped: the counts are short of the edges
			return nil, err
		}
		for k := range secs {
			firstEdge[k+1] += firstEdge[k]
		}
		nedges = firstEdge[len(secs)]
		if ef, err = spill(nedges); err != nil {
			return nil, err
		}
	}
	sorted := func(k int) iter.Seq[*pairRows] {
		return func(yield func(*pairRows) bool) {
			merrs[k] = sp.mergeSections(in, secs[k], yield)
		}
	}
	var edges []Edge
	var byType []int32
	if ef != nil {
		if ef, err = in.foldParallelFiles(p, sp.n, len(secs), sp.collabK, fastKeep, sorted, ef); err != nil {
			return nil, err
		}
	} else {
		edges, byType = in.foldParts(p, sp.n, nedges, sp.collabK, fastKeep, sorted, firstEdge)
	}
	if err := errors.Join(merrs...); err != nil {
		return nil, err
	}
	if ef != nil {
		res.Counts["spilled_edge_bytes"] = ef.size()
	}
	res.byType, res.edgeFile = byType, ef
	lap("aggregate_s")
	return edges, ctx.Err()
}

// rowShare is the part of the budget (1/rowShare) the interned rows may
// take before a run that can let them go (carryRows) spills pairs that
// carry them.
const rowShare = 4

// carryMode forces the choice of carryRows (a variable for the tests):
// 0 lets the budget decide, 1 carries whenever the run can let its rows
// go, -1 never.
var carryMode = 0

// errRowsGone is the error of what reads the rows of a run that let them
// go (a lean run whose spilled pairs carried them).
var errRowsGone = errors.New("coord: the run let its shares go once its pairs were made (a run without evidence, the graph step, TF-IDF or min-participation over 1, over its memory budget)")

// carryRows reports whether the spilled pairs of in's run (q the
// pairing's parameters, p the run's) carry their rows, so that the run
// lets its rows go once the pairs are made: a run that reads nothing of
// the rows after the fold (no evidence, no graph step, no TF-IDF weight,
// min-participation at most 1: the fast layer then tests a pair's own
// rows) whose rows take more than their share of the budget (rowShare).
// A carried pair takes 28 bytes of a run instead of 8: under that share
// the rows stay, and the runs are short.
func (b Budget) carryRows(in *interned, q, p *Params) bool {
	if carryMode < 0 || b.Mem <= 0 || in.remote != nil || p.Evidence || p.Graph || p.Weight == WeightTFIDF || q.MinParticipation > 1 || p.MinParticipation > 1 {
		return false
	}
	return carryMode > 0 || int64(len(in.rows))*rowBytes > b.Mem/rowShare
}

// DefaultMem is the default budget of a run: half the machine's memory
// (MemTotal of /proc/meminfo), or 4 GiB where that cannot be read. A run
// "fits one machine" when it does not spill under it.
func DefaultMem() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil && kb > 0 {
					return kb << 10 / 2
				}
			}
		}
	}
	return 4 << 30
}

// eachKept calls fn with every pair of active rows that keep keeps,
// object by object in Run's order (the sweep of kept pairs for the fast
// layer and the evidence), until fn fails or the run stops.
func (in *interned) eachKept(q *Params, active func(*row) bool, keep func(i, j int32) bool, fn func(pairRef) error) error {
	var err error
	for o := range in.objects {
		if in.stop.Load() || err != nil {
			break
		}
		in.eachPair(int32(o), q.WindowKind, q.Window, active, func(i, j int32) {
			if err == nil && keep(i, j) {
				err = fn(pairRef{i, j})
			}
		})
	}
	if err == nil && in.stop.Load() {
		err = context.Canceled
	}
	return err
}
