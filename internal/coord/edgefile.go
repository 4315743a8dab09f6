package coord

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
)

// edgeFile holds a run's edges on disk instead of in memory: the memory
// budget's last resort. The fold appends each edge as it completes it,
// in (A, B) order; the weights, the percentile threshold and the counts
// come from one pass over it (weighFile), the graph step's CSR from two
// more (graphStep), and every file that lists edges is written from
// another pass each. The file is unlinked as soon as it is made: it
// goes when the run's Result does (or the process).
type edgeFile struct {
	f      *os.File
	w      *bufio.Writer
	ntypes int
	n      int   // edges written
	bytes  int64 // written
	rec    []byte
	prevA  int32 // the last edge's A (the next is stored as a difference)
	err    error // the first write error
	dir    string
	// tail is the files whose edges follow this one's (a fold on several
	// goroutines writes a file each, for a range of accounts): each
	// reads them all, in order (joinEdgeFiles)
	tail []*edgeFile
}

// An edge is stored in about 30 bytes (varints, most of them one or two
// bytes; 88 plus 4 a type in memory): A as the difference from the
// previous edge's (edges come in (A, B) order: mostly 0), B as B - A, the
// counts, MinDt, First, Last - First and SumDt, Fast, then the weight's
// float64 bits (the collab sum or TF-IDF cosine of the fold) and the
// per-type counts. Every field round-trips exactly (TestEdgeFileRoundTrip).

func newEdgeFile(dir string, ntypes int) (*edgeFile, error) {
	f, err := os.CreateTemp(dir, "tahqiq-coord-edges-*")
	if err != nil {
		return nil, fmt.Errorf("coord: spilling edges over the memory budget (--mem): %w", err)
	}
	os.Remove(f.Name()) // where the system allows it; the open file stays
	return &edgeFile{f: f, w: bufio.NewWriterSize(f, 1<<20), ntypes: ntypes, dir: dir}, nil
}

// sibling makes another edge file in s's directory, for the edges that
// follow s's (joinEdgeFiles).
func (s *edgeFile) sibling() (*edgeFile, error) { return newEdgeFile(s.dir, s.ntypes) }

// joinEdgeFiles returns the edge file whose edges are those of files,
// one after the other (each finished, none joined already).
func joinEdgeFiles(files []*edgeFile) *edgeFile {
	first := files[0]
	first.tail = append([]*edgeFile(nil), files[1:]...)
	return first
}

// segments returns the files whose edges s holds, in order.
func (s *edgeFile) segments() []*edgeFile {
	return append([]*edgeFile{s}, s.tail...)
}

// size is the bytes of s's edges, in every file.
func (s *edgeFile) size() int64 {
	n := s.bytes
	for _, t := range s.tail {
		n += t.bytes
	}
	return n
}

func (s *edgeFile) add(e *Edge, bt []int32) {
	if s.err != nil {
		return
	}
	b := s.rec[:0]
	b = binary.AppendUvarint(b, uint64(uint32(e.A-s.prevA)))
	s.prevA = e.A
	b = binary.AppendUvarint(b, uint64(uint32(e.B-e.A)))
	for _, x := range [4]int32{e.Objects, e.bt, e.PostsA, e.PostsB} {
		b = binary.AppendUvarint(b, uint64(uint32(x)))
	}
	for _, x := range [6]int64{e.Pairs, e.SumDt, e.MinDt, e.First, e.Last - e.First, e.Fast} {
		b = binary.AppendVarint(b, x)
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Weight))
	for _, x := range bt {
		b = binary.AppendUvarint(b, uint64(uint32(x)))
	}
	s.rec = b
	if _, err := s.w.Write(b); err != nil {
		s.err = fmt.Errorf("coord: spilling edges over the memory budget (--mem) to %s: %w", s.f.Name(), err)
	}
	s.n++
	s.bytes += int64(len(b))
}

// finish flushes what add wrote.
func (s *edgeFile) finish() error {
	if s.err == nil {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("coord: spilling edges over the memory budget (--mem) to %s: %w", s.f.Name(), err)
		}
	}
	return s.err
}

// each calls fn with every edge in the file (and those joined after
// it), in order, and its per-type counts (both reused between calls).
// Passes may run at the same time (each reads at its own offsets).
//
// The edges of each file are decoded on a goroutine of their own, a
// block of edges ahead of fn (eachBlock edges, at most eachAhead blocks
// ahead: about 1 MiB a file), so that decoding them is off the caller's
// core: the graph step's build of its network and the writer of
// edges.csv, which take the edges one after the other, wait for it no
// more. Files of fewer than eachAheadMin edges are decoded by the caller.
func (s *edgeFile) each(fn func(e *Edge, bt []int32) error) error {
	segs := s.segments()
	total := 0
	for _, seg := range segs {
		total += seg.n
	}
	if total < eachAheadMin {
		for _, seg := range segs {
			if err := seg.eachOwn(fn); err != nil {
				return err
			}
		}
		return nil
	}
	done := make(chan struct{})
	defer close(done)
	type block struct {
		edges []Edge
		bt    []int32
		err   error
	}
	full := make([]chan *block, len(segs))
	free := make([]chan *block, len(segs))
	for k, seg := range segs {
		full[k], free[k] = make(chan *block, eachAhead), make(chan *block, eachAhead)
		for range eachAhead {
			free[k] <- &block{edges: make([]Edge, 0, eachBlock), bt: make([]int32, 0, eachBlock*s.ntypes)}
		}
		go func() {
			defer close(full[k])
			var b *block
			select {
			case b = <-free[k]:
			case <-done:
				return
			}
			err := seg.eachOwn(func(e *Edge, bt []int32) error {
				b.edges = append(b.edges, *e)
				b.bt = append(b.bt, bt...)
				if len(b.edges) < eachBlock {
					return nil
				}
				select {
				case full[k] <- b:
				case <-done:
					return errStop
				}
				select {
				case b = <-free[k]:
				case <-done:
					return errStop
				}
				b.edges, b.bt = b.edges[:0], b.bt[:0]
				return nil
			})
			if err == errStop {
				return
			}
			b.err = err
			select {
			case full[k] <- b:
			case <-done:
			}
		}()
	}
	nt := s.ntypes
	for k := range segs {
		for b := range full[k] {
			for i := range b.edges {
				if err := fn(&b.edges[i], b.bt[i*nt:(i+1)*nt:(i+1)*nt]); err != nil {
					return err
				}
			}
			if b.err != nil {
				return b.err
			}
			free[k] <- b
		}
	}
	return nil
}

// each's blocks of edges decoded ahead (variables: a test makes them
// small).
var (
	eachBlock    = 4096
	eachAhead    = 3
	eachAheadMin = 1 << 16
)

// eachOwn is each over the edges of s's own file.
func (s *edgeFile) eachOwn(fn func(e *Edge, bt []int32) error) error {
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.bytes), 1<<20)
	bt := make([]int32, s.ntypes)
	// a record is decoded from the reader's buffer (Peek), not a byte
	// at a time: at most 6 varints of 32 bits, 6 of 64, the weight and
	// a varint a type
	maxRec := 6*binary.MaxVarintLen32 + 6*binary.MaxVarintLen64 + 8 + s.ntypes*binary.MaxVarintLen32
	var e Edge
	a := int32(0)
	for k := range s.n {
		b, err := r.Peek(maxRec)
		if len(b) == 0 {
			return fmt.Errorf("coord: reading back the spilled edges: %w", cmpErr(err, io.ErrUnexpectedEOF))
		}
		i, bad := 0, false
		u32 := func() int32 {
			if i < len(b) && b[i] < 0x80 { // one byte: most of them
				i++
				return int32(b[i-1])
			}
			x, n := binary.Uvarint(b[i:])
			if n <= 0 {
				bad = true
				return 0
			}
			i += n
			return int32(uint32(x))
		}
		i64 := func() int64 {
			if i < len(b) && b[i] < 0x80 {
				u := int64(b[i])
				i++
				return u>>1 ^ -(u & 1) // zigzag, as binary.Varint
			}
			x, n := binary.Varint(b[i:])
			if n <= 0 {
				bad = true
				return 0
			}
			i += n
			return x
		}
		a += u32()
		e = Edge{A: a}
		e.B = a + u32()
		e.Objects, e.bt, e.PostsA, e.PostsB = u32(), u32(), u32(), u32()
		e.Pairs, e.SumDt, e.MinDt, e.First = i64(), i64(), i64(), i64()
		e.Last = e.First + i64()
		e.Fast = i64()
		if bad || i+8 > len(b) {
			return fmt.Errorf("coord: reading back the spilled edges: edge %d of %d is cut short", k+1, s.n)
		}
		e.Weight = math.Float64frombits(binary.LittleEndian.Uint64(b[i:]))
		i += 8
		for t := range bt {
			bt[t] = u32()
		}
		if bad {
			return fmt.Errorf("coord: reading back the spilled edges: edge %d of %d is cut short", k+1, s.n)
		}
		if _, err := r.Discard(i); err != nil {
			return fmt.Errorf("coord: reading back the spilled edges: %w", err)
		}
		if err := fn(&e, bt); err != nil {
			return err
		}
	}
	return nil
}

// cmpErr is err, or def when err is nil.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// eachKept calls fn with every edge weigh keeps, weighed and flagged
// as weigh does (threshold: the run's percentile threshold).
func (s *edgeFile) eachKept(p *Params, threshold float64, fn func(e *Edge, bt []int32) error) error {
	return s.each(func(e *Edge, bt []int32) error {
		if !weighOne(e, p) {
			return nil
		}
		e.Flagged = e.Weight > threshold
		return fn(e, bt)
	})
}

// weighFile is weigh over the edges of s: the percentile threshold of
// the kept edges' weights, the run's counts of them, and the kept edges
// of each account (the graph step's list lengths). The files of s (its
// segments: a range of accounts each) are read on goroutines of their
// own, their weights and counts then added up: the same set of weights
// and counts as one pass gives.
func weighFile(s *edgeFile, p *Params, naccounts int) (threshold float64, kept, flagged, accounts int64, deg []int64, err error) {
	segs := s.segments()
	type part struct {
		ws  weightSet // readspill: counts of distinct weights, not a list of them
		deg []int64
		err error
	}
	parts := make([]part, len(segs))
	var wg sync.WaitGroup
	for k, seg := range segs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := &parts[k]
			x.deg = make([]int64, naccounts)
			x.err = seg.eachOwn(func(e *Edge, _ []int32) error {
				if weighOne(e, p) {
					x.ws.add(e.Weight)
					x.deg[e.A]++
					x.deg[e.B]++
				}
				return nil
			})
		}()
	}
	wg.Wait()
	ws, deg := &parts[0].ws, parts[0].deg
	for k := range parts {
		if err := parts[k].err; err != nil {
			return 0, 0, 0, 0, nil, err
		}
		if k > 0 {
			ws.merge(&parts[k].ws)
			for a, d := range parts[k].deg {
				deg[a] += d
			}
			parts[k] = part{}
		}
	}
	for _, d := range deg {
		if d > 0 {
			accounts++
		}
	}
	threshold = math.Inf(-1)
	if p.Percentile > 0 && ws.n > 0 {
		threshold = ws.quantile(p.Percentile)
	}
	return threshold, ws.n, ws.above(threshold), accounts, deg, nil
}

// errStop stops an iteration over edges early (not an error of the run).
var errStop = errors.New("coord: stop")

// edgeRoom returns the bytes the budget leaves now (after a collection)
// for the edges of the run.
func (b Budget) edgeRoom() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return b.Mem - int64(ms.HeapAlloc)
}
