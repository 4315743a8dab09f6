package coord

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
)

// The reduce path. The Reduced engine leaves the pairs where they are made: the
// run's process decides, per row, what the whole-run rules need (whether
// its account may pair, and whether it qualifies under min-participation,
// in the main and the fast layer: one sweep of the kernel each, nothing
// kept), then hands the objects with those flags to a Reducer. The
// Reducer's workers pair each object with the kernel, keep the pairs the
// flags allow, fold them into partial aggregates per account pair
// (Partials), and its reducers merge the partials of each account pair
// (EdgePartial.Merge). The run turns the merged partials into edges
// (sums of floats in object order, as Run adds them) and goes on with
// Run's own code: weights, flags, communities, outputs. Evidence is
// written by sweeping the kernel again, object by object, so the run's
// process never holds the pairs.

// Flags of a row of a ReduceObject.
const (
	RowActive    = 1 << iota // the account has min_participation rows in the scope: it may pair
	RowQualifies             // the account qualifies: a pair is kept when one of its rows does
	RowFast                  // the account qualifies in the fast layer
)

// ReduceRow is one share of an object: account id, post id, time, flags.
// Ids are the run's (ranks of the names), so that A < B by id is A < B by
// name.
type ReduceRow [4]int64

// ReduceObject is an object with its rows in the run's row order.
type ReduceObject struct {
	Obj  int32       `json:"o"` // the object's id in the run
	Type int32       `json:"y"` // index of its type
	Rows []ReduceRow `json:"r"`
	// a near-text object: a pair counts only when its rows' token sets
	// (Tokens, one per row) are at least Jaccard similar
	Jaccard float64    `json:"j,omitempty"`
	Tokens  [][]uint64 `json:"k,omitempty"`
	// with ReduceSpec.Evidence (partitioned runs): the object's type and
	// value and its rows' post UIDs, for the evidence rows
	TypeName string   `json:"tn,omitempty"`
	Value    string   `json:"v,omitempty"`
	Posts    []string `json:"p,omitempty"`
}

// ReduceSpec is what the workers need besides the objects.
type ReduceSpec struct {
	Kind       string `json:"kind"`
	Window     int64  `json:"window"`
	FastWindow int64  `json:"fast_window,omitempty"` // 0: no fast layer
	Types      int    `json:"types"`                 // number of object types (ByType's length)
	TFIDF      bool   `json:"tfidf,omitempty"`       // compute the TF-IDF terms
	Accounts   int    `json:"accounts"`              // accounts in the run (TF-IDF's n)
	Evidence   bool   `json:"evidence,omitempty"`    // partitioned runs: the mappers write the evidence (EvidencePart)

	// Name, set by the run (never sent), names an object as the input
	// has it, for messages: type and value, e.g. hashtag "election".
	Name func(obj int32) string `json:"-"`
	// Stop, set by a worker (never sent), is asked now and then during a
	// fold (PartialsWithin): once it says true the fold makes nothing
	// more, and gives up with ErrFoldStopped at the end of the object it
	// sweeps (the kernel's sweep of one object has no way out midway).
	Stop func() bool `json:"-"`
}

// ErrFoldStopped says that a fold gave up when its ReduceSpec.Stop told
// it to.
var ErrFoldStopped = errors.New("coord: the fold was stopped")

// ObjectName names object obj for a message: as Name does, or by its
// id in the run when there is no Name.
func (s *ReduceSpec) ObjectName(obj int32) string {
	if s.Name != nil {
		return s.Name(obj)
	}
	return fmt.Sprintf("object %d of the run", obj)
}

type keyedEdge struct {
	key uint64
	i   int32
}

// Partials pairs each object with the kernel, keeps the pairs its rows'
// flags allow and folds them into one partial per account pair, in the
// order the pairs first appear. It is the worker's side of the reduce
// path.
func Partials(spec ReduceSpec, objs []ReduceObject) ([]EdgePartial, error) {
	blocks, _, err := PartialsWithin(spec, objs, nil, 0)
	return slices.Concat(blocks...), err
}

// PartialsCost is what a partial costs a mapper's fold (PartialsWithin)
// in memory, at most, for its budget: the partial, its lists and its
// entry in the fold's map (TestPartialsWithinMemory measures it).
const PartialsCost = 300

// PartialsWithin is Partials keeping only the account pairs whose key
// keep accepts (nil: all), and giving up (fits false, no partials) once
// it holds more than limit of them (limit <= 0: no limit). A mapper whose
// task's partials would not fit its budget folds them in several passes,
// each keeping some reduce partitions: an account pair is folded whole in
// one pass, and each object's terms count the accounts of all its kept
// pairs whatever the pass, so the union of the passes is Partials. The
// partials come in blocks of up to 4,096, in the order they first
// appear, as they were made: copying them into one slice took as much
// memory again at the fold's peak.
func PartialsWithin(spec ReduceSpec, objs []ReduceObject, keep func(key uint64) bool, limit int) (ps [][]EdgePartial, fits bool, err error) {
	return PartialsOrCount(spec, objs, keep, limit, nil)
}

// PartialsOrCount is PartialsWithin that, once it holds limit partials,
// sweeps the rest of the task folding only the account pairs it holds
// and handing count the key of every other account pair it would have
// kept (each at least once, most many times), and returns the partials
// it holds, each whole, with fits false. (With count nil it gives up at
// the end of the object, as PartialsWithin does.) A mapper whose task
// does not fit keeps what the one sweep folded and learns from it how
// many account pairs are left (a sketch of the keys), and so in how
// many sub-passes to fold them.
func PartialsOrCount(spec ReduceSpec, objs []ReduceObject, keep func(key uint64) bool, limit int, count func(key uint64)) (ps [][]EdgePartial, fits bool, err error) {
	byKey := map[uint64]int{}
	over := false
	var blocks [][]EdgePartial // no copying of partials while they grow in number
	var touched []int
	var paired []bool            // per row of the object swept
	accs := map[int32]struct{}{} // accounts in its kept pairs
	var f fold
	at := func(x int) *EdgePartial { return &blocks[x>>12][x&(1<<12-1)] }
	nparts := 0
	stopped, asked := false, 0 // spec.Stop said so; pairs since it was last asked
	for _, o := range objs {
		n := len(o.Rows)
		if n < 2 {
			continue
		}
		if spec.Stop != nil && spec.Stop() {
			stopped = true
		}
		if stopped {
			return nil, false, ErrFoldStopped
		}
		in, flags, err := objectRows(&spec, &o)
		if err != nil {
			return nil, false, err
		}
		f.t0 = in.t0
		var w []float64 // TF-IDF weight per row, as tfidfWeights computes it
		if spec.TFIDF {
			count := map[int32]int32{}
			for _, r := range in.rows {
				count[r.acc]++
			}
			idf := smoothIDF(spec.Accounts, len(count))
			w = make([]float64, n)
			for k, r := range in.rows {
				w[k] = float64(count[r.acc]) * idf
			}
		}
		active := func(r *row) bool { return flags[r.obj]&RowActive != 0 }
		// the rows in a kept pair, marked per pair (two stores), their
		// accounts counted once the object is swept: a map write per pair
		// was two thirds of a sweep's cost (sub-passes sweep a task again)
		paired = slices.Grow(paired[:0], n)[:n]
		clear(paired)
		touched = touched[:0]
		in.eachPair(0, spec.Kind, spec.Window, active, func(i, j int32) {
			if stopped {
				return
			}
			if spec.Stop != nil {
				if asked++; asked&(1<<16-1) == 0 && spec.Stop() {
					stopped = true
					return
				}
			}
			if flags[i]&RowQualifies == 0 && flags[j]&RowQualifies == 0 {
				return
			}
			ra, rb := &in.rows[i], &in.rows[j]
			if ra.acc > rb.acc {
				ra, rb = rb, ra
			}
			paired[i], paired[j] = true, true
			key := uint64(uint32(ra.acc))<<32 | uint64(uint32(rb.acc))
			if keep != nil && !keep(key) {
				return
			}
			if over && count == nil {
				return
			}
			x, ok := byKey[key]
			if !ok {
				if over {
					count(key)
					return
				}
				if limit > 0 && nparts >= limit {
					// the sweep runs on, making no new partial (nothing
					// at all without count)
					over = true
					if count != nil {
						count(key)
					}
					return
				}
				x = nparts
				nparts++
				byKey[key] = x
				if x>>12 == len(blocks) {
					blocks = append(blocks, make([]EdgePartial, 1<<12))
				}
				f.start(at(x), ra.acc, rb.acc, spec.Types)
			}
			var tf float64
			if w != nil {
				tf = w[i] * w[j]
			}
			fast := false
			if spec.FastWindow > 0 {
				d := int64(in.rows[j].t) - int64(in.rows[i].t)
				fast = d >= -spec.FastWindow && d <= spec.FastWindow && (flags[i]&RowFast != 0 || flags[j]&RowFast != 0)
			}
			// the object's accounts are known once its pairs are done
			if f.add(at(x), ra, rb, o.Obj, o.Type, 0, tf, fast) {
				touched = append(touched, x)
			}
		})
		if len(touched) > 0 {
			clear(accs)
			for k, p := range paired {
				if p {
					accs[in.rows[k].acc] = struct{}{}
				}
			}
			for _, x := range touched {
				e := at(x)
				e.Terms[len(e.Terms)-1].K = int32(len(accs))
			}
		}
		if stopped {
			return nil, false, ErrFoldStopped
		}
		if over && count == nil {
			return nil, false, nil
		}
	}
	if over && count == nil {
		return nil, false, nil
	}
	byKey = nil
	for x := range nparts {
		at(x).compact()
	}
	if len(blocks) > 0 {
		last := len(blocks) - 1
		blocks[last] = blocks[last][:nparts-last<<12]
	}
	return blocks, !over, nil
}

// objectRows makes object o of a reduce task the one object of an
// interned run (its rows' obj fields hold their positions, for the flag
// tests) and returns its rows' flags.
func objectRows(spec *ReduceSpec, o *ReduceObject) (*interned, []int64, error) {
	n := len(o.Rows)
	if o.Type < 0 || int(o.Type) >= spec.Types {
		return nil, nil, fmt.Errorf("coord: object %d has type %d of %d", o.Obj, o.Type, spec.Types)
	}
	in := &interned{nearType: -1, objType: []int32{0}, objStart: []int32{0, int32(n)}, rows: make([]row, n)}
	if o.Jaccard > 0 {
		if len(o.Tokens) != n {
			return nil, nil, fmt.Errorf("coord: near-text object %d has %d token sets for %d rows", o.Obj, len(o.Tokens), n)
		}
		in.nearType, in.jaccard, in.rowTokens = 0, o.Jaccard, o.Tokens
	}
	flags := make([]int64, n)
	var span timeSpan
	for k, r := range o.Rows {
		if k > 0 && (r[2] < o.Rows[k-1][2]) {
			return nil, nil, fmt.Errorf("coord: object %d: rows out of time order at %d", o.Obj, k)
		}
		in.rows[k] = row{obj: int32(k), acc: int32(r[0]), post: int32(r[1]), t: span.add(r[2])}
		flags[k] = r[3]
	}
	if err := in.offsetRows(span); err != nil {
		return nil, nil, fmt.Errorf("coord: object %d: %w", o.Obj, err)
	}
	return in, flags, nil
}

// A Reducer computes the merged partials of a run: every object through
// Partials (anywhere), the partials of each account pair merged into one.
// It hands them to fn in any order and any number of calls, one call at
// a time (fn keeps nothing of what it is given), and may first tell grow
// how many will come, so that the edges are made in place.
type Reducer interface {
	Reduce(ctx context.Context, spec ReduceSpec, objs ReduceObjects, grow func(n int), fn func([]EdgePartial) error) error
}

// reduceEdges is the run's side of the reduce path: the row flags, the
// objects handed to red, and the edges from its merged partials.
func (in *interned) reduceEdges(ctx context.Context, q, p *Params, red Reducer) ([]Edge, []int32, func(func(pairRef) error) error, error) {
	spec, objs, kept, tf, err := in.reduceInput(ctx, q, p, red)
	if err != nil {
		return nil, nil, nil, err
	}
	// each partial becomes an edge as it comes (its lists are dropped at
	// once); then the edges are put in (A, B) order in place, by sorting
	// their keys rather than the edges (large structs)
	var edges []Edge
	var keys []keyedEdge
	var byType []int32 // the edges' per-type counts, spec.Types per edge, in arrival order
	err = red.Reduce(ctx, spec, objs, func(n int) {
		edges = slices.Grow(edges, n)
		keys = slices.Grow(keys, n)
		byType = slices.Grow(byType, n*spec.Types)
	}, func(ps []EdgePartial) error {
		for i := range ps {
			x := &ps[i]
			if x.A < 0 || x.B <= x.A || int(x.B) >= len(in.accounts) || len(x.ByType) != spec.Types {
				return fmt.Errorf("coord: the reducer answered for accounts %d and %d of %d", x.A, x.B, len(in.accounts))
			}
			keys = append(keys, keyedEdge{x.Key(), int32(len(edges))})
			byType = append(byType, x.ByType...)
			edges = append(edges, x.edge(int32(len(edges)), nil, tf))
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	slices.SortFunc(keys, func(a, b keyedEdge) int { return cmp.Compare(a.key, b.key) })
	for k := 1; k < len(keys); k++ {
		if keys[k].key == keys[k-1].key {
			e := &edges[keys[k].i]
			return nil, nil, nil, fmt.Errorf("coord: the reducer answered twice for accounts %d and %d", e.A, e.B)
		}
	}
	// position k takes the edge keys[k] names: follow each cycle
	done := make([]bool, len(edges))
	for start := range edges {
		if done[start] {
			continue
		}
		tmp := edges[start]
		pos := start
		for {
			done[pos] = true
			src := int(keys[pos].i)
			if src == start {
				edges[pos] = tmp
				break
			}
			edges[pos] = edges[src]
			pos = src
		}
	}
	return edges, byType, kept, nil
}

// reduceInput is what the reduce path hands the reducers: the spec, the
// objects with their rows' flags (the whole-run rules, decided here),
// made as the reducer asks for them, the sweep of the kept pairs (for the
// evidence) and the TF-IDF norms (nil unless the weight is tfidf).
func (in *interned) reduceInput(ctx context.Context, q, p *Params, red any) (ReduceSpec, *runObjects, func(func(pairRef) error) error, *tfidf, error) {
	spec := ReduceSpec{Kind: q.WindowKind, Window: q.Window, FastWindow: p.FastWindow, Types: len(in.types),
		TFIDF: p.Weight == WeightTFIDF, Accounts: len(in.accounts),
		Name: func(o int32) string { return fmt.Sprintf("%s %q", in.objTypeOf(o), in.objects[o]) }}
	objs := in.reduceObjects()
	var active func(*row) bool
	var keep func(i, j int32) bool
	// kept pairs, object by object, in Run's order (for the fast layer
	// and, later, the evidence)
	kept := func(fn func(pairRef) error) error {
		return in.eachKept(q, active, keep, fn)
	}
	onWorkers := false
	if pr, ok := red.(ParticipationReducer); ok && q.MinParticipation > 1 {
		var err error
		var final *runObjects
		if active, keep, final, onWorkers, err = in.participationOn(ctx, q, p, pr, objs); err != nil {
			return spec, nil, nil, nil, err
		}
		if onWorkers {
			objs = final
		}
	}
	if !onWorkers {
		var qual func(*row) bool
		active, keep, qual = in.participation(q, in.pairsStream(q))
		fastQual := func(*row) bool { return false }
		if p.FastWindow > 0 {
			_, fastQual = in.fastLayer(p, func(fn func(pairRef)) {
				kept(func(pr pairRef) error { fn(pr); return nil })
			})
		}
		objs = objs.with(func(r *row) int64 {
			var f int64
			if active == nil || active(r) {
				f |= RowActive
			}
			if qual(r) {
				f |= RowQualifies
			}
			if fastQual(r) {
				f |= RowFast
			}
			return f
		})
	}
	var tf *tfidf
	if spec.TFIDF {
		tf = in.tfidfWeights()
	}
	return spec, objs, kept, tf, nil
}
