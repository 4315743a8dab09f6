package coord

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"unsafe"
)

// The read under the memory budget. A Collector holds, while the input is
// read, a table per kind of name (accounts, posts, objects: the names
// themselves and an open-addressing table over them, which the importer's
// rule needs to decide each record as it comes: first record wins,
// duplicates, post id conflicts in file order) and the share rows (16
// bytes a share). The tables must stay: a record's fate depends on every
// record before it. The rows need not: once the collector's estimate of
// what it holds passes its share of the budget (half of it, the rest is
// for what the run makes of the input), the rows go to a temporary file
// as they are made, a buffer at a time, and are read back, renumbered,
// only once the names are ranked and their tables let go (interned). The
// decisions are those of a read that keeps everything, to the byte: only
// where the rows wait changes (TestCollectedSpillEqualsRun).
//
// Interning ranks the names without the copies the shares path makes
// (finishIntern: a slice of names picked, then permuted, then packed):
// for each table, the ids the rows name, sorted by name, give each its
// rank, and the names are packed into one string in rank order as the
// table is let go.

// rowBytes is what a row costs, in memory and in a spill file.
const rowBytes = int64(unsafe.Sizeof(row{}))

// rowSpillBatch is how many rows a spilling collector buffers before it
// writes them.
const rowSpillBatch = 1 << 15

// readShare is the part of the budget the collector's tables and rows may
// hold before the rows are spilled (the rest is for the run's input once
// interned, and the pairs).
const readShare = 2

// SetBudget bounds what c holds while the input is read by b: past half
// of b.Mem (by its estimate of its tables and rows), the rows are written
// to a temporary file in b.TempDir as they are made. b.Mem <= 0: no bound.
func (c *Collector) SetBudget(b Budget) {
	c.budget = b
	c.nextCheck = 0
}

// Spilled returns the bytes of rows c wrote to disk (0: none).
func (c *Collector) Spilled() int64 {
	c.flush()
	if c.spill == nil {
		return 0
	}
	return c.spill.rows * rowBytes
}

// rowSpill is the file the rows of a spilling collector go to.
type rowSpill struct {
	f    *os.File
	w    *bufio.Writer
	rows int64 // written
}

// tableBytes estimates what c's tables hold (names, slots, per-post
// columns, objects), the rows aside, as the rows' side sees them (its
// own, and the accounts' and posts' as of the last handoff: rowside.go).
func (c *Collector) tableBytes() int64 {
	return c.mainSeen + c.sideTableBytes()
}

// mainTableBytes estimates what the accounts' and posts' tables hold
// (the caller's side of the collector).
func (c *Collector) mainTableBytes() int64 {
	n := c.accounts.bytes() + c.posts.bytes()
	n += int64(cap(c.postAcc))*4 + int64(cap(c.postShare))*8 + int64(len(c.more))*64
	if c.pruns != nil {
		n += c.pruns.memBytes()
	}
	if c.ahead != nil { // the accounts ahead: their table and ids
		n += c.ahead.t.bytes.Load() + int64(cap(c.ahead.byAhead))*4
	}
	return n
}

// sideTableBytes estimates what the objects' tables and the used ids
// hold (the rows' side).
func (c *Collector) sideTableBytes() int64 {
	n := int64(cap(c.objects)) * int64(unsafe.Sizeof(objRef{}))
	for _, ot := range c.objTabs {
		n += ot.tab.bytes() + int64(cap(ot.obj))*4
	}
	return n + int64(len(c.usedAcc)+len(c.usedPost))*8
}

// postTableLoad estimates what the posts in c's table cost: their names,
// references, columns and slots (at 70 % full), not what the table has
// made room for (a table starts again with the slots and columns of the
// one before it: counting those, a budget under the other tables would
// write a run every few posts).
func (c *Collector) postTableLoad() int64 {
	return int64(c.posts.len())*(8+8*10/7+4+8) + c.posts.arena.total + int64(len(c.more))*64
}

// postShare is the part of the budget (numerator over 4: three quarters)
// the read's tables may hold before the posts go to disk. The rows go at
// half (readShare), but the tables must stay until interning, and while
// the input is read nothing of what comes after is held (the interned
// input, the pairs, the edges: the run's peak, when the budget binds, is
// theirs, at the budget): a read that spilled its posts at half of it
// paid for a peak the run reached later anyway (10M synthetic posts, lean,
// --mem 1GB: read 26.9 s against 16.3 s, peak 973 against 979 MiB). The
// quarter left is the garbage collector's room under the runtime's limit
// (the budget), the rows' buffer and batches, and the parse's chunks.
const postShare = 3

// checkPosts is called between records once the table's posts reach
// c.nextPostCheck, while the rows spill: when the tables still pass the
// posts' share of the budget (three quarters; the next buffer of rows
// counted) and the posts are at least a quarter of that share, they go
// to disk as a sorted run (postspill.go). Under a quarter, the tables are
// the accounts' and objects' (their floor): writing the posts in runs of
// a few would only cost time.
func (c *Collector) checkPosts() {
	c.nextPostCheck = c.posts.len() + minPostRun
	if c.failed() != nil || c.posts.len() < minPostRun {
		return
	}
	share := c.budget.Mem / 4 * postShare
	if c.mainTableBytes()+c.feed.sideSeen+rowSpillBatch*rowBytes <= share || c.postTableLoad() < share/4 {
		return
	}
	if err := c.spillPosts(true); err != nil {
		c.postErr = err
		return
	}
	c.nextPostCheck = minPostRun
}

// SpilledPosts returns the bytes of posts c wrote to disk (merges of
// its runs included; 0: none).
func (c *Collector) SpilledPosts() int64 {
	c.flush()
	if c.pruns == nil {
		return 0
	}
	return c.pruns.bytes
}

// bytes estimates what t holds: its slots, its names and their bytes.
func (t *strtab) bytes() int64 {
	return int64(len(t.slots))*8 + int64(cap(t.refs))*8 + t.arena.total
}

// checkRows is called when the rows reach c.nextCheck: a spilling
// collector writes them out; one under a budget starts spilling when its
// estimate passes the read's share of the budget.
func (c *Collector) checkRows() {
	if c.err != nil {
		c.rows = c.rows[:0]
		return
	}
	if c.spill == nil {
		if c.budget.Mem <= 0 {
			c.nextCheck = int(^uint(0) >> 1)
			return
		}
		if c.tableBytes()+int64(cap(c.rows))*rowBytes <= c.budget.Mem/readShare {
			c.nextCheck = len(c.rows) + 1<<16
			return
		}
		f, err := os.CreateTemp(c.budget.TempDir, "tahqiq-coord-rows-*.run")
		if err != nil {
			c.err = fmt.Errorf("coord: spilling the shares read over the memory budget (--mem): %w", err)
			return
		}
		// unlinked: the file goes with the process, however it ends
		os.Remove(f.Name())
		c.spill = &rowSpill{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	}
	if err := c.spill.write(c.rows); err != nil {
		c.err = fmt.Errorf("coord: spilling the shares read over the memory budget (--mem) to %s: %w", c.spill.f.Name(), err)
	}
	if cap(c.rows) > 2*rowSpillBatch {
		c.rows = make([]row, 0, rowSpillBatch) // the buffer, no longer the rows
	} else {
		c.rows = c.rows[:0]
	}
	c.nextCheck = rowSpillBatch
}

func (s *rowSpill) write(rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&rows[0])), len(rows)*int(rowBytes))
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	s.rows += int64(len(rows))
	return nil
}

// readBack returns the rows written to s followed by tail, in one slice
// of exactly their number, and closes s.
func (s *rowSpill) readBack(tail []row) ([]row, error) {
	defer s.f.Close()
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	rows := make([]row, s.rows+int64(len(tail)))
	if s.rows > 0 {
		b := unsafe.Slice((*byte)(unsafe.Pointer(&rows[0])), s.rows*rowBytes)
		if _, err := io.ReadFull(bufio.NewReaderSize(s.f, 1<<20), b); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				err = fmt.Errorf("%d rows written, fewer read back", s.rows)
			}
			return nil, err
		}
	}
	copy(rows[s.rows:], tail)
	return rows, nil
}

// bitset is a set of ids.
type bitset []uint64

func (b *bitset) set(i int32) {
	w := int(i) >> 6
	for w >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (uint(i) & 63)
}

func (b bitset) has(i int32) bool {
	w := int(i) >> 6
	return w < len(b) && b[w]&(1<<(uint(i)&63)) != 0
}

// rankUsed ranks the ids of n names that used holds by name (cmp of two
// ids): to[id] is the rank of a used id (the id of the interned input),
// order the old ids in rank order.
func rankUsed(n int, used bitset, cmp func(a, b int32) int) (to []int32, order []int32) {
	to = make([]int32, n)
	k := 0
	for i := range n {
		if used.has(int32(i)) {
			k++
		}
	}
	order = make([]int32, 0, k)
	for i := range n {
		if used.has(int32(i)) {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, cmp)
	for r, i := range order {
		to[i] = int32(r)
	}
	return to, order
}

// keyedID is a name's id and its sort key: the eight bytes after the
// prefix every name ranked shares, big-endian, zeros past its end.
type keyedID struct {
	key uint64
	id  int32
}

// rankNames is rankUsed of the names of tab, by strings.Compare, sorting
// keys instead of ids: a comparison of two names read each through its
// reference from the arena (two random reads each, a tenth of a
// 1M-post run's CPU) becomes one of two integers, the names compared
// only where their keys tie. The key skips the prefix all used names
// share ("synth:p", "twitter:"), so names that differ in their first
// eight bytes past it never tie. 16 bytes a used name while sorting;
// with radix, 16 more (radixKeys' copy) where there are radixMin names
// or more.
func rankNames(tab *strtab, used bitset, radix bool) (to []int32, order []int32) {
	n := tab.len()
	to = make([]int32, n)
	k, lcp := 0, -1
	var first string
	for i := range n {
		if !used.has(int32(i)) {
			continue
		}
		k++
		s := tab.name(int32(i))
		if lcp < 0 {
			first, lcp = s, len(s)
			continue
		}
		j := 0
		for j < lcp && j < len(s) && s[j] == first[j] {
			j++
		}
		lcp = j
	}
	keys := make([]keyedID, 0, k)
	for i := range n {
		if used.has(int32(i)) {
			keys = append(keys, keyedID{nameKey(tab.name(int32(i))[lcp:]), int32(i)})
		}
	}
	byName := func(a, b keyedID) int { return strings.Compare(tab.name(a.id), tab.name(b.id)) }
	if radix && len(keys) >= radixMin {
		radixKeys(keys, byName)
	} else {
		slices.SortFunc(keys, func(a, b keyedID) int {
			if a.key != b.key {
				return cmp.Compare(a.key, b.key)
			}
			return byName(a, b)
		})
	}
	order = make([]int32, k)
	for r, x := range keys {
		order[r] = x.id
		to[x.id] = int32(r)
	}
	return to, order
}

// radixFits reports whether n names' keys may be ranked by radixKeys,
// which copies them: where the read held its budget (it spilled nothing)
// and the keys and their copy (32 bytes a name) take at most an eighth
// of it (or there is none). The copy is garbage once the keys are
// sorted, but under the runtime's limit (the budget) the heap grows to
// hold it before it is collected: a 3M-post lean run peaked 43-72 MiB
// higher with every table's keys copied (543, 560 MiB against 488, 500;
// its budget 679 MiB), so past an eighth the keys are sorted in place.
func (c *Collector) radixFits(n int) bool {
	if c.spill != nil || c.pruns != nil {
		return false
	}
	return c.budget.Mem <= 0 || int64(n)*2*int64(unsafe.Sizeof(keyedID{})) <= c.budget.Mem/8
}

// radixMin is the fewest keys radixKeys sorts (fewer: slices.SortFunc);
// a variable for the tests.
var radixMin = 1 << 12

// radixKeys sorts keys by key, then (keys that tie) by tie: a radix sort
// of the keys a byte at a time from the lowest, each pass stable into a
// copy and back, skipping the bytes every key shares (the keys of
// "p0" … "p999999" differ in six of their eight), then the runs of equal
// keys sorted by tie. Where tie orders every pair (the names of a table
// are distinct) the order is slices.SortFunc's by key then tie, to the
// element; in about a third of its time for a million keys (the posts of
// a 1M-post run: 0.11 s of the intern).
func radixKeys(keys []keyedID, tie func(a, b keyedID) int) {
	var count [8][256]int
	for _, x := range keys {
		for d := range 8 {
			count[d][byte(x.key>>(8*d))]++
		}
	}
	src, dst := keys, make([]keyedID, len(keys))
	for d := range 8 {
		c := &count[d]
		if c[byte(keys[0].key>>(8*d))] == len(keys) {
			continue // every key has this byte
		}
		at := 0
		for b := range c {
			n := c[b]
			c[b] = at
			at += n
		}
		for _, x := range src {
			b := byte(x.key >> (8 * d))
			dst[c[b]] = x
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].key == keys[i].key {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(keys[i:j], tie)
		}
		i = j
	}
}

// nameKey is the first eight bytes of s, big-endian, zeros past its end:
// two names whose keys differ compare as their keys do.
func nameKey(s string) uint64 {
	var k uint64
	for j := range 8 {
		k <<= 8
		if j < len(s) {
			k |= uint64(s[j])
		}
	}
	return k
}

// packed returns the names of order (old ids, name gives each) packed
// into one string, in that order.
func packed(order []int32, name func(i int32) string) []string {
	n := 0
	for _, i := range order {
		n += len(name(i))
	}
	var b strings.Builder
	b.Grow(n)
	for _, i := range order {
		b.WriteString(name(i))
	}
	all, off := b.String(), 0
	out := make([]string, len(order))
	for r, i := range order {
		k := len(name(i))
		out[r] = all[off : off+k]
		off += k
	}
	return out
}

// internNames ranks c's names into in and lets c's tables go: it returns
// the ids of the rows' accounts, posts and objects in the interned input,
// indexed by the collector's. The posts' names are kept as posts says
// (postsOnDisk: on disk in c's budget's TempDir); dropped, they are
// ranked all the same (a post's id is its rank).
func (c *Collector) internNames(in *interned, posts postsMode) (accTo, postTo, objTo []int32, err error) {
	if c.pruns != nil {
		// the posts are on disk, the last of them too: their ranks come
		// from merging the runs (writeRanks now, rankRows once the rows
		// are back)
		if err := c.spillPosts(false); err != nil {
			return nil, nil, nil, err
		}
		if err := c.pruns.names(in, posts, c.usedPost, c.budget.TempDir); err != nil {
			return nil, nil, nil, err
		}
		if err := c.pruns.writeRanks(c.usedPost, postRankChunk(c.budget.Mem)); err != nil {
			return nil, nil, nil, err
		}
		// as below: what was let go is collected before the ranks
		c.posts, c.postAcc, c.postShare, c.more = nil, nil, nil, nil
		runtime.GC()
		return c.internOthers(in)
	}
	// posts first: they are most of the names; the table's slots are not
	// needed to rank them
	ptab := c.posts
	c.posts, c.postAcc, c.postShare, c.more = nil, nil, nil, nil
	ptab.slots = nil
	usedPost := c.usedPost
	c.usedPost = nil
	if c.spill != nil {
		// over the budget: the slots and columns just let go (half the
		// tables) are collected before the ranks (8 bytes a post) are
		// made, which then take their place instead of growing the heap
		// past the tables (a collection already running when they were
		// let go would count them live to its end); and the posts are
		// ranked before the accounts and objects, not beside them, so
		// that their keys are let go first
		runtime.GC()
		if postTo, err = rankPosts(in, ptab, usedPost, posts, c.budget.TempDir, false); err != nil {
			return nil, nil, nil, err
		}
		accTo, _, objTo, err = c.internOthers(in)
		return accTo, postTo, objTo, err
	}
	// the posts ranked on a goroutine of their own, beside the accounts
	// and objects (internOthers): they share nothing but in, whose
	// fields each sets apart (in.posts there, in.accounts and the objects
	// here), and the ranks are the same either way
	var perr error
	radix := c.radixFits(ptab.len())
	done := make(chan struct{})
	go func() {
		defer close(done)
		postTo, perr = rankPosts(in, ptab, usedPost, posts, c.budget.TempDir, radix)
	}()
	accTo, _, objTo, err = c.internOthers(in)
	<-done
	if err == nil {
		err = perr
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return accTo, postTo, objTo, nil
}

// rankPosts ranks the used posts of ptab by name into in.posts, kept,
// written to disk in dir or dropped as posts says, and returns each
// post's rank by its id in ptab. radix: the keys may take their copy
// (rankNames).
func rankPosts(in *interned, ptab *strtab, used bitset, posts postsMode, dir string, radix bool) ([]int32, error) {
	postTo, order := rankNames(ptab, used, radix)
	switch posts {
	case postsKept:
		in.posts = packPostNames(len(order), func(r int) string { return ptab.name(order[r]) })
	case postsOnDisk:
		var err error
		if in.posts, err = writePostNames(dir, len(order), func(r int) string { return ptab.name(order[r]) }); err != nil {
			return nil, err
		}
	default:
		in.posts = postNames{n: len(order)}
	}
	return postTo, nil
}

// internOthers ranks c's accounts and objects into in and lets their
// tables go (internNames).
func (c *Collector) internOthers(in *interned) (accTo, postTo, objTo []int32, err error) {
	var order []int32
	accs := c.accounts
	c.accounts = nil
	accTo, order = rankNames(accs, c.usedAcc, c.radixFits(accs.len()))
	in.accounts = packed(order, accs.name)
	c.usedAcc = nil

	c.objTabs, c.lastTab = nil, nil
	objTo, order = c.rankObjects()
	values := packed(order, func(i int32) string { return c.objKey(i).value })
	in.setObjects(len(order), func(r int) objKey { return objKey{c.objList[c.objects[order[r]].tab].typ, values[r]} })
	c.objects, c.objList = nil, nil
	return accTo, postTo, objTo, nil
}

// rankObjects ranks every object c collected (each is a row's) by type,
// then value (cmpObj): to[o] is the rank of object o, order the objects
// in rank order. Each type's table is ranked on its own by its names'
// keys (rankNames), the tables in the order of their types: the order of
// sorting every object by cmpObj, which read both names of a comparison
// through the arena.
func (c *Collector) rankObjects() (to, order []int32) {
	to = make([]int32, len(c.objects))
	order = make([]int32, 0, len(c.objects))
	tabs := slices.Clone(c.objList)
	slices.SortFunc(tabs, func(a, b *objTable) int { return strings.Compare(string(a.typ), string(b.typ)) })
	for _, ot := range tabs {
		all := make(bitset, (ot.tab.len()+63)/64) // every name of a table is an object's
		for i := range all {
			all[i] = ^uint64(0)
		}
		_, names := rankNames(ot.tab, all, c.radixFits(ot.tab.len()))
		for _, id := range names {
			o := ot.obj[id]
			to[o] = int32(len(order))
			order = append(order, o)
		}
	}
	return to, order
}

// renumber gives rows the ids of the interned input.
func renumber(rows []row, accTo, postTo, objTo []int32) {
	if postTo == nil { // the posts' ranks come from their runs (rankRows)
		for i := range rows {
			r := &rows[i]
			r.acc, r.obj = accTo[r.acc], objTo[r.obj]
		}
		return
	}
	for i := range rows {
		r := &rows[i]
		r.acc, r.post, r.obj = accTo[r.acc], postTo[r.post], objTo[r.obj]
	}
}

// cmpRow is the order of the interned rows: by object, time, account,
// post.
func cmpRow(a, b row) int {
	if c := cmp.Compare(a.obj, b.obj); c != 0 {
		return c
	}
	if c := cmp.Compare(a.t, b.t); c != 0 {
		return c
	}
	if c := cmp.Compare(a.acc, b.acc); c != 0 {
		return c
	}
	return cmp.Compare(a.post, b.post)
}
