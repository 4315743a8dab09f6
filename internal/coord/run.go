package coord

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/layout"
)

// Reach is what the data says of an account's audience, summed over its
// posts where the input carries it; -1 when unknown.
type Reach struct {
	Followers int64
	Reposts   int64
	Likes     int64
}

// Result is a finished run.
type Result struct {
	Params  Params
	Types   []tahqiq.ObjectType // types present, in column order
	Edges   []Edge              // kept edges, sorted by (A, B)
	Graph   *GraphResult        // nil when the graph step is off
	Timings map[string]float64  // seconds per step
	Counts  map[string]int64
	// Dropped counts what the run left out of the shares and texts it was
	// given, by reason: loops (a retweet's original, unless KeepLoops),
	// other_types (types not compared), empty_objects, duplicate_rows
	// (exact duplicates), not_fast_reshares (fast-reshare window kind),
	// near_text_short (texts under MinTokens tokens), near_text_repeated
	// (a post's text given again, or a text without a post id).
	Dropped map[string]int64
	// Layout is where the accounts of Graph are drawn (node u at X[u],
	// Y[u]), when the caller laid the network out (runs.MakeCoord does):
	// WriteDir then writes layout.csv and the positions into the GEXF
	// and GraphML files.
	Layout *layout.Result

	in    *interned
	pairs []pairRef
	kept  func(func(pairRef) error) error // the reduce path: kept pairs swept again (pairs is nil)
	reach map[string]Reach

	maxStrength float64 // of Graph, for the graph files' node sizes
}

// LayoutInput is the network of Graph for internal/layout: its nodes in
// Graph's order with their communities, and every kept edge with its
// weight. runs reads the same from a run's nodes.csv and edges.csv.
func (r *Result) LayoutInput() layout.Input {
	g := r.Graph
	if g == nil {
		return layout.Input{}
	}
	in := layout.Input{Nodes: len(g.Nodes), Group: g.Community,
		A: make([]int32, len(r.Edges)), B: make([]int32, len(r.Edges)), W: make([]float32, len(r.Edges))}
	for k := range r.Edges {
		e := &r.Edges[k]
		in.A[k], in.B[k], in.W[k] = g.Node[e.A], g.Node[e.B], float32(e.Weight)
	}
	return in
}

// Account returns the name of account id a.
func (r *Result) Account(a int32) string { return r.in.accounts[a] }

// Data is what a run reads: the shares, the texts of the posts (for the
// near-text object type) and what the data says of the accounts'
// audience (summed per community in communities.csv; nil: unknown).
type Data struct {
	Shares []tahqiq.Share
	Texts  []TextPost
	Reach  map[string]Reach
}

// Run detects coordinated pairs of accounts in d with parameters p. The
// in-window pairs are made and folded into edges where eng says: nil is
// this process (the objects split among Params.Workers goroutines);
// Partitioned and Reduced hand that work to other processes. Every
// engine gives the same result, to the byte.
//
// With ObjNearText among p.Types, posts whose token sets have a Jaccard
// similarity of at least p.Jaccard share a near-text object (see
// findNearText); the groups are found here whatever the engine, and each
// group's posts travel with their token sets.
func Run(ctx context.Context, d Data, p Params, eng Engine) (*Result, error) {
	if eng == nil {
		eng = inProcess{}
	}
	return run(ctx, d, p, eng)
}

func run(ctx context.Context, d Data, p Params, eng Engine) (*Result, error) {
	shares, texts := d.Shares, d.Texts
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var near *nearText
	var nearSecs float64
	if slices.Contains(p.Types, ObjNearText) {
		if p.Jaccard <= 0 {
			return nil, ParamErrorf("jaccard", "{jaccard} must be above 0 with {by} near-text")
		}
		if len(texts) == 0 {
			return nil, ParamErrorf("by", "{by} near-text needs post texts, and the input carries none")
		}
		start := time.Now()
		near = findNearText(texts, p.MinTokens, p.Jaccard, p.Window)
		shares = append(slices.Clip(shares), near.shares...)
		nearSecs = time.Since(start).Seconds()
	}
	if err := checkTimes(shares, p); err != nil {
		return nil, err
	}
	res := &Result{Params: p, Timings: map[string]float64{}, Counts: map[string]int64{}, Dropped: map[string]int64{}, reach: d.Reach}
	clock := time.Now()
	lap := func(name string) {
		now := time.Now()
		res.Timings[name] = now.Sub(clock).Seconds()
		clock = now
	}
	res.Counts["input_shares"] = int64(len(shares))
	if near != nil {
		res.Timings["near_text_s"] = nearSecs
		res.Dropped["near_text_short"] = near.short
		res.Dropped["near_text_repeated"] = near.repeated
	}
	if p.WindowKind == FastReshare {
		n := len(shares)
		shares = fastReshares(shares, p.Window)
		res.Dropped["not_fast_reshares"] = int64(n - len(shares))
		p.Types = nil
		res.Params.Types = []tahqiq.ObjectType{ObjFastReshare}
	}
	in := intern(shares, p.Types, p.KeepLoops)
	for k, n := range in.dropped {
		res.Dropped[k] = n
	}
	if near != nil {
		in.jaccard = p.Jaccard
		in.postTokens = make([][]uint64, len(in.posts))
		for i, uid := range in.posts {
			in.postTokens[i] = near.tokens[uid]
		}
		res.Counts["near_text_posts"] = int64(len(near.shares))
		res.Counts["near_text_candidates"] = near.candidates
	}
	res.in = in
	defer context.AfterFunc(ctx, func() { in.stop.Store(true) })()
	res.Types = in.types
	if len(p.Types) == 0 {
		res.Params.Types = in.types
	}
	res.Counts["shares"] = int64(len(in.rows))
	res.Counts["accounts"] = int64(len(in.accounts))
	res.Counts["posts"] = int64(len(in.posts))
	res.Counts["objects"] = int64(len(in.objects))
	lap("intern_s")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pairWindow := p.Window
	if p.WindowKind == FastReshare {
		pairWindow = p.Window
		p.WindowKind = Sliding
	}
	q := p
	q.Window = pairWindow
	edges, err := eng.edges(ctx, in, &q, &p, res, lap)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Edges = weigh(edges, &p)
	res.Counts["edges"] = int64(len(res.Edges))
	nodes := map[int32]bool{}
	flagged := 0
	for _, e := range res.Edges {
		nodes[e.A], nodes[e.B] = true, true
		if e.Flagged {
			flagged++
		}
	}
	res.Counts["edge_accounts"] = int64(len(nodes))
	res.Counts["flagged_edges"] = int64(flagged)
	lap("weigh_s")
	if p.Graph {
		res.Graph = graphStep(res, &p)
		lap("graph_s")
	}
	return res, nil
}

// weigh sets each edge's weight, drops edges under the minimum weight and
// flags those above the percentile threshold.
func weigh(edges []Edge, p *Params) []Edge {
	kept := edges[:0]
	for _, e := range edges {
		switch p.Weight {
		case WeightPairs:
			e.Weight = float64(e.Pairs)
		case WeightObjects:
			e.Weight = float64(e.Objects)
		case WeightCollab:
			e.Weight = e.Collab
		case WeightTFIDF:
			e.Weight = e.TFIDF
		case WeightMessages:
			// CNT applies the minimum per direction; the undirected
			// weight is the larger surviving direction.
			ab, ba := float64(e.PostsA), float64(e.PostsB)
			if ab < p.MinWeight {
				ab = 0
			}
			if ba < p.MinWeight {
				ba = 0
			}
			e.Weight = max(ab, ba)
		}
		if e.Weight < p.MinWeight || e.Weight == 0 {
			continue
		}
		kept = append(kept, e)
	}
	threshold := math.Inf(-1)
	if p.Percentile > 0 && len(kept) > 0 {
		ws := make([]float64, len(kept))
		for i, e := range kept {
			ws[i] = e.Weight
		}
		threshold = Quantile(ws, p.Percentile)
	}
	for i := range kept {
		kept[i].Flagged = kept[i].Weight > threshold
	}
	return kept
}

// Quantile is R's type-7 quantile of xs at probability p (xs is sorted in
// place): with h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] -
// x[floor h]).
func Quantile(xs []float64, p float64) float64 {
	slices.Sort(xs)
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// checkTimes refuses a time window, or a fast layer, over shares without a
// time (tahqiq.PrecisionNone: their posts were imported without one):
// they cannot be placed in a window, and giving them one would make them
// co-occur. NoWindow pairs every share of an object, the same object
// anywhere in the input, and needs no time.
func checkTimes(shares []tahqiq.Share, p Params) error {
	if p.Window == NoWindow && p.FastWindow == 0 {
		return nil
	}
	n := 0
	for i := range shares {
		if shares[i].Precision == tahqiq.PrecisionNone {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	what, param := "a time window", "window"
	if p.Window == NoWindow {
		what, param = "a fast layer ({fast_window})", "fast_window"
	}
	return ParamErrorf(param, "%d of the %d shares have no time (their posts were imported without one, e.g. from a CSV without a time column): %s cannot place them; run with {window} none, which pairs the same object anywhere in the input", n, len(shares), what)
}
