package coord

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// pairRef is an in-window pair of rows (indices into input.rows), i < j.
type pairRef struct{ i, j int32 }

// eachPair calls fn for every pair of rows of object o that falls in the
// window, skipping pairs of one account or one post; active filters rows
// (nil: all).
func (in *interned) eachPair(o int32, kind string, w int64, active func(r *row) bool, fn func(i, j int32)) {
	if in.remote != nil {
		// pairs computed by ObjectPairs elsewhere: the kernel's skips are
		// per row, so filtering them afterwards gives the same sequence
		for _, p := range in.remote[o] {
			if active == nil || (active(&in.rows[p.i]) && active(&in.rows[p.j])) {
				fn(p.i, p.j)
			}
		}
		return
	}
	in.eachPairFrom(o, in.objStart[o], in.objStart[o+1], kind, w, active, fn)
}

// eachPairFrom is eachPair of the pairs (i, j) of object o whose first
// row i is one of from to to (not included): the pairs of consecutive
// ranges of rows, one after the other, are the object's in eachPair's
// order.
func (in *interned) eachPairFrom(o, from, to int32, kind string, w int64, active func(r *row) bool, fn func(i, j int32)) {
	lo, hi := in.objStart[o], in.objStart[o+1]
	rows := in.rows
	if hi-lo < 2 {
		return
	}
	t0 := int64(rows[lo].t)
	verify := in.nearType >= 0 && in.objType[o] == in.nearType
	end := from // the end of the previous row's window
	for i := from; i < to; i++ {
		ri := &rows[i]
		if active != nil && !active(ri) {
			continue
		}
		// windowEnd, its window's last time computed once
		ti := int64(ri.t)
		last := windowLast(kind, t0, ti, w)
		if ti > last {
			// past its own window (from-first only): so is every
			// later row
			return
		}
		end = in.rowsUpTo(last, max(end, i+1), hi)
		for j := i + 1; j < end; j++ {
			rj := &rows[j]
			if rj.acc == ri.acc || rj.post == ri.post {
				continue
			}
			if active != nil && !active(rj) {
				continue
			}
			if verify && jaccard(in.tokens(i, ri), in.tokens(j, rj)) < in.jaccard {
				continue
			}
			fn(i, j)
		}
	}
}

// tokens is the token set of row i (r) for the near-text test: the row's
// own where the object brought them (rowTokens: one object on a worker),
// else its post's.
func (in *interned) tokens(i int32, r *row) []uint64 {
	if in.rowTokens != nil {
		return in.rowTokens[i]
	}
	return in.postTokens[r.post]
}

// parallelObjects runs fn over contiguous ranges of objects on workers
// goroutines and returns the per-range results in object order, so that
// concatenating them gives the same sequence whatever the worker count.
// Each range done counts its objects to prog.
func parallelObjects[T any](n int, workers int, prog *progress.Phase, fn func(lo, hi int32) T) []T {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const chunk = 1024
	nchunks := (n + chunk - 1) / chunk
	out := make([]T, nchunks)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers && w < nchunks; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= nchunks {
					return
				}
				lo := c * chunk
				hi := min(lo+chunk, n)
				out[c] = fn(int32(lo), int32(hi))
				prog.Add(int64(hi - lo))
			}
		}()
	}
	wg.Wait()
	return out
}

// pairSpan is a part of the sweep: the objects o to end (not included)
// or, from < to, the pairs of object o whose first row is one of from to
// to (a part of a large object).
type pairSpan struct{ o, end, from, to int32 }

// eachSpan is eachPair over the objects or rows of s.
func (in *interned) eachSpan(s pairSpan, kind string, w int64, active func(r *row) bool, fn func(o int32, i, j int32)) {
	if s.from < s.to {
		in.eachPairFrom(s.o, s.from, s.to, kind, w, active, func(i, j int32) { fn(s.o, i, j) })
		return
	}
	for o := s.o; o < s.end && !in.stop.Load(); o++ {
		in.eachPair(o, kind, w, active, func(i, j int32) { fn(o, i, j) })
	}
}

// objectsDone is the objects s finishes (for the progress meter).
func (in *interned) objectsDone(s pairSpan) int64 {
	if s.from < s.to {
		if s.to == in.objStart[s.o+1] {
			return 1
		}
		return 0
	}
	return int64(s.end - s.o)
}

// pairSpans cuts objects lo to hi (not included) into spans of at most
// about target in-window pairs each (bound: each object's windowPairs):
// runs of whole objects, and an object of more cut into ranges of its
// rows, so that the goroutines of a sweep get about equal work however
// large an object is (the largest hashtag of 1M synthetic posts makes
// 1.4M of its 3.3M pairs, which one goroutine made alone).
func (in *interned) pairSpans(lo, hi int32, bound func(o int32) int64, target, w int64) []pairSpan {
	target = max(target, 1)
	var out []pairSpan
	start, sum := lo, int64(0)
	for o := lo; o < hi; o++ {
		b := bound(o)
		if b <= target {
			if sum+b > target && o > start {
				out = append(out, pairSpan{o: start, end: o})
				start, sum = o, 0
			}
			sum += b
			continue
		}
		if o > start {
			out = append(out, pairSpan{o: start, end: o})
		}
		out = in.rowSpans(out, o, in.objStart[o], in.objStart[o+1], target, w)
		start, sum = o+1, 0
	}
	if hi > start {
		out = append(out, pairSpan{o: start, end: hi})
	}
	return out
}

// rowSpans appends to out the ranges of rows from to to of object o
// (first rows of pairs) of at most about target in-window pairs each
// (counted as windowPairs counts them).
func (in *interned) rowSpans(out []pairSpan, o, from, to int32, target, w int64) []pairSpan {
	hi := in.objStart[o+1]
	start, sum := from, int64(0)
	end := from
	for i := from; i < to; i++ {
		end = in.windowEnd(Sliding, 0, i, end, hi, w)
		if sum += int64(end - i - 1); sum >= target {
			out = append(out, pairSpan{o: o, end: o + 1, from: start, to: i + 1})
			start, sum = i+1, 0
		}
	}
	if to > start {
		out = append(out, pairSpan{o: o, end: o + 1, from: start, to: to})
	}
	return out
}

// windowPairs returns how many pairs of object o's rows are at most w
// apart in time: a bound of its pairs under every window kind (a
// tumbling bin and the span from the first share are at most w wide, so
// each row's window under them ends no later than its sliding one).
func (in *interned) windowPairs(o int32, w int64) int64 {
	lo, hi := in.objStart[o], in.objStart[o+1]
	n := int64(0)
	end := lo
	for i := lo; i < hi; i++ {
		end = in.windowEnd(Sliding, 0, i, end, hi, w)
		n += int64(end - i - 1)
	}
	return n
}

// windowEnd is the end of row i's window among the rows of an object
// (sorted by time; t0 the time of its first row, hi the end of its
// rows): the rows i+1 to the returned end (not included) are in it, those
// at most windowLast. from is where to start looking: the end returned
// for an earlier row of the object (or any row up to i), since a later
// row's window never ends sooner under any kind; the sweeps carry it from
// row to row, so that an object's windows cost one pass over its rows.
func (in *interned) windowEnd(kind string, t0 int64, i, from, hi int32, w int64) int32 {
	return in.rowsUpTo(windowLast(kind, t0, int64(in.rows[i].t), w), max(from, i+1), hi)
}

// rowsUpTo is the first of the rows from to hi (sorted by time) later
// than last, or hi.
func (in *interned) rowsUpTo(last int64, from, hi int32) int32 {
	rows := in.rows
	j := from
	for j < hi && int64(rows[j].t) <= last {
		j++
	}
	return j
}

// windowLast is the window rule, the one place that says which rows fall
// in the window of a row at time ti of an object whose first row is at
// t0: the rows after it up to the time returned. Under kind
//
//	Sliding, FastReshare: at most w after ti;
//	Tumbling: in ti's bin of w seconds counted from t0, (t-t0)/w equal;
//	FromFirst: at most w after t0 (none once ti is past that).
func windowLast(kind string, t0, ti, w int64) int64 {
	switch kind {
	case Tumbling:
		return t0 + ((ti-t0)/w+1)*w - 1
	case FromFirst:
		return t0 + w
	default: // sliding, fast-reshare
		return ti + w
	}
}

// parallelSpans runs fn over the spans on workers goroutines and returns
// the results in span order, so that concatenating them gives the same
// sequence whatever the worker count. Each span done counts its objects
// to prog.
func parallelSpans[T any](in *interned, spans []pairSpan, workers int, prog *progress.Phase, fn func(s pairSpan) []T) [][]T {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([][]T, len(spans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers && w < len(spans); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= len(spans) {
					return
				}
				out[c] = fn(spans[c])
				prog.Add(in.objectsDone(spans[c]))
			}
		}()
	}
	wg.Wait()
	return out
}

// spanTarget is the pairs a span of a sweep of total pairs (a bound) on
// workers goroutines is given: a few spans a goroutine, so that one that
// takes longer does not leave the others waiting, and not under spanMin
// pairs (each span is a slice of its own).
func spanTarget(total int64, workers int) int64 {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(total/int64(4*workers), spanMin)
}

// spanMin is the fewest pairs spanTarget gives a span (a variable: a
// test makes it 1).
var spanMin int64 = 4096

// participation applies CooRTweet's min_participation rule (coordination.md
// §2.3) and returns the filter of rows allowed to pair (step a) and the
// test of kept pairs (step b). With m <= 1 both let everything through.
//
//	(a) before pairing, drop accounts with fewer than m input rows;
//	(b) an account qualifies if at least m of its input rows have a post
//	    that occurs in the pairs table (rows, not distinct posts); a pair
//	    is kept if either of its posts belongs to a qualifying account.
//
// The scope is the object type (as CooRTweet's vignette runs one type at a
// time) or, with all, every type together.
//
// qual is the test of step b for one row: its account qualifies in the
// row's scope (a pair is kept when either row's does).
func (in *interned) participation(p *Params, pairsOf func(active func(*row) bool, emit func(scope int, i, j int32))) (active func(*row) bool, keep func(i, j int32) bool, qual func(*row) bool) {
	m := p.MinParticipation
	if m <= 1 {
		return nil, func(i, j int32) bool { return true }, func(*row) bool { return true }
	}
	nscopes, scope := in.scopes(p)
	nacc := len(in.accounts)
	rowsOf := make([]int32, nscopes*nacc)
	for i := range in.rows {
		r := &in.rows[i]
		rowsOf[scope(r)*nacc+int(r.acc)]++
	}
	active = func(r *row) bool { return rowsOf[scope(r)*nacc+int(r.acc)] >= int32(m) }
	// Posts that occur in the pairs table, per scope.
	npost := in.posts.len()
	inPairs := make([]bool, nscopes*npost)
	pairsOf(active, func(s int, i, j int32) {
		inPairs[s*npost+int(in.rows[i].post)] = true
		inPairs[s*npost+int(in.rows[j].post)] = true
	})
	hits := make([]int32, nscopes*nacc)
	for i := range in.rows {
		r := &in.rows[i]
		s := scope(r)
		if inPairs[s*npost+int(r.post)] && active(r) {
			hits[s*nacc+int(r.acc)]++
		}
	}
	qual = func(r *row) bool { return hits[scope(r)*nacc+int(r.acc)] >= int32(m) }
	keep = func(i, j int32) bool { return qual(&in.rows[i]) || qual(&in.rows[j]) }
	return active, keep, qual
}

// pairs returns the kept in-window pairs of the run, in object order.
func (in *interned) pairs(p *Params) []pairRef {
	w := p.Window
	kind := p.WindowKind
	active, keep, _ := in.participation(p, in.pairsOf(p))
	prog := in.meter.Phase("pairing shares in the window", "objects", int64(len(in.objects)))
	var parts [][]pairRef
	if in.remote == nil {
		// spans of about equal pairs (pairSpans), a large object's
		// rows on every worker
		// (the bounds counted twice rather than held: 8 bytes an
		// object)
		total := int64(0)
		for o := range int32(len(in.objects)) {
			total += in.windowPairs(o, w)
		}
		spans := in.pairSpans(0, int32(len(in.objects)), func(o int32) int64 { return in.windowPairs(o, w) }, spanTarget(total, p.Workers), w)
		parts = parallelSpans(in, spans, p.Workers, prog, func(s pairSpan) []pairRef { return in.spanPairs(s, p, active, keep) })
	} else {
		parts = parallelObjects(len(in.objects), p.Workers, prog, func(lo, hi int32) []pairRef {
			var out []pairRef
			for o := lo; o < hi && !in.stop.Load(); o++ {
				in.eachPair(o, kind, w, active, func(i, j int32) {
					if keep(i, j) {
						out = append(out, pairRef{i, j})
					}
				})
			}
			return out
		})
	}
	prog.Done()
	n := 0
	for _, part := range parts {
		n += len(part)
	}
	all := make([]pairRef, 0, n)
	for _, part := range parts {
		all = append(all, part...)
	}
	return all
}

// pairsStream is pairsOf in one goroutine, handing each pair on as it is
// found: nothing is held (the reduce path).
func (in *interned) pairsStream(p *Params) func(active func(*row) bool, emit func(scope int, i, j int32)) {
	return func(active func(*row) bool, emit func(scope int, i, j int32)) {
		all := p.ParticipationScope == "all"
		for o := range in.objects {
			if in.stop.Load() {
				return
			}
			s := 0
			if !all {
				s = int(in.objType[o])
			}
			in.eachPair(int32(o), p.WindowKind, p.Window, active, func(i, j int32) { emit(s, i, j) })
		}
	}
}

// pairsOf returns the sweep that hands every in-window pair of rows that
// active allows, with its participation scope, to emit (for the
// min-participation rule).
// scopes is how many participation scopes p counts in (one for scope
// "all", else one per object type) and the scope of a row.
func (in *interned) scopes(p *Params) (int, func(r *row) int) {
	if p.ParticipationScope == "all" {
		return 1, func(*row) int { return 0 }
	}
	return len(in.types), func(r *row) int { return int(in.objType[r.obj]) }
}

func (in *interned) pairsOf(p *Params) func(active func(*row) bool, emit func(scope int, i, j int32)) {
	w := p.Window
	kind := p.WindowKind
	return func(active func(*row) bool, emit func(scope int, i, j int32)) {
		nscopes, _ := in.scopes(p)
		type hit struct {
			s    int
			i, j int32
		}
		prog := in.meter.Phase("min-participation: counting pairs", "objects", int64(len(in.objects)))
		defer prog.Done()
		// a batch of objects at a time, so that the hits held are a
		// batch's, not the run's
		const batch = 1 << 16
		for base := 0; base < len(in.objects) && !in.stop.Load(); base += batch {
			n := min(batch, len(in.objects)-base)
			scope := func(o int32) int {
				if nscopes > 1 {
					return int(in.objType[o])
				}
				return 0
			}
			var parts [][]hit
			if in.remote == nil {
				// spans of about equal pairs (pairSpans), a large
				// object's rows on every worker
				bound := make([]int64, n)
				total := int64(0)
				for k := range bound {
					bound[k] = in.windowPairs(int32(base+k), w)
					total += bound[k]
				}
				spans := in.pairSpans(int32(base), int32(base+n), func(o int32) int64 { return bound[int(o)-base] }, spanTarget(total, p.Workers), w)
				parts = parallelSpans(in, spans, p.Workers, prog, func(sp pairSpan) []hit {
					var out []hit
					in.eachSpan(sp, kind, w, active, func(o, i, j int32) { out = append(out, hit{scope(o), i, j}) })
					return out
				})
			} else {
				parts = parallelObjects(n, p.Workers, prog, func(lo, hi int32) []hit {
					var out []hit
					for o := lo + int32(base); o < hi+int32(base) && !in.stop.Load(); o++ {
						s := scope(o)
						in.eachPair(o, kind, w, active, func(i, j int32) { out = append(out, hit{s, i, j}) })
					}
					return out
				})
			}
			for _, part := range parts {
				for _, h := range part {
					emit(h.s, h.i, h.j)
				}
			}
		}
	}
}
