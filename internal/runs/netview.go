package runs

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// NetworkView is the part of a run's network a view draws, column by
// column (the server sends it as typed arrays, docs/api.md): accounts and
// the links between them (Kind "accounts"), or the run's communities and
// the links between them summed (Kind "communities"). Nodes are numbered
// by their place in the columns; Source and Target name them so.
type NetworkView struct {
	Kind         string
	TotalEdges   int  // links in the run
	TotalNodes   int  // accounts in the run
	Communities  int  // communities in the run
	Outside      int  // accounts of no community (the communities view leaves them out)
	Truncated    bool // the filter kept more links than the limit: the heaviest are here
	Types        []string
	Layout       *layout.Info
	LayoutCached bool

	// accounts
	ID, Handle, Name []string
	Community        []int32 // an account's community (-1: none); a community's number
	Degree           []int32
	Strength         []float32
	Posts            []int32
	// communities
	Accounts []int32   // accounts in it
	Links    []int32   // links inside it
	Inside   []float32 // their summed weight
	Top      []string  // its strongest account
	TopLabel []string  // what the dataset calls that account

	X, Y []float32

	Source, Target []int32
	Weight         []float32
	Pairs          []int64  // accounts
	EdgeTypes      []uint32 // accounts: bit i for Types[i]
	Flagged        []bool   // accounts
	First, Last    []int64  // accounts: Unix seconds
	EdgeLinks      []int32  // communities: links summed
}

// NetworkFilter selects the part of a run's network an accounts view
// draws: the links GraphFilter keeps, heaviest first, within the given
// communities (both ends), or around one account (its links and those
// between its neighbours: its ego network).
type NetworkFilter struct {
	GraphFilter
	Communities []int32
	Account     string
}

// Finder looks accounts of the run's dataset up (handles and names).
type Finder func(uids []string) (map[string]tahqiq.Account, error)

// Network returns an accounts view of a run's network. find, when not
// nil, gives what the dataset calls the accounts (read once per run).
func (s *Store) Network(id string, f NetworkFilter, find Finder) (*NetworkView, error) {
	n, err := s.load(id)
	if err != nil {
		return nil, err
	}
	keep, err := n.keep(f.GraphFilter)
	if err != nil {
		return nil, err
	}
	if len(f.Communities) > 0 {
		in := map[int32]bool{}
		for _, c := range f.Communities {
			in[c] = true
		}
		k0 := keep
		keep = func(k int) bool { return in[n.community[n.ea[k]]] && in[n.community[n.eb[k]]] && k0(k) }
	}
	if f.Account != "" {
		me, ok := n.index[f.Account]
		if !ok {
			return nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "account %q has no link in run %s", f.Account, id)
		}
		near := map[int32]bool{}
		for k := range n.ea {
			if (n.ea[k] == me || n.eb[k] == me) && keep(k) {
				near[n.ea[k]], near[n.eb[k]] = true, true
			}
		}
		k0 := keep
		keep = func(k int) bool { return near[n.ea[k]] && near[n.eb[k]] && k0(k) }
	}
	if err := n.loadNames(find); err != nil {
		return nil, err
	}
	v := n.view("accounts")
	local := map[int32]int32{}
	add := func(i int32) int32 {
		if l, ok := local[i]; ok {
			return l
		}
		l := int32(len(v.ID))
		local[i] = l
		v.ID, v.Community, v.Degree = append(v.ID, n.ids[i]), append(v.Community, n.community[i]), append(v.Degree, n.degree[i])
		v.Strength, v.Posts = append(v.Strength, float32(n.strength[i])), append(v.Posts, n.posts[i])
		v.X, v.Y = append(v.X, n.x[i]), append(v.Y, n.y[i])
		if n.handles != nil {
			v.Handle, v.Name = append(v.Handle, n.handles[i]), append(v.Name, n.names[i])
		}
		return l
	}
	for k := range n.ea {
		if !keep(k) {
			continue
		}
		if f.Limit > 0 && len(v.Source) == f.Limit {
			v.Truncated = true
			break
		}
		v.Source, v.Target = append(v.Source, add(n.ea[k])), append(v.Target, add(n.eb[k]))
		v.Weight, v.Pairs, v.EdgeTypes = append(v.Weight, float32(n.weight[k])), append(v.Pairs, n.pairs[k]), append(v.EdgeTypes, n.types[k])
		v.Flagged, v.First, v.Last = append(v.Flagged, n.flagged[k]), append(v.First, n.first[k]), append(v.Last, n.last[k])
	}
	if f.Account != "" && len(v.ID) == 0 { // an account whose links the filter left out: itself
		add(n.index[f.Account])
	}
	return v, nil
}

func (n *network) view(kind string) *NetworkView {
	ov := n.overview()
	return &NetworkView{Kind: kind, TotalEdges: len(n.ea), TotalNodes: len(n.ids), Communities: len(ov.ids), Outside: ov.outside,
		Types: n.typeNames, Layout: n.layout, LayoutCached: n.layoutCached}
}

// Overview returns the communities view of a run's network: every
// community at the centre of its accounts, with the heaviest limit links
// between communities (0: all).
func (s *Store) Overview(id string, limit int, find Finder) (*NetworkView, error) {
	n, err := s.load(id)
	if err != nil {
		return nil, err
	}
	if err := n.loadNames(find); err != nil {
		return nil, err
	}
	ov := n.overview()
	v := n.view("communities")
	v.Community, v.Accounts, v.Links, v.Inside = ov.ids, ov.size, ov.links, ov.inside
	v.X, v.Y = ov.x, ov.y
	for _, i := range ov.top {
		v.Top = append(v.Top, n.ids[i])
		label := ""
		if n.handles != nil {
			label = coord.AccountName{Handle: n.handles[i], Name: n.names[i]}.Label("")
		}
		v.TopLabel = append(v.TopLabel, label)
	}
	m := len(ov.ca)
	if limit > 0 && m > limit {
		m, v.Truncated = limit, true
	}
	v.Source, v.Target, v.Weight, v.EdgeLinks = ov.ca[:m], ov.cb[:m], ov.cw[:m], ov.cl[:m]
	return v, nil
}

// overview is a run's network seen from above: its communities as nodes.
type overview struct {
	ids     []int32   // community numbers, ascending
	size    []int32   // accounts
	x, y    []float32 // the centre of its accounts
	links   []int32   // links inside
	inside  []float32 // their summed weight
	top     []int32   // its strongest account
	ca, cb  []int32   // links between communities (indices into ids), heaviest first
	cw      []float32 // their summed weight
	cl      []int32   // how many
	outside int       // accounts of no community
}

func (n *network) overview() *overview {
	n.ovOnce.Do(func() {
		ov := &overview{}
		pos := map[int32]int32{}
		for _, c := range n.community {
			if _, ok := pos[c]; c >= 0 && !ok {
				pos[c] = 0
				ov.ids = append(ov.ids, c)
			}
		}
		slices.Sort(ov.ids)
		for i, c := range ov.ids {
			pos[c] = int32(i)
		}
		k := len(ov.ids)
		ov.size, ov.links, ov.inside, ov.top = make([]int32, k), make([]int32, k), make([]float32, k), make([]int32, k)
		sx, sy := make([]float64, k), make([]float64, k)
		for i := range ov.top {
			ov.top[i] = -1
		}
		for i, c := range n.community {
			if c < 0 {
				ov.outside++
				continue
			}
			g := pos[c]
			ov.size[g]++
			sx[g] += float64(n.x[i])
			sy[g] += float64(n.y[i])
			if t := ov.top[g]; t < 0 || n.strength[i] > n.strength[t] {
				ov.top[g] = int32(i)
			}
		}
		ov.x, ov.y = make([]float32, k), make([]float32, k)
		for g := range ov.x {
			ov.x[g], ov.y[g] = float32(sx[g]/float64(ov.size[g])), float32(sy[g]/float64(ov.size[g]))
		}
		type sum struct {
			w float64
			n int32
		}
		between := map[[2]int32]*sum{}
		for e := range n.ea {
			ca, cb := n.community[n.ea[e]], n.community[n.eb[e]]
			if ca < 0 || cb < 0 {
				continue
			}
			ga, gb := pos[ca], pos[cb]
			if ga == gb {
				ov.links[ga]++
				ov.inside[ga] += float32(n.weight[e])
				continue
			}
			if gb < ga {
				ga, gb = gb, ga
			}
			s := between[[2]int32{ga, gb}]
			if s == nil {
				s = &sum{}
				between[[2]int32{ga, gb}] = s
			}
			s.w += n.weight[e]
			s.n++
		}
		keys := make([][2]int32, 0, len(between))
		for p := range between {
			keys = append(keys, p)
		}
		slices.SortFunc(keys, func(a, b [2]int32) int {
			return cmp.Or(cmp.Compare(between[b].w, between[a].w), cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		})
		for _, p := range keys {
			s := between[p]
			ov.ca, ov.cb, ov.cw, ov.cl = append(ov.ca, p[0]), append(ov.cb, p[1]), append(ov.cw, float32(s.w)), append(ov.cl, s.n)
		}
		n.ov = ov
	})
	return n.ov
}

// loadNames reads what the dataset calls every account of the run, once
// (find nil: nothing to read, for a run of files).
func (n *network) loadNames(find Finder) error {
	if find == nil {
		return nil
	}
	n.namesMu.Lock()
	defer n.namesMu.Unlock()
	if n.namesDone {
		return nil
	}
	handles, names := make([]string, len(n.ids)), make([]string, len(n.ids))
	const batch = 5000
	for lo := 0; lo < len(n.ids); lo += batch {
		ids := n.ids[lo:min(len(n.ids), lo+batch)]
		as, err := find(ids)
		if err != nil {
			return err
		}
		for j, id := range ids {
			if a, ok := as[id]; ok {
				handles[lo+j], names[lo+j] = a.Handle, a.Name
			}
		}
	}
	n.handles, n.names, n.namesDone = handles, names, true
	n.searchKeys = nil // made again with the names
	return nil
}

// AccountMatch is an account of a run found by a search.
type AccountMatch struct {
	UID       string  `json:"uid"`
	Handle    string  `json:"handle,omitempty"`
	Name      string  `json:"name,omitempty"`
	Community int32   `json:"community"`
	Degree    int32   `json:"degree"`
	Strength  float64 `json:"strength"`
	X         float32 `json:"x"`
	Y         float32 `json:"y"`
	Exact     bool    `json:"exact,omitempty"` // the whole id, bare id, handle or name is what was asked
}

// SearchAccounts finds the accounts of a run whose id (with or without
// its platform prefix, as the user's file wrote it), handle or name
// contains q, compared as tahqiq compares text (textnorm.Fold: case, a
// leading @, Arabic-script letter forms, harakat and tatweel ignored,
// so that "علي" finds "علی رضا"): exact matches first, then those
// starting with q, then the rest, each by strength; at most limit.
func (s *Store) SearchAccounts(id, q string, limit int, find Finder) ([]AccountMatch, error) {
	n, err := s.load(id)
	if err != nil {
		return nil, err
	}
	if err := n.loadNames(find); err != nil {
		return nil, err
	}
	q = searchFold(q)
	if q == "" {
		return []AccountMatch{}, nil
	}
	keys := n.searchTable()
	type hit struct {
		i    int32
		rank int
	}
	var hits []hit
	for i, fields := range keys {
		rank := 3
		for _, f := range fields {
			switch {
			case f == q:
				rank = 0
			case strings.HasPrefix(f, q):
				rank = min(rank, 1)
			case strings.Contains(f, q):
				rank = min(rank, 2)
			}
		}
		if rank < 3 {
			hits = append(hits, hit{int32(i), rank})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(n.strength[b.i], n.strength[a.i]), strings.Compare(n.ids[a.i], n.ids[b.i]))
	})
	out := []AccountMatch{}
	for _, h := range hits[:min(len(hits), limit)] {
		m := AccountMatch{UID: n.ids[h.i], Community: n.community[h.i], Degree: n.degree[h.i], Strength: n.strength[h.i], X: n.x[h.i], Y: n.y[h.i], Exact: h.rank == 0}
		if n.handles != nil {
			m.Handle, m.Name = n.handles[h.i], n.names[h.i]
		}
		out = append(out, m)
	}
	return out, nil
}

// searchFold is a search's form of a query or of an account's id, handle
// or name: folded as tahqiq compares text, without a leading @ and the
// spaces around it.
func searchFold(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(textnorm.Fold(strings.TrimSpace(s)), "@"))
}

// searchTable is, per account, what a search compares (its id, the id
// without its platform prefix, its handle and name, folded), made once.
func (n *network) searchTable() [][]string {
	n.namesMu.Lock()
	defer n.namesMu.Unlock()
	if n.searchKeys != nil {
		return n.searchKeys
	}
	keys := make([][]string, len(n.ids))
	for i, uid := range n.ids {
		fields := []string{searchFold(uid)}
		if _, bare, ok := strings.Cut(uid, ":"); ok {
			fields = append(fields, searchFold(bare))
		}
		if n.handles != nil {
			if h := searchFold(n.handles[i]); h != "" {
				fields = append(fields, h)
			}
			if nm := searchFold(n.names[i]); nm != "" {
				fields = append(fields, nm)
			}
		}
		keys[i] = fields
	}
	n.searchKeys = keys
	return keys
}
