package narrative

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// tw is a term and its weight in a vector.
type tw struct {
	t uint32
	w float32
}

// cluster is a narrative being built: the sum of its families' unit
// vectors (the centroid, up to its norm).
type cluster struct {
	sum         map[uint32]float32
	norm2       float64
	first, last int64
	hasTime     bool
	fams        []int32
	short       bool
}

// clusterer runs the narrative step over the families' representatives.
type clusterer struct {
	p            Params
	names        []string // term id -> feature
	display      []string // term id -> surface form shown in labels ("l" terms)
	indexable    []bool   // term finds candidates (df <= max(MaxDF x families, 1,000))
	vecs         [][]tw   // family -> unit TF-IDF vector, sorted by term
	words        []int    // family -> content words of its representative
	time         []int64
	hasTime      []bool
	cl           []*cluster
	of           []int32 // family -> cluster
	uf           *unionFind
	merged       int
	mergeSeconds float64
	prog         *progress.Phase // the families placed (nil: not shown)
}

func newClusterer(reps []rep, famFirst []int32, posts []Post, voc *vocabulary, p Params) *clusterer {
	nf := len(famFirst)
	c := &clusterer{p: p, names: voc.names, display: voc.display, vecs: make([][]tw, nf), words: make([]int, nf),
		time: make([]int64, nf), hasTime: make([]bool, nf), of: make([]int32, nf)}
	df := make([]int32, len(voc.names))
	var buf []uint32
	for f, k := range famFirst {
		rp := &reps[k]
		post := &posts[rp.post]
		c.words[f], c.time[f], c.hasTime[f] = rp.words, post.Time, post.HasTime
		buf = buf[:0]
		for _, id := range rp.ids {
			if c.names[id][0] != 'd' { // labels only
				buf = append(buf, id)
			}
		}
		slices.Sort(buf)
		var v []tw // term frequencies for now
		for _, id := range buf {
			if n := len(v); n > 0 && v[n-1].t == id {
				v[n-1].w++
				continue
			}
			v = append(v, tw{id, 1})
			df[id]++
		}
		c.vecs[f] = v
	}
	limit := max(c.p.MaxDF*float64(nf), 1000)
	c.indexable = make([]bool, len(df))
	idf := make([]float64, len(df))
	for t, d := range df {
		c.indexable[t] = float64(d) <= limit
		idf[t] = math.Log(float64(1+nf)/float64(1+d)) + 1
	}
	for _, v := range c.vecs {
		var n2 float64
		for i := range v {
			w := (1 + math.Log(float64(v[i].w))) * idf[v[i].t]
			v[i].w = float32(w)
			n2 += w * w
		}
		if n2 > 0 {
			inv := float32(1 / math.Sqrt(n2))
			for i := range v {
				v[i].w *= inv
			}
		}
	}
	return c
}

func (c *clusterer) newCluster(f int32, short bool) int32 {
	id := int32(len(c.cl))
	c.cl = append(c.cl, &cluster{sum: map[uint32]float32{}, first: c.time[f], last: c.time[f], hasTime: c.hasTime[f], short: short})
	return id
}

// add adds family f to cluster k, and the cluster to the postings of its
// new indexable terms.
func (c *clusterer) add(k, f int32, postings map[uint32][]int32) {
	cl := c.cl[k]
	for _, x := range c.vecs[f] {
		old, ok := cl.sum[x.t]
		if !ok && postings != nil && c.indexable[x.t] {
			postings[x.t] = append(postings[x.t], k)
		}
		cl.norm2 += 2*float64(old)*float64(x.w) + float64(x.w)*float64(x.w)
		cl.sum[x.t] = old + x.w
	}
	if c.hasTime[f] {
		if !cl.hasTime {
			cl.first, cl.last, cl.hasTime = c.time[f], c.time[f], true
		}
		cl.first, cl.last = min(cl.first, c.time[f]), max(cl.last, c.time[f])
	}
	cl.fams = append(cl.fams, f)
	c.of[f] = k
}

func (c *clusterer) cosine(f int32, k int32) float64 {
	cl := c.cl[k]
	if cl.norm2 <= 0 {
		return 0
	}
	var dot float64
	for _, x := range c.vecs[f] {
		dot += float64(x.w) * float64(cl.sum[x.t])
	}
	return dot / math.Sqrt(cl.norm2)
}

// maxScan bounds the narratives a probe term offers as candidates: the
// most recently opened ones that carry it.
const maxScan = 512

// run assigns every family to a cluster in time order, then merges.
func (c *clusterer) run(ctx context.Context) error {
	p := c.p
	gap := int64(p.GapDays * 86400)
	postings := map[uint32][]int32{}
	var acc []float64   // cluster -> partial dot product with the family
	var touched []int32 // clusters with acc != 0
	var probes []tw     // the family's heaviest indexable terms
	type cand struct {
		k int32
		s float64
	}
	var cands []cand
	for f := range c.vecs {
		if f%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			c.prog.Set(int64(f))
		}
		f := int32(f)
		short := c.words[f] < p.MinTokens
		if p.Method == MethodFamilies || short || len(c.vecs[f]) == 0 {
			c.add(c.newCluster(f, short), f, nil)
			continue
		}
		t, timed := c.time[f], c.hasTime[f]
		active := func(k int32) bool {
			cl := c.cl[k]
			return gap == 0 || !timed || !cl.hasTime || t-cl.last <= gap
		}
		if len(acc) < len(c.cl) {
			acc = append(acc, make([]float64, len(c.cl)-len(acc))...)
		}
		touched = touched[:0]
		probes = probes[:0]
		for _, x := range c.vecs[f] {
			if c.indexable[x.t] {
				probes = topK(probes, x, p.Probes, func(a, b tw) bool { return a.w > b.w || a.w == b.w && a.t < b.t })
			}
		}
		for _, x := range probes {
			list := postings[x.t]
			if len(list) > 4*maxScan {
				// drop the closed narratives (for good: later families
				// are later in time), keeping the list's order
				kept := list[:0]
				for _, k := range list {
					if active(k) {
						kept = append(kept, k)
					}
				}
				list = kept
				postings[x.t] = kept
			}
			for _, k := range list[max(0, len(list)-maxScan):] { // the most recent narratives with the term
				if !active(k) {
					continue
				}
				if acc[k] == 0 {
					touched = append(touched, k)
				}
				acc[k] += float64(x.w) // the family's weight on shared terms: a cheap rank of candidates
			}
		}
		cands = cands[:0]
		for _, k := range touched {
			cands = topK(cands, cand{k, acc[k]}, p.Candidates, func(a, b cand) bool { return a.s > b.s || a.s == b.s && a.k < b.k })
			acc[k] = 0
		}
		best, bestCos := int32(-1), p.Threshold
		for _, cd := range cands {
			if cs := c.cosine(f, cd.k); cs >= bestCos && (best < 0 || cs > bestCos || cd.k < best) {
				best, bestCos = cd.k, cs
			}
		}
		if best < 0 {
			best = c.newCluster(f, false)
		}
		c.add(best, f, postings)
	}
	c.uf = newUnionFind(len(c.cl))
	if p.Method == MethodTFIDF && p.Merge > 0 {
		start := time.Now()
		c.prog = progress.Start(ctx, "narratives: merge pass", "", 0)
		err := c.mergePass(ctx, gap)
		c.mergeSeconds = time.Since(start).Seconds()
		return err
	}
	return nil
}

// mergePass joins clusters whose centroids have a cosine of at least
// p.Merge and whose times touch (one starts within the gap of the other's
// end). Each narrative asks the narratives opened after it: those that
// have one of its four heaviest indexable terms, the first 256 opened after
// it per term (narratives are opened in time order, so these are the nearest
// in time), and within the gap of its end; the best Candidates by shared
// weight get an exact cosine.
func (c *clusterer) mergePass(ctx context.Context, gap int64) error {
	const top, scan = 4, 256
	tops := make([][]uint32, len(c.cl))
	index := map[uint32][]int32{} // indexable term -> clusters with it, in opening (time) order
	for k, cl := range c.cl {
		if cl.short {
			continue
		}
		var ts []tw
		for t, w := range cl.sum {
			if c.indexable[t] {
				ts = append(ts, tw{t, w})
			}
		}
		slices.SortFunc(ts, func(a, b tw) int {
			if a.w != b.w {
				return cmp.Compare(b.w, a.w)
			}
			return cmp.Compare(a.t, b.t)
		})
		for i, x := range ts {
			if i < top {
				tops[k] = append(tops[k], x.t)
			}
			index[x.t] = append(index[x.t], int32(k))
		}
	}
	var acc []float64
	var touched []int32
	type cand struct {
		k int32
		s float64
	}
	var cands []cand
	for a := range c.cl {
		if a%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ca := c.cl[a]
		if ca.short || ca.norm2 <= 0 {
			continue
		}
		if len(acc) < len(c.cl) {
			acc = make([]float64, len(c.cl))
		}
		touched = touched[:0]
		for _, t := range tops[a] {
			list := index[t]
			i, _ := slices.BinarySearch(list, int32(a)+1)
			for n := 0; i < len(list) && n < scan; i, n = i+1, n+1 {
				b := list[i]
				cb := c.cl[b]
				if gap > 0 && ca.hasTime && cb.hasTime && cb.first > ca.last+gap {
					break // opened later than the gap after a's end: so are the rest
				}
				if acc[b] == 0 {
					touched = append(touched, b)
				}
				acc[b] += float64(ca.sum[t]) * float64(cb.sum[t])
			}
		}
		cands = cands[:0]
		for _, b := range touched {
			cands = topK(cands, cand{b, acc[b] / math.Sqrt(c.cl[b].norm2)}, c.p.Candidates, func(x, y cand) bool { return x.s > y.s || x.s == y.s && x.k < y.k })
			acc[b] = 0
		}
		for _, cd := range cands {
			if centroidCosine(ca, c.cl[cd.k]) >= c.p.Merge && c.uf.union(int32(a), cd.k) {
				c.merged++
			}
		}
	}
	return nil
}

func centroidCosine(a, b *cluster) float64 {
	if a.norm2 <= 0 || b.norm2 <= 0 {
		return 0
	}
	if len(a.sum) > len(b.sum) {
		a, b = b, a
	}
	var dot float64
	for t, w := range a.sum {
		dot += float64(w) * float64(b.sum[t])
	}
	return dot / math.Sqrt(a.norm2*b.norm2)
}

// count is the number of narratives after the merge pass.
func (c *clusterer) count() int {
	n := 0
	for k := range c.cl {
		if c.uf.find(int32(k)) == int32(k) {
			n++
		}
	}
	return n
}

// topK inserts x into xs, kept sorted by better and at most k long.
func topK[T any](xs []T, x T, k int, better func(a, b T) bool) []T {
	n := len(xs)
	if n == k && !better(x, xs[n-1]) {
		return xs
	}
	if n < k {
		xs = append(xs, x)
	} else {
		xs[n-1] = x
	}
	for i := len(xs) - 1; i > 0 && better(xs[i], xs[i-1]); i-- {
		xs[i], xs[i-1] = xs[i-1], xs[i]
	}
	return xs
}
