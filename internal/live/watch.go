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
type Watcher struct {
	Window    int64               // seconds
	Lateness  int64               // how late (behind the newest share) a share may arrive; default Window
	MinWeight int64               // edge weight that joins accounts into groups; default 2
	GroupSize int                 // accounts in a group that raise an alert; default 5
	Types     []tahqiq.ObjectType // object types compared; empty: all
	OnAlert   func(Alert)

	objects map[objKey][]tahqiq.Share // recent shares per object, by time
	seen    map[objKey]map[string]bool
	edges   map[[2]string]*LiveEdge
	parent  map[string]string
	size    map[string]int
	alerted map[string]int // group root -> size at the last alert
	newest  int64
	Stats   WatchStats
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
	Edges   int   `json:"edges"`
	Alerts  int   `json:"alerts"`
	Evicted int64 `json:"evicted"`
}

// LiveEdge is an account pair's running weight and the pairs behind it.
type LiveEdge struct {
	A        string              `json:"a"`
	B        string              `json:"b"`
	Weight   int64               `json:"weight"`   // co-share pairs
	Evidence []coord.EvidenceRow `json:"evidence"` // the first maxEvidence pairs
}

const maxEvidence = 20

// Alert is a group of accounts that crossed the threshold, with the edges
// and co-share pairs that joined it.
type Alert struct {
	Time      time.Time  `json:"time"` // of the share that triggered it (data time)
	Accounts  []string   `json:"accounts"`
	Edges     []LiveEdge `json:"edges"`
	Window    int64      `json:"window_s"`
	MinWeight int64      `json:"min_weight"`
	GroupSize int        `json:"group_size"`
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
	w.edges = map[[2]string]*LiveEdge{}
	w.parent = map[string]string{}
	w.size = map[string]int{}
	w.alerted = map[string]int{}
}

// Add takes one share.
func (w *Watcher) Add(s tahqiq.Share) {
	w.init()
	if s.Object == "" || coord.IsLoop(s) || (len(w.Types) > 0 && !slices.Contains(w.Types, s.Type)) {
		return
	}
	w.Stats.Shares++
	if s.Time > w.newest {
		w.newest = s.Time
	}
	if s.Time < w.newest-w.Lateness {
		w.Stats.Late++
		return
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
		e = &LiveEdge{A: key[0], B: key[1]}
		w.edges[key] = e
		w.Stats.Edges++
	}
	e.Weight++
	w.Stats.Pairs++
	if len(e.Evidence) < maxEvidence {
		e.Evidence = append(e.Evidence, coord.EvidenceRow{ObjectType: string(s.Type), Object: s.Object,
			PostA: a.PostID, AccountA: a.AccountID, TimeA: a.Time, PostB: b.PostID, AccountB: b.AccountID, TimeB: b.Time})
	}
	if e.Weight == w.MinWeight {
		w.join(key[0], key[1], s.Time)
	}
}

func (w *Watcher) find(x string) string {
	if _, ok := w.parent[x]; !ok {
		w.parent[x], w.size[x] = x, 1
	}
	for w.parent[x] != x {
		w.parent[x] = w.parent[w.parent[x]]
		x = w.parent[x]
	}
	return x
}

func (w *Watcher) join(a, b string, t int64) {
	ra, rb := w.find(a), w.find(b)
	if ra == rb {
		return
	}
	if w.size[ra] < w.size[rb] {
		ra, rb = rb, ra
	}
	w.parent[rb] = ra
	w.size[ra] += w.size[rb]
	last := max(w.alerted[ra], w.alerted[rb])
	delete(w.alerted, rb)
	w.alerted[ra] = last
	if n := w.size[ra]; n >= w.GroupSize && n >= last+w.GroupSize {
		w.alerted[ra] = n
		w.Stats.Alerts++
		if w.OnAlert != nil {
			w.OnAlert(w.alert(ra, t))
		}
	}
}

// alert describes the group of root.
func (w *Watcher) alert(root string, t int64) Alert {
	al := Alert{Time: time.Unix(t, 0).UTC(), Window: w.Window, MinWeight: w.MinWeight, GroupSize: w.GroupSize}
	in := map[string]bool{}
	for x := range w.parent {
		if w.find(x) == root {
			in[x] = true
			al.Accounts = append(al.Accounts, x)
		}
	}
	slices.Sort(al.Accounts)
	for _, e := range w.edges {
		if e.Weight >= w.MinWeight && in[e.A] && in[e.B] {
			al.Edges = append(al.Edges, *e)
		}
	}
	slices.SortFunc(al.Edges, func(x, y LiveEdge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return cmp.Compare(x.A+"\x00"+x.B, y.A+"\x00"+y.B)
	})
	return al
}

// Edges returns the current edges, heaviest first.
func (w *Watcher) Edges() []LiveEdge {
	var out []LiveEdge
	for _, e := range w.edges {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(x, y LiveEdge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return cmp.Compare(x.A+"\x00"+x.B, y.A+"\x00"+y.B)
	})
	return out
}
