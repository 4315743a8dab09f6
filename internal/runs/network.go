package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq/internal/rundir"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// network is a run's network in memory, column by column: what the
// server reads of a run's nodes.csv, edges.csv and layout.csv, once per
// run (a few tens of bytes a link, so that a run of millions of links
// fits where one struct of strings per link did not).
type network struct {
	dir      string
	cacheDir string // where a layout computed for a run made before runs were laid out is kept (outside the run: the custody log hashed the run's files)

	// accounts, in nodes.csv's order (then those only edges.csv names)
	ids       []string
	index     map[string]int32
	community []int32 // -1: none
	degree    []int32
	strength  []float64
	posts     []int32
	x, y      []float32
	laidOut   []bool

	// links, heaviest first (equal weights in the file's order)
	ea, eb      []int32
	weight      []float64
	pairs       []int64
	types       []uint32 // bit i: typeNames[i] co-shared
	flagged     []bool
	first, last []int64
	typeNames   []string

	layout       *layout.Info // how the positions were made
	layoutCached bool         // computed when first asked for (a run made before runs were laid out)

	ovOnce sync.Once
	ov     *overview

	namesMu        sync.Mutex
	namesDone      bool           // handles and names known: from the run's files (runs since issue 16) or its dataset
	named          bool           // the run's files name its accounts
	handles, names []string       // what the data calls each account ("" unknown)
	signals        []*signals.Row // the accounts' signals (nodes.csv's last columns; nil: none)
	searchKeys     [][]string     // per account: its id, bare id, handle and name folded (textnorm.Fold), made at the first search

	evidence map[[2]string][]coord.EvidenceRow
	evErr    error
	evOnce   sync.Once
	evSum    string // SHA-256 of evidence.csv.gz, hashed once
	sumOnce  sync.Once
}

var cache struct {
	sync.Mutex
	runs  map[string]*cached
	order []string
}

// cached is a run's network being read or read: its first reader reads
// it, the others wait for that one (and readers of other runs do not).
type cached struct {
	once sync.Once
	n    *network
	err  error
}

// maxEvidenceInMemory is the size of evidence.csv.gz kept in memory by
// pair; larger files are scanned per request.
const maxEvidenceInMemory = 64 << 20

// load returns a coordination run's network, read once and kept (the
// eight runs read last).
func (s *Store) load(id string) (*network, error) {
	dir, err := s.Path(Coord, id)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	c, ok := cache.runs[dir]
	if !ok {
		if cache.runs == nil {
			cache.runs = map[string]*cached{}
		}
		c = &cached{}
		cache.runs[dir] = c
		cache.order = append(cache.order, dir)
		if len(cache.order) > 8 {
			delete(cache.runs, cache.order[0])
			cache.order = cache.order[1:]
		}
	}
	cache.Unlock()
	c.once.Do(func() { c.n, c.err = readNetwork(dir, s.layoutCache(id)) })
	if c.err != nil {
		cache.Lock()
		if cache.runs[dir] == c { // the next reader tries again
			delete(cache.runs, dir)
			cache.order = slices.DeleteFunc(cache.order, func(d string) bool { return d == dir })
		}
		cache.Unlock()
		return nil, c.err
	}
	return c.n, nil
}

// node returns the index of account a, added with no community when new.
func (n *network) node(a string) int32 {
	if i, ok := n.index[a]; ok {
		return i
	}
	i := int32(len(n.ids))
	a = strings.Clone(a) // not the CSV line it was read from
	n.index[a] = i
	n.ids = append(n.ids, a)
	n.community = append(n.community, -1)
	n.degree = append(n.degree, 0)
	n.strength = append(n.strength, 0)
	n.posts = append(n.posts, 0)
	n.handles = append(n.handles, "")
	n.names = append(n.names, "")
	n.signals = append(n.signals, nil)
	return i
}

// layoutCache is the directory that keeps the layout computed for run id
// when it was made before runs were laid out: DATA/runs/.cache/layout/ID,
// outside the run's directory, whose files the custody log hashed when
// the run was stored (a file added there later makes tahqiq verify
// report the run as edited).
func (s *Store) layoutCache(id string) string {
	return filepath.Join(s.Dir, ".cache", "layout", id)
}

// readNetwork reads a run directory's network and its layout: the run's
// layout.csv, or for a run made before runs were laid out, one computed
// now with the run's seed and kept in cacheDir (layout.csv and
// layout.json), never in the run's directory.
func readNetwork(dir, cacheDir string) (*network, error) {
	n := &network{dir: dir, cacheDir: cacheDir, index: map[string]int32{}}
	err := coord.ReadNodes(filepath.Join(dir, "nodes.csv"), func(x coord.NodeRow) error {
		i := n.node(x.Account)
		n.community[i], n.degree[i], n.strength[i], n.posts[i] = x.Community, x.Degree, x.Strength, x.Posts
		n.handles[i], n.names[i], n.signals[i] = strings.Clone(x.Handle), strings.Clone(x.Name), x.Signals
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) { // a run made without the graph step has none
		return nil, err
	}
	err = coord.ReadEdges(filepath.Join(dir, "edges.csv"), func(cols coord.EdgeColumns, x coord.EdgeRow) error {
		if n.typeNames == nil {
			n.typeNames = slices.Clone(cols.Types)
		}
		var bits uint32
		for i, c := range x.ByType {
			if c != 0 && i < 32 {
				bits |= 1 << i
			}
		}
		n.named = cols.Names
		a, b := n.node(x.AccountA), n.node(x.AccountB)
		if n.handles[a] == "" && n.names[a] == "" {
			n.handles[a], n.names[a] = strings.Clone(x.HandleA), strings.Clone(x.NameA)
		}
		if n.handles[b] == "" && n.names[b] == "" {
			n.handles[b], n.names[b] = strings.Clone(x.HandleB), strings.Clone(x.NameB)
		}
		n.ea, n.eb = append(n.ea, a), append(n.eb, b)
		n.weight, n.pairs, n.types = append(n.weight, x.Weight), append(n.pairs, x.Pairs), append(n.types, bits)
		n.flagged, n.first, n.last = append(n.flagged, x.Flagged), append(n.first, x.First), append(n.last, x.Last)
		return nil
	})
	if err != nil {
		return nil, err
	}
	n.namesDone = n.named
	if err := n.readLayout(); err != nil {
		return nil, err
	}
	// heaviest first; the layout above read the links in the file's order
	order := make([]int32, len(n.ea))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		switch wa, wb := n.weight[a], n.weight[b]; {
		case wa > wb:
			return -1
		case wa < wb:
			return 1
		}
		return 0
	})
	n.ea, n.eb, n.weight, n.pairs = permute(n.ea, order), permute(n.eb, order), permute(n.weight, order), permute(n.pairs, order)
	n.types, n.flagged, n.first, n.last = permute(n.types, order), permute(n.flagged, order), permute(n.first, order), permute(n.last, order)
	return n, nil
}

func permute[T any](v []T, order []int32) []T {
	out := make([]T, len(v))
	for i, k := range order {
		out[i] = v[k]
	}
	return out
}

// readLayout sets the accounts' positions: from the run's layout.csv,
// from the cached layout.csv of the cache directory, or computed now and
// cached there.
func (n *network) readLayout() error {
	m := n.manifest()
	n.x, n.y, n.laidOut = make([]float32, len(n.ids)), make([]float32, len(n.ids)), make([]bool, len(n.ids))
	for k, path := range []string{filepath.Join(n.dir, "layout.csv"), filepath.Join(n.cacheDir, "layout.csv")} {
		seen := 0
		err := coord.ReadLayout(path, func(r coord.LayoutRow) error {
			i, ok := n.index[r.Account]
			if !ok {
				return tahqiq.Errorf(tahqiq.EINVALID, "%s: account %q is not in the run's network", path, r.Account)
			}
			n.x[i], n.y[i], n.laidOut[i] = r.X, r.Y, r.LaidOut
			seen++
			return nil
		})
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if seen != len(n.ids) {
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: %d accounts, the run's network has %d", path, seen, len(n.ids))
		}
		n.layout, n.layoutCached = m.Layout, k == 1
		if n.layoutCached {
			n.layout = m.cachedLayout(n.cacheDir)
		}
		return nil
	}
	// a run made before runs were laid out: lay it out now, as its run
	// would have (the links in the file's order, its seed)
	in := layout.Input{Nodes: len(n.ids), Group: n.community, A: n.ea, B: n.eb, W: make([]float32, len(n.weight))}
	for k, w := range n.weight {
		in.W[k] = float32(w)
	}
	l := layout.Compute(in, layout.Options{Seed: m.Params.Seed})
	copy(n.x, l.X)
	copy(n.y, l.Y)
	copy(n.laidOut, l.Forced)
	n.layout, n.layoutCached = &l.Info, true
	if err := os.MkdirAll(n.cacheDir, 0o750); err != nil {
		return nil // a read-only store: the layout stays in memory
	}
	tmp, err := os.CreateTemp(n.cacheDir, ".layout-*.tmp")
	if err != nil {
		return nil // a read-only store: the layout stays in memory
	}
	tmp.Close()
	err = coord.WriteLayout(tmp.Name(), n.ids, &l)
	if err == nil {
		var info []byte
		if info, err = json.Marshal(l.Info); err == nil {
			err = os.WriteFile(filepath.Join(n.cacheDir, "layout.json"), info, 0o640)
		}
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(n.cacheDir, "layout.csv"))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("runs: keep the layout of %s: %w", n.dir, err)
	}
	return nil
}

// runManifest is what the network view reads of manifest.json.
type runManifest struct {
	Params struct {
		Seed uint64 `json:"seed"`
	} `json:"params"`
	Layout *layout.Info `json:"layout"`
}

func (n *network) manifest() runManifest {
	var m runManifest
	m.Params.Seed = coord.DefaultParams().Seed
	if raw, err := os.ReadFile(filepath.Join(n.dir, "manifest.json")); err == nil {
		json.Unmarshal(raw, &m)
	}
	return m
}

func (m runManifest) cachedLayout(dir string) *layout.Info {
	var info layout.Info
	raw, err := os.ReadFile(filepath.Join(dir, "layout.json"))
	if err != nil || json.Unmarshal(raw, &info) != nil {
		return nil
	}
	return &info
}

func (n *network) edgeTypes(k int) []string {
	out := []string{}
	for i, t := range n.typeNames {
		if n.types[k]&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func rfc3339(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

// Node is an account of a run's network: its UID, what the data calls it
// (handle, name) and how people know it (Label: "@handle", else its name,
// else the UID).
type Node struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	Handle    string  `json:"handle,omitempty"`
	Name      string  `json:"name,omitempty"`
	Community int     `json:"community"`
	Degree    int     `json:"degree"`
	Strength  float64 `json:"strength"`
	Posts     int     `json:"posts"`
}

// GraphEdge is an edge of a run's network.
type GraphEdge struct {
	ID      string   `json:"id"`
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Weight  float64  `json:"weight"`
	Pairs   int64    `json:"pairs"`
	Types   []string `json:"types"`
	Flagged bool     `json:"flagged"`
	First   string   `json:"first"`
	Last    string   `json:"last"`
}

// Graph is a run's network, or the part of it a filter kept.
type Graph struct {
	Nodes     []Node      `json:"nodes"`
	Edges     []GraphEdge `json:"edges"`
	Total     int         `json:"total_edges"`
	Truncated bool        `json:"truncated"`
}

// GraphFilter selects edges: at least MinWeight, only flagged ones, at
// most Limit (the heaviest), of one of Types, active within [From, To],
// touching an account whose signals (the run's nodes.csv) meet Where.
type GraphFilter struct {
	MinWeight   float64
	FlaggedOnly bool
	Limit       int
	Types       []string
	From, To    string // RFC 3339; empty = open
	Where       signals.Filters
}

// keep returns the test of a link against f (parameters named as the
// API's query parameters in errors).
func (n *network) keep(f GraphFilter) (func(k int) bool, error) {
	from, to := int64(-1<<62), int64(1<<62)
	for _, b := range []struct {
		name, v string
		t       *int64
	}{{"from", f.From, &from}, {"to", f.To, &to}} {
		if b.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, b.v)
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s=%q: want an RFC 3339 time such as 2024-02-08T10:00:00Z", b.name, b.v)
		}
		*b.t = t.Unix()
	}
	var mask uint32
	for _, t := range f.Types {
		if i := slices.Index(n.typeNames, t); i >= 0 && i < 32 {
			mask |= 1 << i
		}
	}
	return func(k int) bool {
		if n.weight[k] < f.MinWeight || (f.FlaggedOnly && !n.flagged[k]) {
			return false
		}
		if len(f.Types) > 0 && n.types[k]&mask == 0 {
			return false
		}
		if len(f.Where) > 0 && !f.Where.Match(n.signals[n.ea[k]]) && !f.Where.Match(n.signals[n.eb[k]]) {
			return false
		}
		return n.last[k] >= from && n.first[k] <= to
	}, nil
}

func (n *network) graphEdge(k int) GraphEdge {
	a, b := n.ids[n.ea[k]], n.ids[n.eb[k]]
	return GraphEdge{ID: a + "|" + b, Source: a, Target: b, Weight: n.weight[k], Pairs: n.pairs[k], Types: n.edgeTypes(k),
		Flagged: n.flagged[k], First: rfc3339(n.first[k]), Last: rfc3339(n.last[k])}
}

func (n *network) graphNode(i int32) Node {
	h, nm := n.handles[i], n.names[i]
	return Node{ID: n.ids[i], Label: coord.AccountName{Handle: h, Name: nm}.Label(n.ids[i]), Handle: h, Name: nm,
		Community: int(n.community[i]), Degree: int(n.degree[i]), Strength: n.strength[i], Posts: int(n.posts[i])}
}

// Graph returns the network of a coordination run, filtered. A run's
// files name its accounts; those of a run made before they did (issue 16)
// are named by names when it is not nil (its dataset's accounts).
func (s *Store) Graph(id string, f GraphFilter, names func(uids []string) map[string]coord.AccountName) (Graph, error) {
	n, err := s.load(id)
	if err != nil {
		return Graph{}, err
	}
	keep, err := n.keep(f)
	if err != nil {
		return Graph{}, err
	}
	g := Graph{Nodes: []Node{}, Edges: []GraphEdge{}, Total: len(n.ea)}
	seen := map[int32]bool{}
	for k := range n.ea {
		if !keep(k) {
			continue
		}
		if f.Limit > 0 && len(g.Edges) == f.Limit {
			g.Truncated = true
			break
		}
		g.Edges = append(g.Edges, n.graphEdge(k))
		for _, a := range []int32{n.ea[k], n.eb[k]} {
			if !seen[a] {
				seen[a] = true
				g.Nodes = append(g.Nodes, n.graphNode(a))
			}
		}
	}
	if !n.named && names != nil && len(g.Nodes) > 0 {
		uids := make([]string, len(g.Nodes))
		for i, x := range g.Nodes {
			uids[i] = x.ID
		}
		m := names(uids)
		for i := range g.Nodes {
			x := &g.Nodes[i]
			if a, ok := m[x.ID]; ok {
				x.Handle, x.Name, x.Label = a.Handle, a.Name, a.Label(x.ID)
			}
		}
	}
	return g, nil
}

// AccountsByRef finds a dataset's accounts by what a person writes of one
// (tahqiq.SummaryStore's FindAccountsByRef).
type AccountsByRef interface {
	FindAccountsByRef(ctx context.Context, dataset, ref string) ([]tahqiq.Account, error)
}

// DatasetAccount returns the UID of the account of a stored dataset that
// ref names (tahqiq.ResolveAccount: its UID, its id as the file wrote it,
// its handle, its name).
func DatasetAccount(ctx context.Context, st AccountsByRef, dataset, ref string) (string, error) {
	cands, err := st.FindAccountsByRef(ctx, dataset, ref)
	if err != nil {
		return "", err
	}
	a, err := tahqiq.ResolveAccount(ref, "dataset "+dataset, cands)
	return a.UID, err
}

// ResolveAccount returns the UID of the account of run id that ref names
// (tahqiq.ResolveAccount: its UID, its id as the file wrote it, its
// handle, its name).
func (s *Store) ResolveAccount(id, ref string) (string, error) {
	n, err := s.load(id)
	if err != nil {
		return "", err
	}
	if _, ok := n.index[ref]; ok {
		return ref, nil
	}
	cands := make([]tahqiq.Account, len(n.ids))
	for i, uid := range n.ids {
		cands[i] = tahqiq.Account{UID: uid, Handle: n.handles[i], Name: n.names[i]}
	}
	a, err := tahqiq.ResolveAccount(ref, "run "+id, cands)
	return a.UID, err
}

// Account returns the node of account uid in run id: what the data calls
// it and its place in the network (ENOTFOUND when it has no edge there).
func (s *Store) Account(id, uid string) (Node, error) {
	n, err := s.load(id)
	if err != nil {
		return Node{}, err
	}
	i, ok := n.index[uid]
	if !ok {
		return Node{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "account %q has no edge in run %s", uid, id)
	}
	return n.graphNode(i), nil
}

// AccountSignals returns an account's signals as a run's nodes.csv gives
// them (nil when it has none: a run made before signals were written).
func (s *Store) AccountSignals(id, uid string) (*signals.Row, error) {
	n, err := s.load(id)
	if err != nil {
		return nil, err
	}
	i, ok := n.index[uid]
	if !ok {
		return nil, nil
	}
	return n.signals[i], nil
}

// AccountEdges returns a run's node for an account and its edges.
func (s *Store) AccountEdges(id, uid string) (Node, []GraphEdge, error) {
	n, err := s.load(id)
	if err != nil {
		return Node{}, nil, err
	}
	i, ok := n.index[uid]
	if !ok {
		return Node{}, nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "account %q has no edge in run %s", uid, id)
	}
	out := []GraphEdge{}
	for k := range n.ea {
		if n.ea[k] == i || n.eb[k] == i {
			out = append(out, n.graphEdge(k))
		}
	}
	return n.graphNode(i), out, nil
}

// Evidence returns the co-share pairs behind the edge between accounts a
// and b of a run (in either order), and the SHA-256 (hex) of the evidence
// file they were read from.
func (s *Store) Evidence(id, a, b string) ([]coord.EvidenceRow, string, error) {
	n, err := s.load(id)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(n.dir, "evidence.csv.gz")
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", tahqiq.Errorf(tahqiq.ENOTFOUND, "run %s was made without its evidence file (params.evidence false in its manifest): tahqiq coord explain repeats the run for one edge", id)
	}
	n.sumOnce.Do(func() { n.evSum, _ = rundir.FileSHA256(path) })
	if b < a {
		a, b = b, a
	}
	if st.Size() > maxEvidenceInMemory {
		rows, err := coord.ReadEvidence(path, a, b)
		return rows, n.evSum, err
	}
	n.evOnce.Do(func() {
		n.evidence = map[[2]string][]coord.EvidenceRow{}
		n.evErr = coord.EachEvidence(path, func(r coord.EvidenceRow) {
			k := [2]string{r.AccountA, r.AccountB}
			n.evidence[k] = append(n.evidence[k], r)
		})
	})
	if n.evErr != nil {
		return nil, "", n.evErr
	}
	return n.evidence[[2]string{a, b}], n.evSum, nil
}

// Warm reads a run's network and evidence index into memory, so that the
// first readers of a new run do not wait for it (the server calls it at
// the end of the run's job).
func (s *Store) Warm(id string) error {
	if _, err := s.load(id); err != nil {
		return err
	}
	_, _, err := s.Evidence(id, "", "")
	if t, ok := errors.AsType[*tahqiq.Error](err); ok && t.Code == tahqiq.ENOTFOUND {
		return nil // a run without evidence
	}
	return err
}
