package coord

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"strings"
	"sync"
	"unsafe"
)

// postNames are the names of a run's posts by id (ranks in name order),
// packed: one string and where each name ends in it (4 bytes a post, 8
// once the names pass 4 GiB), instead of a string header of 16 bytes a
// post and the bytes of each. A run that writes no evidence keeps no post
// name at all, only how many there are (dropNames): its pairs, edges and
// every other output name accounts and objects, never posts, and the
// names of 10M posts are some 240 MB of heap (16 + about 8 bytes each).
// A run over its memory budget that writes evidence keeps them on disk
// (writePostNames) until the evidence asks for them (load): not held
// while it pairs, folds and makes the graph.
type postNames struct {
	n     int
	all   string
	end32 []uint32
	end64 []int64
	disk  *postFile // the names wait here (nil: in memory, or none)
}

// postFile is an unlinked temporary file of post names: their bytes, then
// their ends (4 or 8 bytes each, as in memory).
type postFile struct {
	f     *os.File
	bytes int64 // of names, before the ends
	wide  bool  // 8-byte ends
	once  sync.Once
	err   error
}

// postsMode is what interning does with the posts' names.
type postsMode int

const (
	postsKept    postsMode = iota // in memory
	postsDropped                  // their number only (a run without evidence)
	postsOnDisk                   // on disk if the read spilled its rows, else in memory
)

// postNames32 is the most bytes of names that 4-byte ends can say (a
// variable for the test of the wider ends).
var postNames32 = math.MaxUint32

// errNoPostNames is the error of what needs the posts' names from a run
// that kept none (Params.Evidence off).
var errNoPostNames = errors.New("coord: the run was made without evidence (Params.Evidence false) and kept no post names")

// packPostNames returns the n names name(0) … name(n-1), packed in that
// order.
func packPostNames(n int, name func(i int) string) postNames {
	return packPostNamesSeq(n, indexed(n, name))
}

// indexed yields name(0) … name(n-1).
func indexed(n int, name func(i int) string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range n {
			if !yield(name(i)) {
				return
			}
		}
	}
}

// packPostNamesSeq returns the n names that names yields (twice: it is
// called twice), packed in that order.
func packPostNamesSeq(n int, names iter.Seq[string]) postNames {
	total := 0
	for s := range names {
		total += len(s)
	}
	var b strings.Builder
	b.Grow(total)
	p := postNames{n: n}
	if total <= postNames32 {
		p.end32 = make([]uint32, n)
	} else {
		p.end64 = make([]int64, n)
	}
	i := 0
	for s := range names {
		if i == n {
			break
		}
		b.WriteString(s)
		if p.end32 != nil {
			p.end32[i] = uint32(b.Len())
		} else {
			p.end64[i] = int64(b.Len())
		}
		i++
	}
	p.all = b.String()
	return p
}

// len returns the number of posts (kept or not).
func (p *postNames) len() int { return p.n }

// kept reports whether p holds the names, in memory or on disk (every
// run that writes evidence, near-text runs, partitioned runs).
func (p *postNames) kept() bool { return p.n == 0 || p.end32 != nil || p.end64 != nil || p.disk != nil }

// drop lets the names go and keeps their number.
func (p *postNames) drop() {
	if p.disk != nil {
		p.disk.f.Close()
	}
	*p = postNames{n: p.n}
}

// writePostNames writes the n names name(0) … name(n-1) to an unlinked
// temporary file in dir ("": the system's) and returns them as waiting
// there: what the heap holds meanwhile is the ends, 4 bytes a name, and
// only until they are written after the names.
func writePostNames(dir string, n int, name func(i int) string) (postNames, error) {
	return writePostNamesSeq(dir, n, indexed(n, name))
}

// writePostNamesSeq is writePostNames of the n names that names yields
// (twice: it is called twice).
func writePostNamesSeq(dir string, n int, names iter.Seq[string]) (postNames, error) {
	f, err := os.CreateTemp(dir, "tahqiq-coord-posts-*.names")
	if err != nil {
		return postNames{}, spillError("the posts' names", err)
	}
	// unlinked: the file goes with the process, however it ends
	os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	total := 0
	for s := range names {
		total += len(s)
	}
	p := postNames{n: n}
	if total <= postNames32 {
		p.end32 = make([]uint32, n)
	} else {
		p.end64 = make([]int64, n)
	}
	off, i := 0, 0
	for s := range names {
		if i == n {
			break
		}
		w.WriteString(s)
		off += len(s)
		if p.end32 != nil {
			p.end32[i] = uint32(off)
		} else {
			p.end64[i] = int64(off)
		}
		i++
	}
	pf := &postFile{f: f, bytes: int64(total), wide: p.end64 != nil}
	if n > 0 {
		w.Write(p.endBytes())
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return postNames{}, spillError(fmt.Sprintf("the posts' names to %s", f.Name()), err)
	}
	return postNames{n: n, disk: pf}, nil
}

// endBytes returns the memory of p's ends.
func (p *postNames) endBytes() []byte {
	if p.end32 != nil {
		return unsafe.Slice((*byte)(unsafe.Pointer(&p.end32[0])), 4*len(p.end32))
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&p.end64[0])), 8*len(p.end64))
}

// load reads the names back into memory where they wait on disk (once;
// safe for concurrent use) and closes their file.
func (p *postNames) load() error {
	d := p.disk
	if d == nil {
		return nil
	}
	d.once.Do(func() {
		defer d.f.Close()
		q := postNames{n: p.n}
		if d.wide {
			q.end64 = make([]int64, p.n)
		} else {
			q.end32 = make([]uint32, p.n)
		}
		all := make([]byte, d.bytes)
		r := bufio.NewReaderSize(io.NewSectionReader(d.f, 0, 1<<62), 1<<20)
		_, err := io.ReadFull(r, all)
		if err == nil && p.n > 0 {
			_, err = io.ReadFull(r, q.endBytes())
		}
		if err != nil {
			d.err = fmt.Errorf("coord: reading back the posts' names spilled over the memory budget (--mem) from %s: %w", d.f.Name(), err)
			return
		}
		q.all = unsafe.String(unsafe.SliceData(all), len(all))
		p.all, p.end32, p.end64 = q.all, q.end32, q.end64
	})
	return d.err
}

// end returns where name i ends in p.all.
func (p *postNames) end(i int) int {
	if p.end32 != nil {
		return int(p.end32[i])
	}
	return int(p.end64[i])
}

// at returns the name of post id i; p must hold them in memory (kept,
// and load called where they waited on disk).
func (p *postNames) at(i int32) string {
	start := 0
	if i > 0 {
		start = p.end(int(i) - 1)
	}
	return p.all[start:p.end(int(i))]
}

// perPost is what the run knows of each post beside its name: its
// earliest time and its author (the author of its last row, as every row
// of a post is by its author unless a post id was given to two accounts).
// It is made from the rows the first time it is asked for (nodes.csv,
// the partitioned min-participation counts), not by every run: 12 bytes a
// post, 120 MB at 10M posts.
type perPost struct {
	once sync.Once
	time []int64
	acc  []int32
}

// posts returns the earliest time and the author of each post.
func (in *interned) perPost() (postTime []int64, postAcc []int32) {
	pp := &in.postInfo
	pp.once.Do(func() {
		pp.time = make([]int64, in.posts.len())
		pp.acc = make([]int32, in.posts.len())
		for i := range pp.time {
			pp.time[i] = 1<<62 - 1
		}
		for _, r := range in.rows {
			if t := in.time(&r); t < pp.time[r.post] {
				pp.time[r.post] = t
			}
			pp.acc[r.post] = r.acc
		}
	})
	return pp.time, pp.acc
}
