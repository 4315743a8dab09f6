// Package layout places the accounts of a coordination network in the
// plane, once, where the run is made: the web UI then only draws, and
// Gephi opens a laid-out file. It lays out the heaviest links of a network
// (DefaultMaxEdges unless told otherwise) with ForceAtlas2, starting from
// a ForceAtlas2 layout of its communities (communities as nodes, the
// links between them summed), so that a community's accounts start where
// the community will be and the overview of communities and the accounts
// share one plane. Accounts outside the heaviest links are placed beside
// their community. The result depends only on the network and the seed.
//
// The package imports only the standard library and decides nothing about
// files: internal/coord writes the positions into the run's files.
package layout

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Algorithm and Version name the computation in a run's manifest: raise
// Version with every change of what Compute returns.
const (
	Algorithm = "forceatlas2-linlog"
	Version   = 1
)

// DefaultMaxEdges is how many of the heaviest links are laid out by force.
const DefaultMaxEdges = 50000

// Scale is the half-width of the square the positions are scaled into.
const Scale = 1000

// Input is a network: Nodes nodes, Group[u] the community of node u (-1:
// none), edge k between A[k] and B[k] of weight W[k] > 0; or, when Edges
// is set, the edges it gives (A, B and W are then not read).
type Input struct {
	Nodes int
	Group []int32
	A, B  []int32
	W     []float32
	// Edges, when not nil, calls yield with every edge (the k-th: the
	// edge k of A, B, W), in the same order each time, until yield
	// returns false. Compute reads the edges three times and holds only
	// the MaxEdges heaviest (a network of tens of millions of edges is
	// laid out without a copy of them).
	Edges func(yield func(a, b int32, w float32) bool)
}

// each calls fn with every edge of in, in order.
func (in *Input) each(fn func(k int, a, b int32, w float32)) {
	if in.Edges == nil {
		for k := range in.A {
			fn(k, in.A[k], in.B[k], in.W[k])
		}
		return
	}
	k := 0
	in.Edges(func(a, b int32, w float32) bool {
		fn(k, a, b, w)
		k++
		return true
	})
}

// link is an edge of the input, k-th of its order.
type link struct {
	k    int
	a, b int32
	w    float32
}

// heaviest returns the max heaviest edges of in, in their order: those a
// stable sort by decreasing weight puts first (of equal weights, the
// earlier), found with a heap of max edges in one pass.
func (in *Input) heaviest(max int) []link {
	// h is a min-heap of the worst kept link on top: the lightest, of
	// equal weights the later
	var h []link
	worse := func(x, y link) bool { return x.w < y.w || x.w == y.w && x.k > y.k }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				l = r
			}
			if !worse(h[l], h[i]) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	in.each(func(k int, a, b int32, w float32) {
		x := link{k, a, b, w}
		if len(h) < max {
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			return
		}
		// a later link of equal weight is never better than the kept
		if x.w > h[0].w {
			h[0] = x
			down(0)
		}
	})
	slices.SortFunc(h, func(x, y link) int { return cmp.Compare(x.k, y.k) })
	return h
}

// Options are a layout's parameters.
type Options struct {
	Seed     uint64 // the run's seed: the starting positions
	MaxEdges int    // the heaviest links laid out by force; 0: DefaultMaxEdges
	Workers  int    // goroutines for the repulsion; 0: GOMAXPROCS. The result does not depend on it.
}

// Result is a layout: a position for every node and every community.
type Result struct {
	X, Y   []float32 // every node, within [-Scale, Scale]
	Forced []bool    // the node is an end of one of the heaviest links, placed by the force layout
	Groups []Group   // every community with a node, by number
	Info   Info
}

// Group is a community's place: the centre of its accounts.
type Group struct {
	ID    int32
	X, Y  float32
	Nodes int
}

// Info is what a run's manifest records of its layout.
type Info struct {
	Algorithm       string `json:"algorithm"`
	Version         int    `json:"version"`
	Seed            uint64 `json:"seed"`
	MaxEdges        int    `json:"max_edges"`
	Edges           int    `json:"edges"` // laid out by force
	Nodes           int    `json:"nodes"` // laid out by force
	Iterations      int    `json:"iterations"`
	GroupIterations int    `json:"community_iterations"`
}

// nodeSpacing is roughly the distance between linked accounts in a
// ForceAtlas2 layout with the paper's defaults (scaling 2, LinLog).
const nodeSpacing = 6.0

// Compute lays the network out.
func Compute(in Input, opt Options) Result {
	if opt.MaxEdges <= 0 {
		opt.MaxEdges = DefaultMaxEdges
	}
	n := in.Nodes
	res := Result{X: make([]float32, n), Y: make([]float32, n), Forced: make([]bool, n),
		Info: Info{Algorithm: Algorithm, Version: Version, Seed: opt.Seed, MaxEdges: opt.MaxEdges}}
	if n == 0 {
		return res
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6c61796f7574)) // "layout"
	group := in.Group
	if len(group) != n {
		group = make([]int32, n)
		for i := range group {
			group[i] = -1
		}
	}

	// 1. communities: their sizes, masses and the summed links between them
	gs := groupsOf(&in, group)
	gx, gy := make([]float64, len(gs.ids)), make([]float64, len(gs.ids))
	for g := range gx {
		r := 10 * math.Sqrt(float64(len(gs.ids))) * math.Sqrt(rng.Float64())
		a := 2 * math.Pi * rng.Float64()
		gx[g], gy[g] = r*math.Cos(a), r*math.Sin(a)
	}
	if len(gs.ids) > 1 {
		f := newFA2(gx, gy, gs.ea, gs.eb, gs.ew, gs.mass, opt.Workers)
		res.Info.GroupIterations = iterations(len(gs.ids), len(gs.ea))
		for range res.Info.GroupIterations {
			f.step()
		}
	}
	// spread the communities so that each has room for its accounts
	radius := make([]float64, len(gs.ids))
	for g := range radius {
		radius[g] = nodeSpacing * math.Sqrt(float64(gs.size[g]))
	}
	scaleGroups(gx, gy, radius)

	// 2. the heaviest links and their ends, in their own order (the
	// force layout reads them so)
	order := in.heaviest(opt.MaxEdges)
	local := make([]int32, n)
	for i := range local {
		local[i] = -1
	}
	for _, l := range order {
		res.Forced[l.a], res.Forced[l.b] = true, true
	}
	var nodes []int32 // local -> node
	for u := 0; u < n; u++ {
		if res.Forced[u] {
			local[u] = int32(len(nodes))
			nodes = append(nodes, int32(u))
		}
	}
	ea, eb, ew := make([]int32, 0, len(order)), make([]int32, 0, len(order)), make([]float64, 0, len(order))
	for _, l := range order {
		if l.a == l.b {
			continue
		}
		ea, eb, ew = append(ea, local[l.a]), append(eb, local[l.b]), append(ew, float64(l.w))
	}
	res.Info.Edges, res.Info.Nodes = len(ea), len(nodes)

	// 3. start each account within its community's disc; accounts of no
	// community beside their first placed neighbour
	x, y := make([]float64, len(nodes)), make([]float64, len(nodes))
	placed := make([]bool, len(nodes))
	for l, u := range nodes {
		if g := gs.index(group[u]); g >= 0 {
			x[l], y[l] = disc(rng, gx[g], gy[g], radius[g])
			placed[l] = true
		}
	}
	for k := range ea {
		for _, e := range [2][2]int32{{ea[k], eb[k]}, {eb[k], ea[k]}} {
			if !placed[e[0]] && placed[e[1]] {
				x[e[0]], y[e[0]] = disc(rng, x[e[1]], y[e[1]], nodeSpacing)
				placed[e[0]] = true
			}
		}
	}
	outer := nodeSpacing * math.Sqrt(float64(len(nodes)))
	for l := range nodes {
		if !placed[l] {
			x[l], y[l] = disc(rng, 0, 0, outer)
		}
	}

	// 4. the force layout of the heaviest links
	if len(nodes) > 1 {
		f := newFA2(x, y, ea, eb, ew, nil, opt.Workers)
		res.Info.Iterations = iterations(len(nodes), len(ea))
		for range res.Info.Iterations {
			f.step()
		}
	}

	// 5. the communities where their laid-out accounts are; the others
	// moved as the laid-out ones moved on average (a fit of scale and shift)
	cx, cy, cn := make([]float64, len(gs.ids)), make([]float64, len(gs.ids)), make([]int, len(gs.ids))
	for l, u := range nodes {
		if g := gs.index(group[u]); g >= 0 {
			cx[g] += x[l]
			cy[g] += y[l]
			cn[g]++
		}
	}
	var pairs [][4]float64 // from (gx, gy) to (cx, cy)
	for g := range cx {
		if cn[g] > 0 {
			cx[g] /= float64(cn[g])
			cy[g] /= float64(cn[g])
			pairs = append(pairs, [4]float64{gx[g], gy[g], cx[g], cy[g]})
		}
	}
	s, tx, ty := fit(pairs)
	spread := make([]float64, len(gs.ids)) // RMS distance of the laid-out accounts from their centre
	for l, u := range nodes {
		if g := gs.index(group[u]); g >= 0 {
			spread[g] += (x[l]-cx[g])*(x[l]-cx[g]) + (y[l]-cy[g])*(y[l]-cy[g])
		}
	}
	for g := range cx {
		if cn[g] == 0 {
			cx[g], cy[g] = s*gx[g]+tx, s*gy[g]+ty
			spread[g] = s * radius[g]
		} else {
			spread[g] = math.Sqrt(spread[g]/float64(cn[g])) + s*nodeSpacing
		}
	}

	// 6. every other account in its community's disc, or beside its first
	// placed neighbour
	px, py := make([]float64, n), make([]float64, n)
	done := make([]bool, n)
	for l, u := range nodes {
		px[u], py[u], done[u] = x[l], y[l], true
	}
	for u := 0; u < n; u++ {
		if g := gs.index(group[u]); !done[u] && g >= 0 {
			px[u], py[u] = disc(rng, cx[g], cy[g], spread[g])
			done[u] = true
		}
	}
	in.each(func(_ int, a, b int32, _ float32) {
		for _, e := range [2][2]int32{{a, b}, {b, a}} {
			if !done[e[0]] && done[e[1]] {
				px[e[0]], py[e[0]] = disc(rng, px[e[1]], py[e[1]], s*nodeSpacing)
				done[e[0]] = true
			}
		}
	})
	var ext float64
	for u := 0; u < n; u++ {
		if done[u] {
			ext = math.Max(ext, math.Max(math.Abs(px[u]), math.Abs(py[u])))
		}
	}
	for u := 0; u < n; u++ {
		if !done[u] { // no link at all: on a ring around the rest
			a := 2 * math.Pi * rng.Float64()
			px[u], py[u] = (ext+s*nodeSpacing)*math.Cos(a), (ext+s*nodeSpacing)*math.Sin(a)
		}
	}

	// 7. centred on the median account, the farthest 1 % drawn in onto a
	// thin ring just outside the rest (ForceAtlas2 pushes small pieces far
	// out, and a view fitted to them would show the rest as a dot), and
	// scaled into [-Scale, Scale]
	mx, my := median(px), median(py)
	radii := make([]float64, n)
	for u := 0; u < n; u++ {
		radii[u] = math.Hypot(px[u]-mx, py[u]-my)
	}
	sorted := slices.Clone(radii)
	slices.Sort(sorted)
	r99 := sorted[min(n-1, n*99/100)]
	if r99 > 0 {
		for u := 0; u < n; u++ {
			if r := radii[u]; r > r99 {
				nr := r99 * (1 + 0.1*(1-math.Exp(-(r-r99)/r99)))
				px[u] = mx + (px[u]-mx)*nr/r
				py[u] = my + (py[u]-my)*nr/r
			}
		}
		for g := range cx {
			if r := math.Hypot(cx[g]-mx, cy[g]-my); r > r99 {
				nr := r99 * (1 + 0.1*(1-math.Exp(-(r-r99)/r99)))
				cx[g] = mx + (cx[g]-mx)*nr/r
				cy[g] = my + (cy[g]-my)*nr/r
			}
		}
	}
	var w float64
	for u := 0; u < n; u++ {
		w = math.Max(w, math.Max(math.Abs(px[u]-mx), math.Abs(py[u]-my)))
	}
	k := 1.0
	if w > 0 {
		k = Scale / w
	}
	for u := 0; u < n; u++ {
		res.X[u], res.Y[u] = round(k*(px[u]-mx)), round(k*(py[u]-my))
	}
	res.Groups = make([]Group, len(gs.ids))
	for g, id := range gs.ids {
		res.Groups[g] = Group{ID: id, X: round(k * (cx[g] - mx)), Y: round(k * (cy[g] - my)), Nodes: gs.size[g]}
	}
	return res
}

// median returns the median of v (the lower one of an even count).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// round keeps two decimals: positions are written as text, and equal
// layouts write equal bytes.
func round(v float64) float32 {
	return float32(math.Round(v*100) / 100)
}

// iterations is how many steps a layout of n nodes and m links takes: a
// fixed function of its size (a time budget would make the result depend
// on the machine). Small networks settle in a few hundred steps; large
// ones start from their communities' places and get fewer.
func iterations(n, m int) int {
	cost := float64(n)*math.Log2(float64(n)+2) + float64(m)
	it := int(2.2e7 / cost)
	return max(60, min(it, 600))
}

// disc returns a point uniformly within radius r of (cx, cy).
func disc(rng *rand.Rand, cx, cy, r float64) (float64, float64) {
	d := r * math.Sqrt(rng.Float64())
	a := 2 * math.Pi * rng.Float64()
	return cx + d*math.Cos(a), cy + d*math.Sin(a)
}

// groups are the communities of a network as nodes of their own graph.
type groups struct {
	ids    []int32 // community numbers, ascending
	pos    map[int32]int
	size   []int
	mass   []float64
	ea, eb []int32
	ew     []float64
}

func (gs *groups) index(id int32) int {
	if id < 0 {
		return -1
	}
	g, ok := gs.pos[id]
	if !ok {
		return -1
	}
	return g
}

// groupsOf sums a network by community: a community's mass is the sum of
// its accounts' ForceAtlas2 masses (degree + 1), so that communities push
// each other apart as their accounts will; the links between two
// communities become one of their summed weight.
func groupsOf(in *Input, group []int32) *groups {
	gs := &groups{pos: map[int32]int{}}
	for _, c := range group {
		if c >= 0 {
			if _, ok := gs.pos[c]; !ok {
				gs.pos[c] = 0
				gs.ids = append(gs.ids, c)
			}
		}
	}
	slices.Sort(gs.ids)
	for i, c := range gs.ids {
		gs.pos[c] = i
	}
	gs.size = make([]int, len(gs.ids))
	gs.mass = make([]float64, len(gs.ids))
	for _, c := range group {
		if g := gs.index(c); g >= 0 {
			gs.size[g]++
			gs.mass[g]++
		}
	}
	// every node's community index, looked up once (not twice an edge:
	// tens of millions of edges at 10M posts)
	gi := make([]int32, len(group))
	for u, c := range group {
		gi[u] = int32(gs.index(c))
	}
	// the links between two communities summed in edge order, in a
	// table of every pair of communities where it is small enough (the
	// same sums as a map's), else in a map
	ng := len(gs.ids)
	var dense []float64
	var seen []bool
	between := map[[2]int32]float64{}
	if ng*ng <= maxDenseGroupPairs {
		dense, seen = make([]float64, ng*ng), make([]bool, ng*ng)
	}
	in.each(func(_ int, a, b int32, w float32) {
		ga, gb := gi[a], gi[b]
		if ga >= 0 {
			gs.mass[ga]++
		}
		if gb >= 0 {
			gs.mass[gb]++
		}
		if ga < 0 || gb < 0 || ga == gb {
			return
		}
		if gb < ga {
			ga, gb = gb, ga
		}
		if dense != nil {
			k := int(ga)*ng + int(gb)
			dense[k] += float64(w)
			seen[k] = true
			return
		}
		between[[2]int32{ga, gb}] += float64(w)
	})
	if dense != nil {
		for k, ok := range seen {
			if ok {
				gs.ea, gs.eb, gs.ew = append(gs.ea, int32(k/ng)), append(gs.eb, int32(k%ng)), append(gs.ew, dense[k])
			}
		}
		return gs
	}
	keys := make([][2]int32, 0, len(between))
	for p := range between {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(a, b [2]int32) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, p := range keys {
		gs.ea, gs.eb, gs.ew = append(gs.ea, p[0]), append(gs.eb, p[1]), append(gs.ew, between[p])
	}
	return gs
}

// maxDenseGroupPairs bounds the table of links between communities
// groupsOf sums into (9 bytes a pair of communities: 2,048 communities
// at most, 36 MiB); more communities are summed in a map.
var maxDenseGroupPairs = 2048 * 2048

// scaleGroups scales the communities' layout so that a typical community
// and its nearest neighbour are as far apart as their discs are wide.
func scaleGroups(x, y, radius []float64) {
	if len(x) < 2 {
		return
	}
	ratios := make([]float64, 0, len(x))
	// nearest neighbours by brute force for up to a few thousand
	// communities; a sample beyond that (the median needs no more)
	step := max(1, len(x)/2000)
	for g := 0; g < len(x); g += step {
		best, bh := math.Inf(1), -1
		for h := range x {
			if h == g {
				continue
			}
			if d := math.Hypot(x[g]-x[h], y[g]-y[h]); d < best {
				best, bh = d, h
			}
		}
		if bh >= 0 && best > 0 {
			ratios = append(ratios, (radius[g]+radius[bh])/best)
		}
	}
	if len(ratios) == 0 {
		return
	}
	slices.Sort(ratios)
	s := ratios[len(ratios)/2]
	for i := range x {
		x[i] *= s
		y[i] *= s
	}
}

// fit returns the scale s and shift (tx, ty) that best move the points
// (p[0], p[1]) onto (p[2], p[3]) in the least-squares sense.
func fit(p [][4]float64) (s, tx, ty float64) {
	if len(p) == 0 {
		return 1, 0, 0
	}
	var ax, ay, bx, by float64
	for _, q := range p {
		ax += q[0]
		ay += q[1]
		bx += q[2]
		by += q[3]
	}
	k := float64(len(p))
	ax, ay, bx, by = ax/k, ay/k, bx/k, by/k
	var num, den float64
	for _, q := range p {
		num += (q[0]-ax)*(q[2]-bx) + (q[1]-ay)*(q[3]-by)
		den += (q[0]-ax)*(q[0]-ax) + (q[1]-ay)*(q[1]-ay)
	}
	s = 1
	if den > 0 && num > 0 {
		s = num / den
	}
	return s, bx - s*ax, by - s*ay
}
