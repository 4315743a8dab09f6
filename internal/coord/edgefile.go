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
	err    error // the first write error
}

// edgeRecord is the size of an edge on disk with ntypes per-type counts:
// six int32, six int64, the weight's float64, then the counts.
func edgeRecord(ntypes int) int { return 6*4 + 6*8 + 8 + 4*ntypes }

func newEdgeFile(dir string, ntypes int) (*edgeFile, error) {
	f, err := os.CreateTemp(dir, "tahqiq-coord-edges-*")
	if err != nil {
		return nil, fmt.Errorf("coord: spilling edges over the memory budget (--mem): %w", err)
	}
	os.Remove(f.Name()) // where the system allows it; the open file stays
	return &edgeFile{f: f, w: bufio.NewWriterSize(f, 1<<20), ntypes: ntypes, rec: make([]byte, edgeRecord(ntypes))}, nil
}

func (s *edgeFile) add(e *Edge, bt []int32) {
	if s.err != nil {
		return
	}
	b := s.rec
	le := binary.LittleEndian
	for i, x := range [6]int32{e.A, e.B, e.Objects, e.bt, e.PostsA, e.PostsB} {
		le.PutUint32(b[4*i:], uint32(x))
	}
	for i, x := range [6]int64{e.Pairs, e.SumDt, e.MinDt, e.First, e.Last, e.Fast} {
		le.PutUint64(b[24+8*i:], uint64(x))
	}
	le.PutUint64(b[72:], math.Float64bits(e.Weight))
	for i, x := range bt {
		le.PutUint32(b[80+4*i:], uint32(x))
	}
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

// each calls fn with every edge in the file, in order, and its per-type
// counts (both reused between calls). Passes may run at the same time
// (each reads at its own offsets).
func (s *edgeFile) each(fn func(e *Edge, bt []int32) error) error {
	r := bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.bytes), 1<<20)
	b := make([]byte, edgeRecord(s.ntypes))
	bt := make([]int32, s.ntypes)
	le := binary.LittleEndian
	var e Edge
	for range s.n {
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("coord: reading back the spilled edges: %w", err)
		}
		var i32 [6]int32
		for i := range i32 {
			i32[i] = int32(le.Uint32(b[4*i:]))
		}
		var i64 [6]int64
		for i := range i64 {
			i64[i] = int64(le.Uint64(b[24+8*i:]))
		}
		e = Edge{A: i32[0], B: i32[1], Objects: i32[2], bt: i32[3], PostsA: i32[4], PostsB: i32[5],
			Pairs: i64[0], SumDt: i64[1], MinDt: i64[2], First: i64[3], Last: i64[4], Fast: i64[5],
			Weight: math.Float64frombits(le.Uint64(b[72:]))}
		for i := range bt {
			bt[i] = int32(le.Uint32(b[80+4*i:]))
		}
		if err := fn(&e, bt); err != nil {
			return err
		}
	}
	return nil
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
// of each account (the graph step's list lengths).
func weighFile(s *edgeFile, p *Params, naccounts int) (threshold float64, kept, flagged, accounts int64, deg []int64, err error) {
	var ws []float64
	deg = make([]int64, naccounts)
	err = s.each(func(e *Edge, _ []int32) error {
		if weighOne(e, p) {
			ws = append(ws, e.Weight)
			for _, a := range [2]int32{e.A, e.B} {
				if deg[a]++; deg[a] == 1 {
					accounts++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, 0, 0, nil, err
	}
	threshold = math.Inf(-1)
	if p.Percentile > 0 && len(ws) > 0 {
		threshold = Quantile(ws, p.Percentile)
	}
	for _, w := range ws {
		if w > threshold {
			flagged++
		}
	}
	return threshold, int64(len(ws)), flagged, accounts, deg, nil
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
