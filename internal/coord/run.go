package coord

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/graph"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/signals"
)

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
	laying *layoutJob  // a layout still being made (LayOut); WriteDir waits for it
	early  *earlyFiles // files Run started beside the graph step (WithFilesBeside)
	// GraphFiles says when WriteDir writes graph.gexf and graph.graphml:
	// GraphFilesAuto (the zero value), GraphFilesAlways or GraphFilesNever.
	GraphFiles string

	in     *interned
	byType []int32 // the edges' per-type counts, len(Types) per Edge.bt
	pairs  []pairRef
	kept   func(func(pairRef) error) error // the reduce path: kept pairs swept again (pairs is nil)
	accts  Accounts
	names  []AccountName // by account id; nil: the data names no account

	maxStrength float64 // of Graph, for the graph files' node sizes
	// net is the graph step's network (every kept edge), for the
	// layout (LayoutInput); WriteDir lets it go
	net *graph.CSR
	// edgeFile holds the edges instead of Edges when they were spilled
	// over the memory budget (a run without the graph step), threshold
	// the percentile threshold of their weights.
	edgeFile  *edgeFile
	threshold float64
	// a partitioned run (ReducedParts): its parts, where the reducers
	// left them, and what their writers were told (Edges is empty)
	parts      *PartsResult
	partSpec   *PartSpec
	partsGraph *PartsGraphInfo // a partitioned run's graph step (partsgraph.go); nil without it
}

// LayoutInput is the network of Graph for internal/layout: its nodes in
// Graph's order with their communities, and every kept edge with its
// weight, in edges.csv's order. runs reads the same from a run's
// nodes.csv and edges.csv. The edges are given from the graph step's
// network (no copy of them: layout.Input.Edges), which the run holds
// until it writes its files.
func (r *Result) LayoutInput() layout.Input {
	g := r.Graph
	if g == nil {
		return layout.Input{}
	}
	in := layout.Input{Nodes: len(g.Nodes), Group: g.Community}
	if net := r.net; net != nil {
		// each edge once, from its lower end's list: (A, B) order,
		// since nodes are numbered in account order
		in.Edges = func(yield func(a, b int32, w float32) bool) {
			for u := range int32(net.N) {
				for k := net.Off[u]; k < net.Off[u+1]; k++ {
					if v := net.Adj[k]; v > u && !yield(u, v, float32(net.Weight(k))) {
						return
					}
				}
			}
		}
		return in
	}
	in.Edges = func(yield func(a, b int32, w float32) bool) {
		r.eachEdge(func(e *Edge, _ []int32) error {
			if !yield(g.Node[e.A], g.Node[e.B], float32(e.Weight)) {
				return errStop
			}
			return nil
		})
	}
	return in
}

// Accounts is what the data says of the accounts (signals.Builder): their
// signals (the last columns of nodes.csv) and their reach (summed per
// community in communities.csv).
type Accounts interface {
	Row(account string) *signals.Row     // nil: none
	Reach(account string) *signals.Reach // nil: nothing known
}

// ByType returns the distinct objects e co-shared per type (in Types
// order).
func (r *Result) ByType(e *Edge) []int32 {
	n := int32(len(r.in.types))
	return r.byType[e.bt*n : (e.bt+1)*n : (e.bt+1)*n]
}

// Account returns the UID of account id a.
func (r *Result) Account(a int32) string { return r.in.accounts[a] }

// Name returns what the data calls account id a (empty where it says
// nothing).
func (r *Result) Name(a int32) AccountName {
	if r.names == nil {
		return AccountName{}
	}
	return r.names[a]
}

// AccountName is what the data calls an account: its handle (without
// "@") and its display name, "" where the data has none (an events CSV
// carries neither).
type AccountName struct {
	Handle string
	Name   string
}

// Label is how people know an account of UID uid called n: "@handle",
// else its name, else the UID (the graph files' labels, the web UI's).
func (n AccountName) Label(uid string) string {
	switch {
	case n.Handle != "":
		return "@" + n.Handle
	case n.Name != "":
		return n.Name
	}
	return uid
}

// Data is what a run reads: the shares, the texts of the posts (for the
// near-text object type), what the data says of the accounts (their
// signals and reach; nil: empty cells) and what it calls them (Names, by
// UID: written beside every account UID of the outputs; nil: nothing).
type Data struct {
	Shares []tahqiq.Share
	// Collected holds the shares instead, interned as they were read
	// (then Shares is empty).
	Collected *Collector
	Texts     []TextPost
	Accounts  Accounts
	Names     map[string]AccountName
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
			return nil, tahqiq.ParamErrorf("jaccard", "{jaccard} must be above 0 with {by} near-text")
		}
		if len(texts) == 0 {
			return nil, tahqiq.ParamErrorf("by", "{by} near-text needs post texts, and the input carries none")
		}
		start := time.Now()
		near = findNearText(texts, p.MinTokens, p.Jaccard, p.Window, progress.FromContext(ctx))
		shares = append(slices.Clip(shares), near.shares...)
		nearSecs = time.Since(start).Seconds()
	}
	col := d.Collected
	if col != nil {
		if len(d.Shares) > 0 || p.WindowKind == FastReshare {
			return nil, fmt.Errorf("coord: collected shares are run alone and not with the %s window kind", FastReshare)
		}
		if near != nil {
			for i := range near.shares {
				col.Share(&near.shares[i])
			}
		}
		if err := checkUntimed(col.untimed, col.shares, p); err != nil {
			return nil, err
		}
	} else if err := checkTimes(shares, p); err != nil {
		return nil, err
	}
	res := &Result{Params: p, Timings: map[string]float64{}, Counts: map[string]int64{}, Dropped: map[string]int64{}, accts: d.Accounts}
	clock := time.Now()
	lap := func(name string) {
		now := time.Now()
		res.Timings[name] = now.Sub(clock).Seconds()
		clock = now
	}
	res.Counts["input_shares"] = int64(len(shares))
	if col != nil {
		res.Counts["input_shares"] = col.shares
	}
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
	// the posts' names: for the evidence, the near-text groups (by post)
	// and the partitioned engines' objects; a run in this process that
	// writes no evidence keeps only their number, one over its budget
	// keeps them on disk until the evidence reads them (postnames.go)
	_, here := eng.(inProcess)
	postNamesDone := here && !p.Evidence
	postsMode := postsKept
	switch {
	case !here || near != nil:
	case postNamesDone:
		postsMode = postsDropped
	default:
		postsMode = postsOnDisk
	}
	var in *interned
	if col != nil {
		if n := col.Spilled(); n > 0 {
			res.Counts["spilled_read_bytes"] = n
		}
		if n := col.SpilledPosts(); n > 0 {
			res.Counts["spilled_post_bytes"] = n
		}
		var err error
		if in, err = col.interned(&p, postsMode, progress.FromContext(ctx)); err != nil {
			return nil, err
		}
		d.Collected = nil
	} else {
		var err error
		if in, err = internShares(shares, p.Types, p.KeepLoops, progress.FromContext(ctx)); err != nil {
			return nil, err
		}
	}
	// the shares (with the strings they hold) can go now
	shares, d.Shares = nil, nil
	for k, n := range in.dropped {
		res.Dropped[k] = n
	}
	if near != nil {
		in.jaccard = p.Jaccard
		in.postTokens = make([][]uint64, in.posts.len())
		for i := range in.postTokens {
			in.postTokens[i] = near.tokens[in.posts.at(int32(i))]
		}
		res.Counts["near_text_posts"] = int64(len(near.shares))
		res.Counts["near_text_candidates"] = near.candidates
	}
	if postNamesDone {
		in.posts.drop()
	}
	res.in = in
	if len(d.Names) > 0 {
		res.names = make([]AccountName, len(in.accounts))
		for i, a := range in.accounts {
			res.names[i] = d.Names[a]
		}
	}
	defer context.AfterFunc(ctx, func() { in.stop.Store(true) })()
	res.Types = in.types
	if len(p.Types) == 0 {
		res.Params.Types = in.types
	}
	res.Counts["shares"] = int64(len(in.rows))
	res.Counts["accounts"] = int64(len(in.accounts))
	res.Counts["posts"] = int64(in.posts.len())
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
	if res.parts != nil {
		// weighed, flagged and written by the reducers
		res.Counts["edges"] = res.parts.Edges
		res.Counts["edge_accounts"] = res.parts.EdgeAccounts
		res.Counts["flagged_edges"] = res.parts.Flagged
		if res.parts.Graph != nil {
			res.setPartsGraph(res.parts.Graph)
		}
		return res, nil
	}
	ph := in.meter.Phase("weighing edges", "", 0)
	var deg []int64 // kept edges per account: the graph step's lists
	if res.edgeFile != nil {
		var kept, flagged, accounts int64
		res.threshold, kept, flagged, accounts, deg, err = weighFile(res.edgeFile, &p, len(in.accounts))
		ph.Done()
		if err != nil {
			return nil, err
		}
		res.Counts["edges"], res.Counts["edge_accounts"], res.Counts["flagged_edges"] = kept, accounts, flagged
	} else {
		res.Edges = weigh(edges, &p)
		ph.Done()
		res.Counts["edges"] = int64(len(res.Edges))
		deg = make([]int64, len(in.accounts))
		accounts, flagged := 0, 0
		for _, e := range res.Edges {
			for _, a := range [2]int32{e.A, e.B} {
				if deg[a]++; deg[a] == 1 {
					accounts++
				}
			}
			if e.Flagged {
				flagged++
			}
		}
		res.Counts["edge_accounts"] = int64(accounts)
		res.Counts["flagged_edges"] = int64(flagged)
	}
	lap("weigh_s")
	if p.Graph {
		res.startEarlyFiles(ctx) // WithFilesBeside
		if res.Graph, err = graphStep(res, &p, deg); err != nil {
			res.stopEarlyFiles()
			return nil, err
		}
		lap("graph_s")
	}
	return res, nil
}

// weigh sets each edge's weight, drops edges under the minimum weight and
// flags those above the percentile threshold.
func weigh(edges []Edge, p *Params) []Edge {
	n := 0 // kept so far: moved down in place, each edge copied once at most
	for i := range edges {
		if e := &edges[i]; weighOne(e, p) {
			if n != i {
				edges[n] = *e
			}
			n++
		}
	}
	kept := edges[:n]
	threshold := math.Inf(-1)
	if p.Percentile > 0 && len(kept) > 0 {
		ws := make([]float64, len(kept))
		for i := range kept {
			ws[i] = kept[i].Weight
		}
		threshold = Quantile(ws, p.Percentile)
	}
	for i := range kept {
		kept[i].Flagged = kept[i].Weight > threshold
	}
	return kept
}

// weighOne sets e's weight and reports whether the edge is kept (its
// weight is at least the minimum, and not 0).
func weighOne(e *Edge, p *Params) bool {
	switch p.Weight {
	case WeightPairs:
		e.Weight = float64(e.Pairs)
	case WeightObjects:
		e.Weight = float64(e.Objects)
	case WeightCollab, WeightTFIDF:
		// the fold left the collab sum, or the TF-IDF cosine, in Weight
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
	return !(e.Weight < p.MinWeight || e.Weight == 0)
}

// Quantile is R's type-7 quantile of xs at probability p (xs is
// reordered): with h = (n-1)p and x sorted, x[floor h] + (h - floor h)
// (x[floor h + 1] - x[floor h]). The two order statistics are found by
// selection, not a sort (85M weights at 10M posts).
func Quantile(xs []float64, p float64) float64 {
	h := float64(len(xs)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(xs) {
		return slices.Max(xs)
	}
	selectNth(xs, lo)
	next := slices.Min(xs[lo+1:])
	return xs[lo] + (h-float64(lo))*(next-xs[lo])
}

// selectNth reorders xs so that xs[k] is what a sort would put there,
// with nothing greater before it and nothing smaller after it
// (quickselect with a three-way partition: weights repeat a lot).
func selectNth(xs []float64, k int) {
	lo, hi := 0, len(xs) // the part of xs that holds place k
	for hi-lo > 1 {
		a, b, c := xs[lo], xs[lo+(hi-lo)/2], xs[hi-1]
		pivot := max(min(a, b), min(max(a, b), c)) // median of three
		// [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot
		lt, i, gt := lo, lo, hi-1
		for i <= gt {
			switch x := xs[i]; {
			case x < pivot:
				xs[lt], xs[i] = xs[i], xs[lt]
				lt++
				i++
			case x > pivot:
				xs[gt], xs[i] = xs[i], xs[gt]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k > gt:
			lo = gt + 1
		default:
			return // xs[k] == pivot, in its place
		}
	}
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
	return checkUntimed(int64(n), int64(len(shares)), p)
}

// checkUntimed is checkTimes of n shares without a time among total.
func checkUntimed(n, total int64, p Params) error {
	if p.Window == NoWindow && p.FastWindow == 0 {
		return nil
	}
	if n == 0 {
		return nil
	}
	what, param := "a time window", "window"
	if p.Window == NoWindow {
		what, param = "a fast layer ({fast_window})", "fast_window"
	}
	return tahqiq.ParamErrorf(param, "%d of the %d shares have no time (their posts were imported without one, e.g. from a CSV without a time column): %s cannot place them; run with {window} none, which pairs the same object anywhere in the input", n, total, what)
}
