package coord

import (
	"iter"
	"math"
	"runtime"
	"sync"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// Edge is one account pair (A < B by name) and everything the evidence
// says about it. A run holds one per kept account pair, so the fields are
// laid out without padding (88 bytes; memory per edge is what bounds a
// run's size); its per-type counts are in one table of the run
// (Result.ByType).
type Edge struct {
	A, B    int32 // account ids (ranks of the names)
	Objects int32 // distinct objects co-shared
	bt      int32 // its per-type counts: row bt of the run's table
	PostsA  int32 // distinct posts of A in the pairs (CNT's w(A->B))
	PostsB  int32 // distinct posts of B in the pairs (CNT's w(B->A))
	Flagged bool
	Pairs   int64 // co-share post pairs (CooRTweet's weight)
	SumDt   int64 // sum of |dt| over the pairs, seconds
	MinDt   int64
	First   int64 // earliest time of a post in the pairs
	Last    int64 // latest
	Fast    int64 // pairs of the fast layer (0 without one)
	// Weight is the edge's weight once the run has weighed it; before
	// (as the fold makes the edge) it holds the collab sum (sum of
	// 1/(k-1) over the objects), or the TF-IDF cosine when the fold was
	// given the run's TF-IDF norms: the weights that are not counts.
	Weight float64
}

// Symmetry is min(PostsA, PostsB) / max(PostsA, PostsB), per account (not
// per role, unlike CooRTweet's edge_symmetry_score).
func (e *Edge) Symmetry() float64 {
	lo, hi := min(e.PostsA, e.PostsB), max(e.PostsA, e.PostsB)
	if hi == 0 {
		return 0
	}
	return float64(lo) / float64(hi)
}

// pairRows is a kept pair as the fold reads it: its two rows, ordered by
// account (ends: ra's account before rb's), and where they are in
// in.rows (pr, for the TF-IDF weights of the rows). A pair read back from
// runs that carry their rows (spilledPairs.carry) has no place: its pr is
// noRows, and the run has let its rows go.
type pairRows struct {
	ra, rb row
	pr     pairRef
}

// noRows is the place of a pair whose rows the run no longer holds.
var noRows = pairRef{-1, -1}

// ends returns the rows of a pair ordered by account name.
func (in *interned) ends(pr pairRef) (ra, rb *row) {
	ra, rb = &in.rows[pr.i], &in.rows[pr.j]
	if ra.acc > rb.acc {
		ra, rb = rb, ra
	}
	return ra, rb
}

// aggregate folds the kept pairs into edges, sorted by (A, B). The pairs
// are sorted by account pair with a stable LSD radix sort (so each pair
// keeps its place in object order within its edge), then every edge is one
// run of consecutive pairs, folded into one reused partial: no hash map,
// and no result depends on the number of workers. byType is the edges'
// table of per-type counts (Result.ByType).
//
// spill, when not nil, is asked where the nedges edges go once they are
// counted: a file (spilled edges; edges and byType are then nil) or, nil,
// memory.
func (in *interned) aggregate(p *Params, pairs []pairRef, spill func(nedges int) (*edgeFile, error)) (edges []Edge, byType []int32, ef *edgeFile, err error) {
	collabK := in.collabGroups(pairs)
	var fastKeep func(ra, rb *row) bool
	if p.FastWindow > 0 {
		fastKeep, _ = in.fastLayer(p, func(fn func(pairRef)) {
			for _, pr := range pairs {
				fn(pr)
			}
		})
	}
	keys, order := in.sortByAccounts(pairs, p.Workers)
	// the edges counted, and the order cut at edges into about equal
	// parts, one a goroutine of the fold (a part of 64k pairs or more)
	parts := min(max(p.Workers, 0), 64)
	if parts == 0 {
		parts = runtime.GOMAXPROCS(0)
	}
	parts = max(min(parts, len(order)/foldPartMin), 1)
	cuts := make([]foldCut, 1, parts+1)
	nedges := 0
	for i, k := range order {
		if i == 0 || keys[k] != keys[order[i-1]] {
			if i >= len(cuts)*len(order)/parts && len(cuts) < parts {
				cuts = append(cuts, foldCut{i, nedges})
			}
			nedges++
		}
	}
	cuts = append(cuts, foldCut{len(order), nedges})
	keys = nil
	if spill != nil {
		if ef, err = spill(nedges); err != nil {
			return nil, nil, nil, err
		}
	}
	if ef == nil {
		edges, byType = in.foldParallel(p, pairs, order, cuts, collabK, fastKeep)
		return edges, byType, nil, nil
	}
	ef, err = in.foldParallelFiles(p, int64(len(pairs)), len(cuts)-1, collabK, fastKeep, func(k int) iter.Seq[*pairRows] {
		return in.gathered(pairs, order[cuts[k].at:cuts[k+1].at])
	}, ef)
	return nil, nil, ef, err
}

// foldParallelFiles folds the kept pairs (collabK: the accounts of each
// object's kept pairs, collabGroups; fastKeep the fast layer's test, nil:
// none) into edge files: the pairs in parts
// (part k's, in (A, B) order, from sorted(k); the parts one after the
// other in that order) folded on a goroutine each, part 0's edges
// appended to ef and each other part's to a file of its own, the files
// then joined in order (joinEdgeFiles): the edges of one fold, to the
// byte, read back by every pass of the run (weighFile reads the files
// on a goroutine each). It returns the joined file.
func (in *interned) foldParallelFiles(p *Params, npairs int64, parts int, collabK []int32, fastKeep func(ra, rb *row) bool, sorted func(k int) iter.Seq[*pairRows], ef *edgeFile) (*edgeFile, error) {
	files := make([]*edgeFile, parts)
	files[0] = ef
	for k := 1; k < parts; k++ {
		f, err := ef.sibling()
		if err != nil {
			return nil, err
		}
		files[k] = f
	}
	prog := in.meter.Phase("folding pairs into edges", "pairs", npairs)
	defer prog.Done()
	tf := in.runTFIDF(p)
	var wg sync.WaitGroup
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// a stopped fold leaves its file short: the run ends
			// with its context's error
			in.foldRange(p, tf, collabK, fastKeep, sorted(k), files[k], nil, nil, 0, prog)
		}()
	}
	wg.Wait()
	var err error
	for _, f := range files {
		err = firstErr(err, f.finish())
	}
	if err != nil {
		return nil, err
	}
	return joinEdgeFiles(files), nil
}

// gathered returns the pairs in the given order (sortByAccounts') with
// their rows, a block at a time: the pairs of a block are gathered, and
// their rows read, in short loops of independent loads, which the
// processor overlaps, before the fold reads them from the cache (order
// scatters the pairs and their rows over the whole run: one cache miss
// after the other in the fold's longer loop). A pair yielded is valid
// until the next.
func (in *interned) gathered(pairs []pairRef, order []int32) iter.Seq[*pairRows] {
	return func(yield func(*pairRows) bool) {
		const block = 512 // 4 KiB of pairs, 20 KiB of them with their rows
		var buf [block]pairRows
		rows := in.rows
		for lo := 0; lo < len(order); lo += block {
			ks := order[lo:min(lo+block, len(order))]
			b := buf[:len(ks)]
			for i, k := range ks {
				b[i].pr = pairs[k]
			}
			for i := range b {
				x := &b[i]
				x.ra, x.rb = rows[x.pr.i], rows[x.pr.j]
				if x.ra.acc > x.rb.acc {
					x.ra, x.rb = x.rb, x.ra
				}
			}
			for i := range b {
				if !yield(&b[i]) {
					return
				}
			}
		}
	}
}

// runTFIDF is the run's TF-IDF weights when its weight is TF-IDF, else
// nil.
func (in *interned) runTFIDF(p *Params) *tfidf {
	if p.Weight == WeightTFIDF {
		return in.tfidfWeights()
	}
	return nil
}

// foldPartMin is the fewest pairs a goroutine of the fold is given.
var foldPartMin = 1 << 16

// foldCut is where a goroutine of foldParallel starts: at place at of
// the order, the first pair of edge edge.
type foldCut struct{ at, edge int }

// foldParallel folds the pairs in order (sortByAccounts') into
// memory, the order cut at cuts (the last: the end) and each part folded
// on a goroutine of its own into its edges: an edge is the fold of its
// own pairs, so the edges are those of one fold, to the byte.
func (in *interned) foldParallel(p *Params, pairs []pairRef, order []int32, cuts []foldCut, collabK []int32, fastKeep func(ra, rb *row) bool) (edges []Edge, byType []int32) {
	first := make([]int, len(cuts))
	for k, c := range cuts {
		first[k] = c.edge
	}
	return in.foldParts(p, int64(len(pairs)), cuts[len(cuts)-1].edge, collabK, fastKeep, func(k int) iter.Seq[*pairRows] {
		return in.gathered(pairs, order[cuts[k].at:cuts[k+1].at])
	}, first)
}

// foldParts folds the pairs in parts into memory: part k's
// pairs, in (A, B) order, given by sorted(k), its edges numbered from
// first[k] (first[len(first)-1] is nedges, the end), each part folded on
// a goroutine of its own.
func (in *interned) foldParts(p *Params, npairs int64, nedges int, collabK []int32, fastKeep func(ra, rb *row) bool, sorted func(k int) iter.Seq[*pairRows], first []int) (edges []Edge, byType []int32) {
	ntypes := len(in.types)
	edges = make([]Edge, nedges)
	byType = make([]int32, nedges*ntypes)
	prog := in.meter.Phase("folding pairs into edges", "pairs", npairs)
	defer prog.Done()
	tf := in.runTFIDF(p)
	ok := make([]bool, len(first)-1)
	var wg sync.WaitGroup
	for k := range ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := first[k], first[k+1]
			ok[k] = in.foldRange(p, tf, collabK, fastKeep, sorted(k), nil, edges[:hi], byType[:hi*ntypes], lo, prog)
		}()
	}
	wg.Wait()
	for _, done := range ok {
		if !done {
			return nil, nil
		}
	}
	return edges, byType
}

// foldRange folds the pairs sorted hands out, edges from edge number
// first on, into edges and byType (or, ef not nil, appends them to ef);
// tf is the run's TF-IDF weights (nil: no TF-IDF weight). It reports
// false when the run was stopped.
func (in *interned) foldRange(p *Params, tf *tfidf, collabK []int32, fastKeep func(ra, rb *row) bool, sorted iter.Seq[*pairRows], ef *edgeFile, edges []Edge, byType []int32, first int, prog *progress.Phase) bool {
	ntypes := len(in.types)
	var bt []int32
	if ef != nil {
		bt = make([]int32, ntypes)
	}
	f := fold{t0: in.t0}
	var x EdgePartial
	ei := first - 1
	done := func() {
		x.compact()
		if ef != nil {
			e := x.edge(int32(ei), bt, tf)
			ef.add(&e, bt)
			return
		}
		edges[ei] = x.edge(int32(ei), byType[ei*ntypes:(ei+1)*ntypes:(ei+1)*ntypes], tf)
	}
	i := 0
	for pr := range sorted {
		if i&0xffff == 0xffff {
			prog.Add(0x10000)
			if in.stop.Load() {
				return false
			}
		}
		i++
		ra, rb := &pr.ra, &pr.rb
		if ei < first || ra.acc != x.A || rb.acc != x.B {
			if ei >= first {
				done()
				x.reset(ra.acc, rb.acc)
			} else {
				f.start(&x, ra.acc, rb.acc, ntypes)
			}
			ei++
		}
		var w float64
		if tf != nil {
			w = tf.w(pr.pr.i) * tf.w(pr.pr.j)
		}
		f.add(&x, ra, rb, ra.obj, in.objType[ra.obj], collabK[ra.obj], w, fastKeep != nil && fastKeep(ra, rb))
	}
	if ei >= first {
		done()
	}
	prog.Add(int64(i & 0xffff))
	return true
}

// sortByAccounts returns each pair's account pair as one key (A in the
// high half) and the order of the pairs by key: a stable LSD sort of two
// counting-sort passes, by B then by A, so that each pair keeps its place
// in object order within its edge. It holds 16 bytes per pair (the keys
// and two orders), not the 32 of a radix sort of keyed copies.
//
// With workers above 1 (0: one a core) and enough pairs, the pairs are
// cut into that many consecutive parts, each keyed, counted and
// scattered on a goroutine of its own: part c's pairs of a key go after
// those of the parts before it, so the order is the one sort's, to the
// place (TestSortByAccountsParallel).
func (in *interned) sortByAccounts(pairs []pairRef, workers int) (keys []uint64, order []int32) {
	nacc := len(in.accounts)
	n := len(pairs)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := max(min(workers, n/sortPartMin, 64), 1)
	cut := func(c int) int { return int(int64(c) * int64(n) / int64(parts)) }
	each := func(fn func(c, lo, hi int)) {
		if parts == 1 {
			fn(0, 0, n)
			return
		}
		var wg sync.WaitGroup
		for c := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn(c, cut(c), cut(c+1))
			}()
		}
		wg.Wait()
	}
	keys = make([]uint64, n)
	// count[c] holds part c's counts of each account, then where its
	// next pair of that account goes
	count := make([][]int32, parts)
	for c := range count {
		count[c] = make([]int32, nacc)
	}
	// offsets turns the parts' counts into their first places: each
	// account's pairs in part order
	offsets := func() {
		at := int32(0)
		for a := range nacc {
			for c := range parts {
				k := count[c][a]
				count[c][a] = at
				at += k
			}
		}
	}
	each(func(c, lo, hi int) {
		cnt := count[c]
		for i := lo; i < hi; i++ {
			ra, rb := in.ends(pairs[i])
			keys[i] = uint64(uint32(ra.acc))<<32 | uint64(uint32(rb.acc))
			cnt[rb.acc]++
		}
	})
	offsets()
	byB := make([]int32, n)
	each(func(c, lo, hi int) {
		cnt := count[c]
		for i := lo; i < hi; i++ {
			b := uint32(keys[i])
			byB[cnt[b]] = int32(i)
			cnt[b]++
		}
	})
	each(func(c, lo, hi int) {
		cnt := count[c]
		clear(cnt)
		for _, i := range byB[lo:hi] {
			cnt[keys[i]>>32]++
		}
	})
	offsets()
	order = make([]int32, n)
	each(func(c, lo, hi int) {
		cnt := count[c]
		for _, i := range byB[lo:hi] {
			a := keys[i] >> 32
			order[cnt[a]] = i
			cnt[a]++
		}
	})
	return keys, order
}

// sortPartMin is the fewest pairs a goroutine of sortByAccounts is
// given (a variable: a test makes it small).
var sortPartMin = 1 << 16

// collabGroups returns, per object, the number of distinct accounts in its
// kept pairs: the size k of the group whose every pair gains 1/(k-1).
func (in *interned) collabGroups(pairs []pairRef) []int32 {
	k := make([]int32, len(in.objects))
	stamp := make([]int32, len(in.accounts))
	for i := range stamp {
		stamp[i] = -1
	}
	in.collabAdd(k, stamp, pairs)
	return k
}

// collabAdd counts into k the accounts of the objects of pairs (in object
// order; an object's pairs all in one call), stamp being the object each
// account was last counted for (-1 to start).
func (in *interned) collabAdd(k, stamp []int32, pairs []pairRef) {
	for _, pr := range pairs {
		for _, r := range [2]*row{&in.rows[pr.i], &in.rows[pr.j]} {
			if stamp[r.acc] != r.obj {
				stamp[r.acc] = r.obj
				k[r.obj]++
			}
		}
	}
}

// tfidf holds the account x object TF-IDF weights as scikit-learn computes
// them by default (raw counts, smooth idf = ln((1+n)/(1+df)) + 1, l2 norm
// per account).
type tfidf struct {
	rowW []float64 // weight of (account of row r, object of row r)
	norm []float64 // per account
}

func (t *tfidf) w(r int32) float64 { return t.rowW[r] }

// smoothIDF is scikit-learn's smooth idf of an object that df of n
// accounts share: ln((1+n)/(1+df)) + 1.
func smoothIDF(n, df int) float64 { return math.Log((1+float64(n))/(1+float64(df))) + 1 }

func (in *interned) tfidfWeights() *tfidf {
	t := &tfidf{rowW: make([]float64, len(in.rows)), norm: make([]float64, len(in.accounts))}
	count := make([]int32, len(in.accounts))
	counted := make([]int32, len(in.accounts)) // object+1 whose rows of the account were counted
	added := make([]int32, len(in.accounts))   // object+1 whose weight entered the account's norm
	for o := range in.objects {
		lo, hi := in.objStart[o], in.objStart[o+1]
		df := 0
		for r := lo; r < hi; r++ {
			a := in.rows[r].acc
			if counted[a] != int32(o)+1 {
				counted[a] = int32(o) + 1
				count[a] = 0
				df++
			}
			count[a]++
		}
		idf := smoothIDF(len(in.accounts), df)
		for r := lo; r < hi; r++ {
			a := in.rows[r].acc
			t.rowW[r] = float64(count[a]) * idf
			if added[a] != int32(o)+1 {
				added[a] = int32(o) + 1
				t.norm[a] += t.rowW[r] * t.rowW[r]
			}
		}
	}
	for i := range t.norm {
		t.norm[i] = math.Sqrt(t.norm[i])
	}
	return t
}

// fastLayer returns the test of the fast layer (CooRTweet's
// flag_speed_share): kept pairs within the fast window, with the
// min_participation rule applied again to them; each hands it every kept
// pair. qual is the rule's test for one row: its account qualifies in the
// fast layer, in the row's scope.
//
// keep reads only the pair's rows (ra and rb in either order): with
// min-participation at most 1, the fold of pairs that carry their rows
// asks it after the run let its rows go.
func (in *interned) fastLayer(p *Params, each func(func(pairRef))) (keep func(ra, rb *row) bool, qual func(*row) bool) {
	within := func(ra, rb *row) bool {
		d := int64(rb.t) - int64(ra.t)
		return d >= -p.FastWindow && d <= p.FastWindow
	}
	m := p.MinParticipation
	if m <= 1 {
		return within, func(*row) bool { return true }
	}
	nscopes, scope := in.scopes(p)
	npost, nacc := in.posts.len(), len(in.accounts)
	inPairs := make([]bool, nscopes*npost)
	each(func(pr pairRef) {
		if within(&in.rows[pr.i], &in.rows[pr.j]) {
			for _, r := range [2]*row{&in.rows[pr.i], &in.rows[pr.j]} {
				inPairs[scope(r)*npost+int(r.post)] = true
			}
		}
	})
	hits := make([]int32, nscopes*nacc)
	for i := range in.rows {
		r := &in.rows[i]
		if inPairs[scope(r)*npost+int(r.post)] {
			hits[scope(r)*nacc+int(r.acc)]++
		}
	}
	qual = func(r *row) bool { return hits[scope(r)*nacc+int(r.acc)] >= int32(m) }
	return func(ra, rb *row) bool {
		return within(ra, rb) && (qual(ra) || qual(rb))
	}, qual
}
