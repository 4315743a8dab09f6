package live

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// Watcher is the streaming mode: it keeps a sliding window of recent
// shares per object open, adds each co-share pair to its account pair's
// edge as shares arrive (the "pairs" weight of a sliding window, as
// coord.Run counts it), and raises an Alert when a group of accounts
// joined by edges of at least MinWeight pairs reaches GroupSize accounts,
// and again each time it grows by GroupSize more.
//
// With a Horizon, edges and groups describe only the recent past: an
// edge's weight counts the pairs of the last Horizon seconds (of data
// time, in eighths of it, so a pair leaves the weight between Horizon and
// 9/8 Horizon after it was made), an edge with no pair left is dropped,
// and the groups are rebuilt from the edges that remain. Memory then
// holds one horizon of activity however long the watch runs, and a group
// that broke up and forms again raises a new alert.
type Watcher struct {
	Window    int64               // seconds
	Lateness  int64               // how late (behind the newest share) a share may arrive; default Window
	MinWeight int64               // edge weight that joins accounts into groups; default 2
	GroupSize int                 // accounts in a group that raise an alert; default 5
	Horizon   int64               // seconds of pairs an edge's weight counts; 0: all since the start
	Types     []tahqiq.ObjectType // object types compared; empty: all
	OnAlert   func(Alert)
	// Quiet, while true, keeps alerts from being raised (OnAlert is not
	// called) though groups grow and their alert levels advance as if they
	// had been: for rebuilding a watcher's state by replaying what it saw
	// before a restart.
	Quiet bool

	objects  map[objKey][]tahqiq.Share // recent shares per object, by time
	seen     map[objKey]map[string]bool
	edges    map[[2]string]*Edge
	parent   map[string]string
	size     map[string]int
	alerted  map[string]int // group root -> size at the last alert
	newest   int64
	swept    int64 // bucket of newest at the last expiry sweep
	seqs     []bucketSeq
	due      map[int64][][2]string // bucket -> edges with pairs in it (expiry queue)
	strong   map[[2]string]*Edge   // the edges of at least MinWeight
	adj      map[string][]*Edge    // account -> its edges of at least MinWeight
	members  map[string][]string   // group root -> its accounts
	dueOrder []int64               // the buckets of due, in order
	Stats    WatchStats
}

// bucketSeq is the first stream sequence that brought a share of one
// bucket of data time (an eighth of the horizon).
type bucketSeq struct {
	b   int64
	seq uint64
}

type objKey struct {
	t tahqiq.ObjectType
	v string
}

// WatchStats counts what the watcher did.
type WatchStats struct {
	Shares  int64 `json:"shares"`
	Late    int64 `json:"late"` // arrived more than Lateness behind the newest share: not paired
	Pairs   int64 `json:"pairs"`
	Edges   int   `json:"edges"` // edges held now
	Alerts  int   `json:"alerts"`
	Evicted int64 `json:"evicted"` // shares out of the window, no longer paired
	Expired int64 `json:"expired"` // pairs older than the horizon, out of the weights
}

// Edge is an account pair's running weight and the pairs behind it: a
// count of co-share pairs that grows as shares arrive and, with a horizon,
// shrinks as they age out (not a fold of a finished run: coord.EdgePartial
// is that).
type Edge struct {
	A        string              `json:"a"`
	B        string              `json:"b"`
	Weight   int64               `json:"weight"`   // co-share pairs (within the horizon, if any)
	Evidence []coord.EvidenceRow `json:"evidence"` // the first maxEvidence pairs (of those within the horizon)

	counts []bucketCount // with a horizon: pairs per bucket of data time, by bucket
}

// bucketCount is the number of an edge's pairs whose later share fell in
// one bucket (an eighth of the horizon) of data time.
type bucketCount struct{ b, n int64 }

const maxEvidence = 20

// Alert is a group of accounts that crossed the threshold, with the edges
// and co-share pairs that joined it.
type Alert struct {
	Time      time.Time `json:"time"` // of the share that triggered it (data time)
	Accounts  []string  `json:"accounts"`
	Edges     []Edge    `json:"edges"`      // the heaviest maxAlertEdges (500)
	EdgeCount int       `json:"edge_count"` // all the group's edges
	Window    int64     `json:"window_s"`
	MinWeight int64     `json:"min_weight"`
	GroupSize int       `json:"group_size"`
}

func (w *Watcher) init() {
	if w.objects != nil {
		return
	}
	if w.Lateness <= 0 {
		w.Lateness = w.Window
	}
	if w.MinWeight <= 0 {
		w.MinWeight = 2
	}
	if w.GroupSize <= 1 {
		w.GroupSize = 5
	}
	w.objects = map[objKey][]tahqiq.Share{}
	w.seen = map[objKey]map[string]bool{}
	w.edges = map[[2]string]*Edge{}
	w.parent = map[string]string{}
	w.size = map[string]int{}
	w.alerted = map[string]int{}
	w.due = map[int64][][2]string{}
	w.strong = map[[2]string]*Edge{}
	w.adj = map[string][]*Edge{}
	w.members = map[string][]string{}
}

// Add takes one share.
func (w *Watcher) Add(s tahqiq.Share) { w.AddSeq(0, s) }

// AddSeq takes one share that came in the stream message numbered seq (0:
// not from a stream), so that ResumeSeq can tell where a replay must
// begin.
func (w *Watcher) AddSeq(seq uint64, s tahqiq.Share) {
	w.init()
	if s.Object == "" || coord.IsLoop(s) || (len(w.Types) > 0 && !slices.Contains(w.Types, s.Type)) {
		return
	}
	w.Stats.Shares++
	if s.Time > w.newest {
		w.newest = s.Time
		if w.Horizon > 0 && w.bucket(w.newest) != w.swept {
			w.expire()
		}
	}
	if s.Time < w.newest-w.Lateness {
		w.Stats.Late++
		return
	}
	switch {
	case seq == 0:
	case w.Horizon == 0: // nothing expires: the first sequence is where a replay begins
		w.noteSeq(0, seq)
	default:
		w.noteSeq(w.bucket(s.Time), seq)
	}
	k := objKey{s.Type, s.Object}
	if w.seen[k] == nil {
		w.seen[k] = map[string]bool{}
	}
	if w.seen[k][s.PostID] { // one post shares an object once
		return
	}
	w.seen[k][s.PostID] = true
	buf := w.objects[k]
	for _, r := range buf {
		if r.AccountID == s.AccountID || abs(r.Time-s.Time) > w.Window {
			continue
		}
		w.pair(r, s)
	}
	i := sort.Search(len(buf), func(i int) bool { return buf[i].Time > s.Time })
	buf = slices.Insert(buf, i, s)
	// evict what no later share can pair with
	cut := 0
	for cut < len(buf) && buf[cut].Time < w.newest-w.Lateness-w.Window {
		delete(w.seen[k], buf[cut].PostID)
		cut++
	}
	w.Stats.Evicted += int64(cut)
	if cut == len(buf) {
		delete(w.objects, k)
		delete(w.seen, k)
		return
	}
	w.objects[k] = buf[cut:]
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func (w *Watcher) pair(r, s tahqiq.Share) {
	a, b := r, s
	if b.AccountID < a.AccountID {
		a, b = b, a
	}
	key := [2]string{a.AccountID, b.AccountID}
	e := w.edges[key]
	if e == nil {
		e = &Edge{A: key[0], B: key[1]}
		w.edges[key] = e
		w.Stats.Edges++
	}
	e.Weight++
	w.Stats.Pairs++
	if w.Horizon > 0 {
		w.addCount(key, e, w.bucket(max(a.Time, b.Time)))
	}
	if len(e.Evidence) < maxEvidence {
		e.Evidence = append(e.Evidence, coord.EvidenceRow{ObjectType: string(s.Type), Object: s.Object,
			PostA: a.PostID, AccountA: a.AccountID, TimeA: a.Time, PostB: b.PostID, AccountB: b.AccountID, TimeB: b.Time})
	}
	if e.Weight == w.MinWeight {
		w.strong[key] = e
		w.adj[e.A] = append(w.adj[e.A], e)
		w.adj[e.B] = append(w.adj[e.B], e)
		w.join(key[0], key[1], s.Time)
	}
}

// noteSeq records seq as the first sequence of bucket b unless an
// earlier one is known.
func (w *Watcher) noteSeq(b int64, seq uint64) {
	i, found := slices.BinarySearchFunc(w.seqs, b, func(x bucketSeq, b int64) int { return cmp.Compare(x.b, b) })
	if !found {
		w.seqs = slices.Insert(w.seqs, i, bucketSeq{b, seq})
	} else if seq < w.seqs[i].seq {
		w.seqs[i].seq = seq
	}
}

// ResumeSeq is the stream sequence from which a replay rebuilds this
// watcher's state: the first message that brought a share still able to
// count (a share of a bucket that is not wholly older than the horizon,
// the window and the lateness behind the newest share). 0: no share came
// from a stream. Without a horizon every share counts, so it is the first
// sequence seen. (Lateness is not needed: a share later than it is not
// counted, on the first pass or on a replay.)
func (w *Watcher) ResumeSeq() uint64 {
	var min uint64
	for _, x := range w.seqs {
		if min == 0 || x.seq < min {
			min = x.seq
		}
	}
	return min
}

// bucket is the horizon bucket of data time t.
func (w *Watcher) bucket(t int64) int64 {
	width := max(w.Horizon/8, 1)
	if t < 0 {
		return (t+1)/width - 1
	}
	return t / width
}

// addCount counts a pair of edge e (of key) in bucket b; the first pair
// of a bucket puts the edge in that bucket's expiry queue.
func (w *Watcher) addCount(key [2]string, e *Edge, b int64) {
	i := len(e.counts)
	for i > 0 && e.counts[i-1].b > b { // a late share: rarely more than a step back
		i--
	}
	if i > 0 && e.counts[i-1].b == b {
		e.counts[i-1].n++
		return
	}
	e.counts = slices.Insert(e.counts, i, bucketCount{b, 1})
	q, ok := w.due[b]
	if !ok {
		j, _ := slices.BinarySearch(w.dueOrder, b)
		w.dueOrder = slices.Insert(w.dueOrder, j, b)
	}
	w.due[b] = append(q, key)
}

// expire drops the pairs of buckets that lie wholly before the horizon
// behind the newest share, the edges left with none, and the evidence
// rows older than the horizon, then rebuilds the groups from the edges
// that remain. A new group's alert level is the highest its accounts' old
// groups had reached, but no more than its own size (rounded down to a
// multiple of GroupSize): a group that shrank alerts again when it grows
// back.
func (w *Watcher) expire() {
	w.swept = w.bucket(w.newest)
	cut := w.bucket(w.newest - w.Horizon) // the buckets before it end at or before newest-Horizon
	regroup := false
	// only the edges queued under the expiring buckets can lose pairs
	for len(w.dueOrder) > 0 && w.dueOrder[0] < cut {
		b := w.dueOrder[0]
		for _, key := range w.due[b] {
			e := w.edges[key]
			if e == nil {
				continue
			}
			joined := e.Weight >= w.MinWeight
			n := 0
			for n < len(e.counts) && e.counts[n].b < cut {
				e.Weight -= e.counts[n].n
				w.Stats.Expired += e.counts[n].n
				n++
			}
			if n == 0 {
				continue
			}
			e.counts = e.counts[n:]
			if joined && e.Weight < w.MinWeight {
				regroup = true // an edge that held a group together no longer does
				delete(w.strong, key)
				for _, x := range []string{e.A, e.B} {
					w.adj[x] = slices.DeleteFunc(w.adj[x], func(f *Edge) bool { return f == e })
					if len(w.adj[x]) == 0 {
						delete(w.adj, x)
					}
				}
			}
			if e.Weight <= 0 {
				delete(w.edges, key)
				continue
			}
			e.Evidence = slices.DeleteFunc(e.Evidence, func(r coord.EvidenceRow) bool { return w.bucket(max(r.TimeA, r.TimeB)) < cut })
		}
		delete(w.due, b)
		w.dueOrder = w.dueOrder[1:]
	}
	w.Stats.Edges = len(w.edges)
	// a share of time t pairs with shares up to t+Window, and the pair
	// counts in the later share's bucket: shares before the first counted
	// bucket's start minus the window can no longer count
	keep := w.bucket(cut*max(w.Horizon/8, 1) - w.Window)
	n := 0
	for n < len(w.seqs) && w.seqs[n].b < keep {
		n++
	}
	w.seqs = w.seqs[n:]
	if regroup {
		w.regroup()
	}
}

// regroup rebuilds the groups from the edges of at least MinWeight.
func (w *Watcher) regroup() {
	oldLevel := map[string]int{} // account -> alert level of its old group
	for x := range w.parent {
		if lv := w.alerted[w.find(x)]; lv > 0 {
			oldLevel[x] = lv
		}
	}
	w.parent, w.size, w.alerted, w.members = map[string]string{}, map[string]int{}, map[string]int{}, map[string][]string{}
	for _, e := range w.strong {
		w.union(e.A, e.B)
	}
	for x, lv := range oldLevel {
		if _, ok := w.parent[x]; !ok {
			continue
		}
		r := w.find(x)
		lv = min(lv, w.size[r]/w.GroupSize*w.GroupSize)
		if lv > w.alerted[r] {
			w.alerted[r] = lv
		}
	}
}

func (w *Watcher) find(x string) string {
	if _, ok := w.parent[x]; !ok {
		w.parent[x], w.size[x], w.members[x] = x, 1, []string{x}
	}
	for w.parent[x] != x {
		w.parent[x] = w.parent[w.parent[x]]
		x = w.parent[x]
	}
	return x
}

// union merges the groups of a and b and returns the root of the merged
// group and the root that was merged into it ("" if they were one group).
func (w *Watcher) union(a, b string) (root, gone string) {
	ra, rb := w.find(a), w.find(b)
	if ra == rb {
		return ra, ""
	}
	if w.size[ra] < w.size[rb] {
		ra, rb = rb, ra
	}
	w.parent[rb] = ra
	w.size[ra] += w.size[rb]
	w.members[ra] = append(w.members[ra], w.members[rb]...)
	delete(w.members, rb)
	return ra, rb
}

func (w *Watcher) join(a, b string, t int64) {
	ra, rb := w.union(a, b)
	if rb == "" {
		return
	}
	last := max(w.alerted[ra], w.alerted[rb])
	delete(w.alerted, rb)
	w.alerted[ra] = last
	if n := w.size[ra]; n >= w.GroupSize && n >= last+w.GroupSize {
		w.alerted[ra] = n
		if w.Quiet {
			return
		}
		w.Stats.Alerts++
		if w.OnAlert != nil {
			w.OnAlert(w.alert(ra, t))
		}
	}
}

// maxAlertEdges is how many of a group's edges an alert lists (the
// heaviest); EdgeCount gives them all.
const maxAlertEdges = 500

// alert describes the group of root: its accounts, and its edges (those of
// at least MinWeight between its accounts, which are what joined it).
func (w *Watcher) alert(root string, t int64) Alert {
	al := Alert{Time: time.Unix(t, 0).UTC(), Window: w.Window, MinWeight: w.MinWeight, GroupSize: w.GroupSize}
	al.Accounts = slices.Clone(w.members[root])
	slices.Sort(al.Accounts)
	var edges []*Edge
	for _, x := range al.Accounts {
		for _, e := range w.adj[x] {
			if e.A == x { // each edge once; both its ends are in the group
				edges = append(edges, e)
			}
		}
	}
	al.EdgeCount = len(edges)
	slices.SortFunc(edges, func(x, y *Edge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	for _, e := range edges[:min(len(edges), maxAlertEdges)] {
		al.Edges = append(al.Edges, *e)
	}
	return al
}

// Edges returns the current edges, heaviest first.
func (w *Watcher) Edges() []Edge {
	var out []Edge
	for _, e := range w.edges {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(x, y Edge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out
}
