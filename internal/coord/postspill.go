package coord

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math/bits"
	"os"
	"slices"
	"strings"
	"unsafe"
)

// The posts a Collector knows, bounded by its budget. A read decides each
// record from every record before it (the importer's rule: first record
// wins, duplicates, post id conflicts in file order), so every post seen
// must stay findable by its id, with its author and the hashes of its
// shares. Under a budget (once the rows spill and the tables still pass
// the posts' share: three quarters, postShare), the posts of the table in
// memory are written to disk
// as a run sorted by name, and the table starts again (postRuns.spill):
// the posts keep their dense ids in arrival order (the table's next post
// takes the id after the last one written), so every decision is the
// same. A lookup that misses the table asks a filter of the names on disk
// (a Bloom filter of fixed size, from the budget: more posts only raise
// its false positives, each a read of one block per run), then the runs:
// a binary search through each run's sparse index (the first name of each
// block of postBlock bytes) and one read of that block. Past maxPostRuns
// runs they are merged into one. Interning merges the runs (sorted
// already) to rank the posts by name, instead of sorting them in memory
// (interned's ranksFromRuns).
//
// A run's record: the name's length (uvarint) and bytes, the post's id
// and its author's (4 bytes each, little-endian), the number of its
// shares' hashes (uvarint) and each (8 bytes). The files are unlinked:
// they go with the process, however it ends.

// postBlock is the size of a run's block: what a lookup on disk reads.
const postBlock = 4 << 10

// maxPostRuns is how many runs the posts may be in before they are
// merged into one (a variable for the tests).
var maxPostRuns = 12

// minPostRun is the fewest posts the table writes as a run (a variable
// for the tests): a budget under the accounts' and objects' tables would
// otherwise write runs of a few posts.
var minPostRun = 1024

// postRuns are the posts of a collector written to disk.
type postRuns struct {
	dir    string
	filter bloom
	runs   []*postRun
	base   int32 // the posts below this id are on disk
	bytes  int64 // written to runs (merges included)

	// the hashes of the shares of the posts on disk that the record being
	// added found (FindPost), for ShareExists; and those added to posts
	// on disk since they were written
	hashes map[int32][]uint64
	late   map[int32][]uint64

	found, searched int64 // posts found on disk, runs searched for them
	made            int   // runs written by the table (merges aside)

	blk []byte // a block read by a lookup

	// the ranks of the posts by chunks of ids (writeRanks)
	ranks []*os.File
	chunk int32
}

// postRun is one sorted run of posts on disk.
type postRun struct {
	f     *os.File
	size  int64
	n     int
	first []string // the first name of each block (packed in one string)
	off   []int64  // where each block starts
	last  string   // the last name
	mem   int64    // bytes of first, off and last
}

// postRec is one post of a run.
type postRec struct {
	name   []byte
	id     int32
	acc    int32
	hashes []uint64
}

func newPostRuns(dir string, mem int64) *postRuns {
	return &postRuns{dir: dir, filter: newBloom(mem / 32), hashes: map[int32][]uint64{}, late: map[int32][]uint64{}}
}

// memBytes estimates what r holds in memory.
func (r *postRuns) memBytes() int64 {
	n := int64(len(r.filter.bits))*8 + int64(cap(r.blk))
	for _, run := range r.runs {
		n += run.mem
	}
	return n + int64(len(r.late)+len(r.hashes))*64
}

// spillPosts writes the posts of c's table to disk as a run and empties
// the table; the next post takes the next id
//
// again: the table starts again (else it is let go: interning).
func (c *Collector) spillPosts(again bool) error {
	if c.pruns == nil {
		c.pruns = newPostRuns(c.budget.TempDir, c.budget.Mem)
	}
	r := c.pruns
	t := c.posts
	n := t.len()
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(t.name(a), t.name(b)) })
	w, err := r.create()
	if err != nil {
		return err
	}
	var hashes []uint64
	for _, l := range order {
		id := r.base + l
		name := t.name(l)
		hashes = hashes[:0]
		if h := c.postShare[l]; h != 0 {
			hashes = append(hashes, h)
		}
		hashes = append(hashes, c.more[id]...)
		w.add(postRec{name: unsafeBytes(name), id: id, acc: c.postAcc[l], hashes: hashes})
		r.filter.add(maphash.String(c.seed, name))
	}
	run, err := w.finish()
	if err != nil {
		return err
	}
	r.runs = append(r.runs, run)
	r.made++
	r.base += int32(n)
	// the table starts again, as large as it was (it will fill as much:
	// no growth and its copies on the way)
	slots, cols := len(t.slots), cap(c.postAcc)
	c.posts, c.more = nil, nil
	c.postAcc, c.postShare = nil, nil
	t, order = nil, nil
	if again {
		c.posts = &strtab{seed: c.seed, slots: make([]uint64, slots), missSlot: -1}
		c.postAcc, c.postShare = make([]int32, 0, cols), make([]uint64, 0, cols)
	}
	if again && len(r.runs) > maxPostRuns {
		return r.merge() // (interning merges them anyway)
	}
	return nil
}

// find returns the post named name (h its hash) if it is on disk.
func (r *postRuns) find(name string, h uint64) (postRec, bool, error) {
	if !r.filter.has(h) {
		return postRec{}, false, nil
	}
	for _, run := range r.runs {
		r.searched++
		rec, ok, err := run.find(name, &r.blk)
		if ok {
			r.found++
		}
		if err != nil || ok {
			return rec, ok, err
		}
	}
	return postRec{}, false, nil
}

// find looks name up in run: the block where it would be, read whole.
func (run *postRun) find(name string, buf *[]byte) (postRec, bool, error) {
	if run.n == 0 || name > run.last {
		return postRec{}, false, nil
	}
	// the last block whose first name is at most name
	i, _ := slices.BinarySearchFunc(run.first, name, strings.Compare)
	if i == len(run.first) || run.first[i] != name {
		i--
	}
	if i < 0 {
		return postRec{}, false, nil
	}
	end := run.size
	if i+1 < len(run.off) {
		end = run.off[i+1]
	}
	n := int(end - run.off[i])
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	b := (*buf)[:n]
	if _, err := run.f.ReadAt(b, run.off[i]); err != nil {
		return postRec{}, false, fmt.Errorf("coord: reading the posts spilled over the memory budget (--mem) from %s: %w", run.f.Name(), err)
	}
	for len(b) > 0 {
		// the name alone, and the rest skipped, until the one sought
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n+8 {
			return postRec{}, false, run.cut()
		}
		c := strings.Compare(unsafe.String(unsafe.SliceData(b[k:]), int(n)), name)
		if c == 0 {
			rec, _, err := decodePostRec(b)
			if err != nil {
				return postRec{}, false, run.cut()
			}
			rec.name = nil
			return rec, true, nil
		}
		if c > 0 {
			return postRec{}, false, nil
		}
		b = b[k+int(n)+8:]
		m, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k)/8 < m {
			return postRec{}, false, run.cut()
		}
		b = b[k+8*int(m):]
	}
	return postRec{}, false, nil
}

func (run *postRun) cut() error {
	return fmt.Errorf("coord: the posts spilled over the memory budget (--mem) to %s: %w", run.f.Name(), errPostRec)
}

// create starts a new run file.
func (r *postRuns) create() (*runWriter, error) {
	f, err := os.CreateTemp(r.dir, "tahqiq-coord-posts-*.run")
	if err != nil {
		return nil, fmt.Errorf("coord: spilling the posts read over the memory budget (--mem): %w", err)
	}
	os.Remove(f.Name())
	return &runWriter{r: r, run: &postRun{f: f}, w: bufio.NewWriterSize(f, 1<<20), blockAt: -postBlock}, nil
}

// runWriter writes a run: its records, in name order, and its index.
type runWriter struct {
	r       *postRuns
	run     *postRun
	w       *bufio.Writer
	buf     []byte
	blockAt int64
	first   strings.Builder
	ends    []int
	err     error

	lastName []byte
}

func (w *runWriter) add(rec postRec) {
	w.buf = encodePostRec(w.buf[:0], rec)
	if w.run.size+int64(len(w.buf)) > w.blockAt+postBlock {
		w.blockAt = w.run.size
		w.run.off = append(w.run.off, w.run.size)
		w.first.Write(rec.name)
		w.ends = append(w.ends, w.first.Len())
	}
	if w.err == nil {
		_, w.err = w.w.Write(w.buf)
	}
	w.lastName = append(w.lastName[:0], rec.name...)
	w.run.size += int64(len(w.buf))
	w.run.n++
}

func (w *runWriter) finish() (*postRun, error) {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if w.err != nil {
		w.run.f.Close()
		return nil, fmt.Errorf("coord: spilling the posts read over the memory budget (--mem) to %s: %w", w.run.f.Name(), w.err)
	}
	all, start := w.first.String(), 0
	w.run.last = string(w.lastName)
	w.run.mem = int64(len(all)) + 24*int64(len(w.ends)) + int64(len(w.lastName))
	w.run.first = make([]string, len(w.ends))
	for i, e := range w.ends {
		w.run.first[i] = all[start:e]
		start = e
	}
	w.r.bytes += w.run.size
	return w.run, nil
}

func encodePostRec(b []byte, rec postRec) []byte {
	b = binary.AppendUvarint(b, uint64(len(rec.name)))
	b = append(b, rec.name...)
	b = binary.LittleEndian.AppendUint32(b, uint32(rec.id))
	b = binary.LittleEndian.AppendUint32(b, uint32(rec.acc))
	b = binary.AppendUvarint(b, uint64(len(rec.hashes)))
	for _, h := range rec.hashes {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b
}

var errPostRec = errors.New("a post's record is cut short")

// decodePostRec decodes the record at the start of b (its name and hashes
// point into b) and returns the rest of b.
func decodePostRec(b []byte) (postRec, []byte, error) {
	var rec postRec
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n+8 {
		return rec, nil, errPostRec
	}
	b = b[k:]
	rec.name, b = b[:n], b[n:]
	rec.id = int32(binary.LittleEndian.Uint32(b))
	rec.acc = int32(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	m, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k)/8 < m {
		return rec, nil, errPostRec
	}
	b = b[k:]
	if m > 0 {
		rec.hashes = make([]uint64, m)
		for i := range rec.hashes {
			rec.hashes[i] = binary.LittleEndian.Uint64(b[8*i:])
		}
	}
	return rec, b[8*m:], nil
}

// runReader reads a run's records in order.
type runReader struct {
	r   *bufio.Reader
	buf []byte
	rec postRec
	err error
}

func (run *postRun) reader() *runReader {
	return &runReader{r: bufio.NewReaderSize(io.NewSectionReader(run.f, 0, run.size), 256<<10)}
}

// next reads the next record into rr.rec (its name valid until the next
// call): false at the end or on an error (rr.err).
func (rr *runReader) next() bool {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		if err != io.EOF {
			rr.err = err
		}
		return false
	}
	if cap(rr.buf) < int(n)+8 {
		rr.buf = make([]byte, int(n)+8)
	}
	b := rr.buf[:int(n)+8]
	if _, err := io.ReadFull(rr.r, b); err != nil {
		rr.err = errPostRec
		return false
	}
	rr.rec.name = b[:n]
	rr.rec.id = int32(binary.LittleEndian.Uint32(b[n:]))
	rr.rec.acc = int32(binary.LittleEndian.Uint32(b[n+4:]))
	m, err := binary.ReadUvarint(rr.r)
	if err != nil || m > 1<<24 {
		rr.err = errPostRec
		return false
	}
	rr.rec.hashes = rr.rec.hashes[:0]
	var h [8]byte
	for range m {
		if _, err := io.ReadFull(rr.r, h[:]); err != nil {
			rr.err = errPostRec
			return false
		}
		rr.rec.hashes = append(rr.rec.hashes, binary.LittleEndian.Uint64(h[:]))
	}
	return true
}

// each calls yield with every post on disk in name order (the runs
// merged), until it returns false.
func (r *postRuns) each(yield func(rec *postRec) bool) error {
	rs := make([]*runReader, 0, len(r.runs))
	for _, run := range r.runs {
		rr := run.reader()
		if rr.next() {
			rs = append(rs, rr)
		} else if rr.err != nil {
			return r.readErr(run, rr.err)
		}
	}
	less := func(a, b *runReader) bool { return string(a.rec.name) < string(b.rec.name) }
	// a binary heap of the readers by their current name
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(rs) {
				return
			}
			if l+1 < len(rs) && less(rs[l+1], rs[l]) {
				l++
			}
			if !less(rs[l], rs[i]) {
				return
			}
			rs[i], rs[l] = rs[l], rs[i]
			i = l
		}
	}
	for i := len(rs)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(rs) > 0 {
		if !yield(&rs[0].rec) {
			return nil
		}
		if !rs[0].next() {
			if err := rs[0].err; err != nil {
				return fmt.Errorf("coord: reading back the posts spilled over the memory budget (--mem): %w", err)
			}
			rs[0] = rs[len(rs)-1]
			rs = rs[:len(rs)-1]
		}
		down(0)
	}
	return nil
}

func (r *postRuns) readErr(run *postRun, err error) error {
	return fmt.Errorf("coord: reading back the posts spilled over the memory budget (--mem) from %s: %w", run.f.Name(), err)
}

// merge merges every run into one.
func (r *postRuns) merge() error {
	w, err := r.create()
	if err != nil {
		return err
	}
	if err := r.each(func(rec *postRec) bool { w.add(*rec); return w.err == nil }); err != nil {
		w.run.f.Close()
		return err
	}
	run, err := w.finish()
	if err != nil {
		return err
	}
	r.close()
	r.runs = []*postRun{run}
	return nil
}

// close closes the runs' files.
func (r *postRuns) close() {
	for _, run := range r.runs {
		run.f.Close()
	}
	for _, f := range r.ranks {
		f.Close()
	}
	r.runs, r.ranks = nil, nil
}

// bloom is a Bloom filter of 64-bit hashes, blocked: the four bits of
// a hash are in one block of 512 bits (a cache line), so that a lookup
// costs one miss of the cache, not four.
type bloom struct {
	bits []uint64
	mask uint64 // of the block index
}

// newBloom returns a filter of about size bytes (a power of two, 64 KiB
// at least, 1 GiB at most).
func newBloom(size int64) bloom {
	n := int64(64 << 10)
	for n*2 <= size && n < 1<<30 {
		n *= 2
	}
	return bloom{bits: make([]uint64, n/8), mask: uint64(n/64 - 1)}
}

// probes returns the block of h (the index of its first word) and its
// four bits in it (9 bits each of h's low 36).
func (b *bloom) probes(h uint64) (int, [4]uint16) {
	blk := int((h>>36)&b.mask) * 8
	return blk, [4]uint16{uint16(h & 511), uint16(h >> 9 & 511), uint16(h >> 18 & 511), uint16(h >> 27 & 511)}
}

func (b *bloom) add(h uint64) {
	blk, p := b.probes(h)
	for _, i := range p {
		b.bits[blk+int(i>>6)] |= 1 << (i & 63)
	}
}

func (b *bloom) has(h uint64) bool {
	blk, p := b.probes(h)
	for _, i := range p {
		if b.bits[blk+int(i>>6)]&(1<<(i&63)) == 0 {
			return false
		}
	}
	return true
}

// postRankChunk is how many posts' ranks interning holds at once when
// the posts are on disk (4 bytes each, beside the rows): a sixty-fourth
// of the budget, 262,144 at least (a variable for the tests). Each chunk
// costs a pass over the rows in memory (some 20 ms at 10M) and a file.
var postRankChunk = func(mem int64) int32 {
	return int32(max(1<<18, min(mem/64/4, 1<<30)))
}

// maxRankFiles is the most files the ranks are written to: past it, the
// chunks are larger.
const maxRankFiles = 256

// names makes in's posts (as mode says: kept, on disk in dir, or only
// their number) of the posts on disk that used holds, in name order.
func (r *postRuns) names(in *interned, mode postsMode, used bitset, dir string) error {
	n := 0
	for _, w := range used {
		n += bits.OnesCount64(w)
	}
	var err error
	seq := func(yield func(string) bool) {
		if e := r.each(func(rec *postRec) bool {
			if used.has(rec.id) {
				return yield(unsafe.String(unsafe.SliceData(rec.name), len(rec.name)))
			}
			return true
		}); e != nil && err == nil {
			err = e
		}
	}
	switch mode {
	case postsKept:
		in.posts = packPostNamesSeq(n, seq)
	case postsOnDisk:
		var e error
		in.posts, e = writePostNamesSeq(dir, n, seq)
		if err == nil {
			err = e
		}
	default:
		in.posts = postNames{n: n}
	}
	return err
}

// writeRanks ranks the posts on disk that used holds by name, in one
// merge of the runs, and writes each one's id and rank (4 bytes each) to
// a file per chunk of chunk ids (unlinked), for rankRows: made before the
// rows come back, while the heap holds little, so that the merge does not
// run beside them.
func (r *postRuns) writeRanks(used bitset, chunk int32) error {
	chunk = max(chunk, int32((int64(r.base)+maxRankFiles-1)/maxRankFiles))
	r.chunk = chunk
	k := int((int64(r.base) + int64(chunk) - 1) / int64(chunk))
	ws := make([]*bufio.Writer, k)
	for i := range k {
		f, err := os.CreateTemp(r.dir, "tahqiq-coord-posts-*.ranks")
		if err != nil {
			return fmt.Errorf("coord: ranking the posts spilled over the memory budget (--mem): %w", err)
		}
		os.Remove(f.Name())
		r.ranks = append(r.ranks, f)
		ws[i] = bufio.NewWriterSize(f, 64<<10)
	}
	rank := uint32(0)
	var b [8]byte
	var werr error
	if err := r.each(func(rec *postRec) bool {
		if used.has(rec.id) {
			binary.LittleEndian.PutUint32(b[:], uint32(rec.id))
			binary.LittleEndian.PutUint32(b[4:], rank)
			if _, werr = ws[rec.id/chunk].Write(b[:]); werr != nil {
				return false
			}
			rank++
		}
		return true
	}); err != nil {
		return err
	}
	for i, w := range ws {
		if werr == nil {
			werr = w.Flush()
		}
		if werr != nil {
			return fmt.Errorf("coord: ranking the posts spilled over the memory budget (--mem) to %s: %w", r.ranks[i].Name(), werr)
		}
	}
	return nil
}

// rankRows gives rows the ids of the interned input for their posts (on
// disk, ranked by writeRanks), a chunk of ids at a time: the chunk's ranks
// read from its file (4 bytes a post of the chunk), then given to the rows
// of that chunk. A row done holds its rank complemented (negative) until
// every chunk is.
func (r *postRuns) rankRows(rows []row) error {
	total, chunk := r.base, r.chunk
	to := make([]int32, min(chunk, total))
	var b [8]byte
	for i, f := range r.ranks {
		lo := int32(i) * chunk
		hi := lo + min(chunk, total-lo)
		br := bufio.NewReaderSize(io.NewSectionReader(f, 0, 1<<62), 64<<10)
		for {
			if _, err := io.ReadFull(br, b[:]); err != nil {
				if err == io.EOF {
					break
				}
				return fmt.Errorf("coord: reading back the posts' ranks from %s: %w", f.Name(), err)
			}
			id := int32(binary.LittleEndian.Uint32(b[:]))
			if id < lo || id >= hi {
				return fmt.Errorf("coord: reading back the posts' ranks from %s: post %d outside %d-%d", f.Name(), id, lo, hi)
			}
			to[id-lo] = int32(binary.LittleEndian.Uint32(b[4:]))
		}
		for i := range rows {
			if p := rows[i].post; p >= lo && p < hi {
				rows[i].post = ^to[p-lo]
			}
		}
	}
	for i := range rows {
		rows[i].post = ^rows[i].post
	}
	return nil
}

func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
