package coord

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Edge is one account pair (A < B by name) and everything the evidence
// says about it.
type Edge struct {
	A, B      int32   // account ids (ranks of the names)
	Pairs     int64   // co-share post pairs (CooRTweet's weight)
	Objects   int32   // distinct objects co-shared
	ByType    []int32 // distinct objects co-shared, per type (input.types order)
	SumDt     int64   // sum of |dt| over the pairs, seconds
	MinDt     int64
	First     int64 // earliest time of a post in the pairs
	Last      int64 // latest
	PostsA    int32 // distinct posts of A in the pairs (CNT's w(A->B))
	PostsB    int32 // distinct posts of B in the pairs (CNT's w(B->A))
	Collab    float64
	TFIDF     float64
	Fast      int64 // pairs of the fast layer (0 without one)
	Weight    float64
	Flagged   bool
	lastObj   int32
	tfidfSeen int32
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

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// ends returns the rows of a pair ordered by account name.
func (in *input) ends(pr pairRef) (ra, rb *row) {
	ra, rb = &in.rows[pr.i], &in.rows[pr.j]
	if ra.acc > rb.acc {
		ra, rb = rb, ra
	}
	return ra, rb
}

// aggregate folds the kept pairs into edges, sorted by (A, B). Pairs are
// split among shards by account pair; each shard sees its pairs in the
// global (object) order, so sums do not depend on the number of workers.
func (in *input) aggregate(p *Params, pairs []pairRef) []Edge {
	ntypes := len(in.types)
	collabK := in.collabGroups(pairs)
	var tf *tfidf
	if p.Weight == WeightTFIDF {
		tf = in.tfidfWeights()
	}
	var fastKeep func(pr pairRef) bool
	if p.FastWindow > 0 {
		fastKeep = in.fastLayer(p, pairs)
	}
	shards := p.Workers
	if shards <= 0 {
		shards = runtime.GOMAXPROCS(0)
	}
	results := make([][]Edge, shards)
	var wg sync.WaitGroup
	for s := 0; s < shards; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			idx := map[uint64]int32{}
			var edges []Edge
			var byType []int32 // ntypes per edge, in one allocation per growth
			mine := func(pr pairRef) (ra, rb *row, k uint64, ok bool) {
				ra, rb = in.ends(pr)
				k = pairKey(ra.acc, rb.acc)
				return ra, rb, k, int(mix(k)%uint64(shards)) == s
			}
			for _, pr := range pairs {
				ra, rb, k, ok := mine(pr)
				if !ok {
					continue
				}
				ei, ok := idx[k]
				if !ok {
					ei = int32(len(edges))
					idx[k] = ei
					edges = append(edges, Edge{A: ra.acc, B: rb.acc, MinDt: math.MaxInt64,
						First: math.MaxInt64, Last: math.MinInt64, lastObj: -1, tfidfSeen: -1})
					byType = append(byType, make([]int32, ntypes)...)
				}
				e := &edges[ei]
				dt := rb.t - ra.t
				if dt < 0 {
					dt = -dt
				}
				e.Pairs++
				e.SumDt += dt
				e.MinDt = min(e.MinDt, dt)
				e.First = min(e.First, ra.t, rb.t)
				e.Last = max(e.Last, ra.t, rb.t)
				if ra.obj != e.lastObj {
					e.lastObj = ra.obj
					e.Objects++
					byType[int(ei)*ntypes+int(in.objType[ra.obj])]++
					if k := collabK[ra.obj]; k > 1 {
						e.Collab += 1 / float64(k-1)
					}
					if tf != nil {
						e.TFIDF += tf.w(pr.i) * tf.w(pr.j)
					}
				}
				if fastKeep != nil && fastKeep(pr) {
					e.Fast++
				}
			}
			for i := range edges {
				edges[i].ByType = byType[i*ntypes : (i+1)*ntypes : (i+1)*ntypes]
			}
			// Distinct posts per side: an edge of one pair has one post on
			// each side; only edges of several pairs need counting.
			type side struct {
				edge int32
				post int32
				b    bool
			}
			var sides []side
			for _, pr := range pairs {
				ra, rb, k, ok := mine(pr)
				if !ok {
					continue
				}
				ei := idx[k]
				if edges[ei].Pairs > 1 {
					sides = append(sides, side{ei, ra.post, false}, side{ei, rb.post, true})
				}
			}
			slices.SortFunc(sides, func(x, y side) int {
				if c := cmp.Compare(x.edge, y.edge); c != 0 {
					return c
				}
				if x.b != y.b {
					if x.b {
						return 1
					}
					return -1
				}
				return cmp.Compare(x.post, y.post)
			})
			for i := range edges {
				if edges[i].Pairs == 1 {
					edges[i].PostsA, edges[i].PostsB = 1, 1
				}
			}
			for i, sd := range sides {
				if i > 0 && sides[i-1] == sd {
					continue
				}
				if sd.b {
					edges[sd.edge].PostsB++
				} else {
					edges[sd.edge].PostsA++
				}
			}
			if tf != nil {
				for i := range edges {
					e := &edges[i]
					if d := tf.norm[e.A] * tf.norm[e.B]; d > 0 {
						e.TFIDF /= d
					}
				}
			}
			results[s] = edges
		}()
	}
	wg.Wait()
	// Sort by (A, B) through a slice of keys: moving whole edges in a
	// sort costs more than one final copy.
	type ref struct {
		key    uint64
		shard  int32
		offset int32
	}
	n := 0
	for _, r := range results {
		n += len(r)
	}
	order := make([]ref, 0, n)
	for s, r := range results {
		for i := range r {
			order = append(order, ref{pairKey(r[i].A, r[i].B), int32(s), int32(i)})
		}
	}
	slices.SortFunc(order, func(x, y ref) int { return cmp.Compare(x.key, y.key) })
	all := make([]Edge, n)
	for i, o := range order {
		all[i] = results[o.shard][o.offset]
	}
	return all
}

// mix spreads keys over shards.
func mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return k
}

// collabGroups returns, per object, the number of distinct accounts in its
// kept pairs: the size k of the group whose every pair gains 1/(k-1).
func (in *input) collabGroups(pairs []pairRef) []int32 {
	k := make([]int32, len(in.objects))
	stamp := make([]int32, len(in.accounts))
	for i := range stamp {
		stamp[i] = -1
	}
	for _, pr := range pairs {
		for _, r := range [2]*row{&in.rows[pr.i], &in.rows[pr.j]} {
			if stamp[r.acc] != r.obj {
				stamp[r.acc] = r.obj
				k[r.obj]++
			}
		}
	}
	return k
}

// tfidf holds the account x object TF-IDF weights as scikit-learn computes
// them by default (raw counts, smooth idf = ln((1+n)/(1+df)) + 1, l2 norm
// per account).
type tfidf struct {
	rowW []float64 // weight of (account of row r, object of row r)
	norm []float64 // per account
}

func (t *tfidf) w(r int32) float64 { return t.rowW[r] }

func (in *input) tfidfWeights() *tfidf {
	n := float64(len(in.accounts))
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
		idf := math.Log((1+n)/(1+float64(df))) + 1
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
// min_participation rule applied again to them.
func (in *input) fastLayer(p *Params, pairs []pairRef) func(pairRef) bool {
	within := func(pr pairRef) bool {
		d := in.rows[pr.j].t - in.rows[pr.i].t
		return d >= -p.FastWindow && d <= p.FastWindow
	}
	m := p.MinParticipation
	if m <= 1 {
		return within
	}
	nscopes := 1
	if p.ParticipationScope != "all" {
		nscopes = len(in.types)
	}
	scope := func(r *row) int {
		if nscopes == 1 {
			return 0
		}
		return int(in.objType[r.obj])
	}
	npost, nacc := len(in.posts), len(in.accounts)
	inPairs := make([]bool, nscopes*npost)
	for _, pr := range pairs {
		if within(pr) {
			for _, r := range [2]*row{&in.rows[pr.i], &in.rows[pr.j]} {
				inPairs[scope(r)*npost+int(r.post)] = true
			}
		}
	}
	hits := make([]int32, nscopes*nacc)
	for i := range in.rows {
		r := &in.rows[i]
		if inPairs[scope(r)*npost+int(r.post)] {
			hits[scope(r)*nacc+int(r.acc)]++
		}
	}
	return func(pr pairRef) bool {
		if !within(pr) {
			return false
		}
		ri, rj := &in.rows[pr.i], &in.rows[pr.j]
		return hits[scope(ri)*nacc+int(ri.acc)] >= int32(m) || hits[scope(rj)*nacc+int(rj.acc)] >= int32(m)
	}
}
