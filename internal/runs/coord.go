package runs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// A ShareSource is a store a coordination run reads a dataset from.
type ShareSource interface {
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostScanner // the texts of --by near-text, the posts' reposts and likes
	// FindAccounts returns the accounts of a dataset with the given UIDs
	// (their followers), as tahqiq.SummaryStore does.
	FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error)
}

// DatasetShares reads the shares of a stored dataset for the given object
// types (all types when empty; every share when types holds coord.ObjPost),
// and names the dataset and its files as the run's inputs, with the count
// of the records rejected when they were imported (listed in the store).
func DatasetShares(ctx context.Context, st ShareSource, name string, types []tahqiq.ObjectType) ([]tahqiq.Share, coord.Source, error) {
	d, err := st.FindDatasetByName(ctx, name)
	if err != nil {
		return nil, coord.Source{}, err
	}
	if err := ingest.CheckDerivation(d); err != nil {
		return nil, coord.Source{}, err // derived by other rules: re-derive it first
	}
	filter := tahqiq.ShareFilter{Dataset: name}
	for _, t := range types {
		if t == coord.ObjPost {
			filter.Types = nil // every share carries a post
			break
		}
		filter.Types = append(filter.Types, t)
	}
	var shares []tahqiq.Share
	total := d.Counts.Shares // of every type: the total when all are read
	if filter.Types != nil {
		total = 0
	}
	prog := progress.Start(ctx, "reading shares from the store", "shares", total)
	err = st.ScanShares(ctx, filter, func(s tahqiq.Share) error {
		if len(shares)&4095 == 4095 {
			prog.Add(4096)
		}
		shares = append(shares, s)
		return nil
	})
	prog.Done()
	src := coord.Source{Inputs: []coord.Input{{Name: name, Source: "dataset"}}, RejectedCount: d.Counts.Rejects}
	for _, f := range d.Sources {
		src.Inputs = append(src.Inputs, coord.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "dataset:" + name})
	}
	return shares, src, err
}

// TextPost is the near-text input of a post: a post without a time keeps
// none (time 0, precision none), never the year 1.
func TextPost(p tahqiq.Post) coord.TextPost {
	tp := coord.TextPost{PostID: p.UID, AccountID: p.AuthorUID, Precision: p.Precision, Text: p.Text}
	if p.CreatedAt.IsZero() || p.Precision == tahqiq.PrecisionNone {
		tp.Precision = tahqiq.PrecisionNone
	} else {
		tp.Time = p.CreatedAt.Unix()
	}
	return tp
}

// ParseWindow reads a window such as "60s", "5m" or "none" into seconds;
// param names the parameter (window, fast_window, …) in the error, a
// tahqiq.ParamError that each interface phrases its own way.
func ParseWindow(param, s string) (int64, error) {
	if s == "none" {
		return coord.NoWindow, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, ierr := strconv.Atoi(s); ierr == nil {
			return 0, tahqiq.ParamErrorf(param, "{%s} %q: give a unit, e.g. %ss", param, s, s)
		}
		return 0, tahqiq.ParamErrorf(param, "{%s} %q: want a duration such as 60s", param, s)
	}
	if d < 0 || d%time.Second != 0 {
		return 0, tahqiq.ParamErrorf(param, "{%s} %q: want whole seconds", param, s)
	}
	return int64(d / time.Second), nil
}

// ParseTypes reads object type names ("phash" is "image"); param names
// the parameter (by) in the error.
func ParseTypes(param string, by []string) ([]tahqiq.ObjectType, error) {
	var out []tahqiq.ObjectType
	for _, b := range by {
		t := tahqiq.ObjectType(strings.TrimSpace(b))
		switch t {
		case "phash":
			t = tahqiq.ObjImage
		case coord.ObjPost, coord.ObjNearText:
		default:
			if !slices.Contains(tahqiq.ObjectTypes, t) {
				return nil, tahqiq.ParamErrorf(param, "{%s} %q: want retweet, url, domain, hashtag, mention, reply, text, near-text, image or post", param, b)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// CoordRequest is a coordination run over a stored dataset, as a person
// asks for it (the CLI's flags, the API's JSON). Zero values take the
// CLI's defaults.
type CoordRequest struct {
	Dataset          string   `json:"dataset"`
	By               []string `json:"by,omitempty"`
	Window           string   `json:"window,omitempty"`
	WindowKind       string   `json:"window_kind,omitempty"`
	Weight           string   `json:"weight,omitempty"`
	MinParticipation *int     `json:"min_participation,omitempty"`
	MinWeight        *float64 `json:"min_weight,omitempty"`
	Percentile       *float64 `json:"percentile,omitempty"`
	FastWindow       string   `json:"fast_window,omitempty"`
	Communities      string   `json:"communities,omitempty"`
	Seed             *uint64  `json:"seed,omitempty"`
	MinTokens        *int     `json:"min_tokens,omitempty"` // near-text
	Jaccard          *float64 `json:"jaccard,omitempty"`    // near-text
	// Name is what the run's author calls it (shown beside its ID).
	Name string `json:"name,omitempty"`
}

// DefaultRequest is the request whose every field says the default a run
// takes when the field is omitted (coord.DefaultParams): what the web UI's
// form starts from, so that a run from the browser and one from the CLI
// with no flags are the same run.
func DefaultRequest() CoordRequest {
	p := coord.DefaultParams()
	return CoordRequest{By: []string{}, Window: strconv.FormatInt(p.Window, 10) + "s", WindowKind: p.WindowKind, Weight: p.Weight,
		MinParticipation: &p.MinParticipation, MinWeight: &p.MinWeight, Percentile: &p.Percentile, Communities: p.Communities,
		Seed: &p.Seed, MinTokens: &p.MinTokens, Jaccard: &p.Jaccard}
}

// Params turns the request into validated run parameters.
func (r CoordRequest) Params() (coord.Params, error) {
	p := coord.DefaultParams()
	var err error
	if r.Window != "" {
		if p.Window, err = ParseWindow("window", r.Window); err != nil {
			return p, err
		}
	}
	if r.FastWindow != "" {
		if p.FastWindow, err = ParseWindow("fast_window", r.FastWindow); err != nil {
			return p, err
		}
	}
	if p.Types, err = ParseTypes("by", r.By); err != nil {
		return p, err
	}
	if r.WindowKind != "" {
		p.WindowKind = r.WindowKind
	}
	if r.Weight != "" {
		p.Weight = r.Weight
	}
	if r.MinParticipation != nil {
		p.MinParticipation = *r.MinParticipation
	}
	if r.MinWeight != nil {
		p.MinWeight = *r.MinWeight
	}
	if r.Percentile != nil {
		p.Percentile = *r.Percentile
	}
	if r.Communities != "" {
		p.Communities = r.Communities
	}
	if r.Seed != nil {
		p.Seed = *r.Seed
	}
	if r.MinTokens != nil {
		p.MinTokens = *r.MinTokens
	}
	if r.Jaccard != nil {
		p.Jaccard = *r.Jaccard
	}
	return p, p.Validate()
}

// CoordRun is a coordination run to make: the data it reads, where that
// came from, and its parameters. Every run, the CLI's (files or a stored
// dataset) and the server's (a stored dataset), is made by MakeCoord or
// Store.MakeCoord from one, so that a run is the same whoever asks for it.
type CoordRun struct {
	Data   coord.Data
	Source coord.Source // what the data was read from, for the manifest
	Params coord.Params
	Read   float64 // seconds spent reading Data (the manifest's read_s)
	// Dataset is the stored dataset read ("" for files): who may read
	// the stored run follows from it.
	Dataset string
	Actor   string // who asked (run.json's created_by)
	Name    string // what its author calls it (run.json's name)
}

// DatasetRun reads a stored dataset for a coordination run with
// parameters p: the shares of p's types, what the dataset says of the
// accounts (Accounts: what it calls them, written beside every account UID
// of the outputs; their reach for communities.csv and their signals for
// nodes.csv), and, when p compares near-text, the texts of its posts:
// every post but reposts (a repost carries its original's text, not its
// own), as FileData collects them from files. The posts are read while
// the shares are.
func DatasetRun(ctx context.Context, st ShareSource, name string, p coord.Params) (CoordRun, error) {
	start := time.Now()
	r := CoordRun{Params: p, Dataset: name}
	near := slices.Contains(p.Types, coord.ObjNearText)
	var accts Accounts
	var authors []string
	posts := make(chan error, 1)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if near || p.Graph {
		go func() {
			seen := map[string]bool{}
			posts <- st.ScanPosts(pctx, name, func(post tahqiq.Post) error {
				if !seen[post.AuthorUID] {
					seen[post.AuthorUID] = true
					authors = append(authors, post.AuthorUID)
				}
				accts.Post(&post)
				if near && post.Kind != tahqiq.KindRepost && post.Text != "" {
					r.Data.Texts = append(r.Data.Texts, TextPost(post))
				}
				return nil
			})
		}()
	} else {
		posts <- nil
	}
	shares, src, err := DatasetShares(ctx, st, name, p.Types)
	if err != nil {
		cancel()
		<-posts
		return r, err
	}
	if err := <-posts; err != nil {
		return r, err
	}
	r.Data.Shares, r.Source = shares, src
	// names and followers: the accounts the dataset keeps, of the posts
	// and shares
	seen := map[string]bool{}
	var uids []string
	for _, uid := range authors {
		seen[uid] = true
		uids = append(uids, uid)
	}
	for _, s := range shares {
		if !seen[s.AccountID] {
			seen[s.AccountID] = true
			uids = append(uids, s.AccountID)
		}
	}
	accounts, err := st.FindAccounts(ctx, name, uids)
	if err != nil {
		return r, err
	}
	for _, uid := range uids {
		if a, ok := accounts[uid]; ok {
			accts.Account(a)
		} else {
			accts.Author(uid)
		}
	}
	accts.Fill(&r.Data)
	r.Read = time.Since(start).Seconds()
	return r, nil
}

// CoordMade is a coordination run just made: its result, the manifest
// written with its files in Dir, and for a stored run its run.json.
type CoordMade struct {
	Result   *coord.Result
	Manifest *coord.Manifest
	Dir      string
	Info     Info
}

// MakeCoord makes the run r with engine eng (nil: in this process) and
// writes its files into dir. It takes r's data: r.Data is empty
// afterwards, so that the shares can go once the run has interned them
// (a million shares are some 200 MB). report, when not nil, is told the
// steps done of four (the first, reading r's data, is the caller's).
func MakeCoord(ctx context.Context, r *CoordRun, eng coord.Engine, version, dir string, report func(done, total int64)) (*CoordMade, error) {
	data := r.Data
	r.Data = coord.Data{}
	res, err := coord.Run(ctx, data, r.Params, eng)
	if err != nil {
		return nil, err
	}
	res.Timings["read_s"] = r.Read
	step(report, 2)
	m, err := res.WriteDir(dir, version, r.Source)
	if err != nil {
		return nil, err
	}
	step(report, 3)
	return &CoordMade{Result: res, Manifest: m, Dir: dir}, nil
}

func step(report func(done, total int64), n int64) {
	if report != nil {
		report(n, 4)
	}
}

// MakeCoord makes the run r into the store, with the store's engine: a new
// run directory, listed once whole (finish). It takes r's data, as
// MakeCoord does.
func (s *Store) MakeCoord(ctx context.Context, r *CoordRun, version string, report func(done, total int64)) (*CoordMade, error) {
	run, err := s.create(Coord)
	if err != nil {
		return nil, err
	}
	made, err := MakeCoord(ctx, r, s.Engine, version, run.tmp, report)
	if err != nil {
		run.abandon()
		return nil, err
	}
	params, _ := json.Marshal(made.Manifest.Params)
	in := Info{Name: cleanName(r.Name), Dataset: r.Dataset, CreatedBy: r.Actor, Params: params, Counts: made.Manifest.Counts}
	if r.Dataset == "" {
		for _, f := range r.Source.Inputs {
			in.Inputs = append(in.Inputs, f.Name)
		}
	}
	if made.Info, err = s.finish(ctx, run, in); err != nil {
		return nil, err
	}
	made.Dir = filepath.Join(s.Dir, Coord, made.Info.ID)
	step(report, 4)
	return made, nil
}

// RunCoord runs a coordination analysis of a stored dataset, as a person
// asks for it, into a new run directory. report, when not nil, is told
// the steps done of four.
func (s *Store) RunCoord(ctx context.Context, st ShareSource, req CoordRequest, version, actor string, report func(done, total int64)) (Info, error) {
	if req.Dataset == "" {
		return Info{}, tahqiq.Errorf(tahqiq.EINVALID, "dataset is required")
	}
	p, err := req.Params()
	if err != nil {
		return Info{}, err
	}
	r, err := DatasetRun(ctx, st, req.Dataset, p)
	if err != nil {
		return Info{}, err
	}
	r.Actor, r.Name = actor, req.Name
	step(report, 1)
	made, err := s.MakeCoord(ctx, &r, version, report)
	if err != nil {
		return Info{}, err
	}
	return made.Info, nil
}

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

// loaded is a run's network read from its files, cached.
type loaded struct {
	nodes    map[string]Node
	signals  map[string]*signals.Row // the accounts' signals (nodes.csv's last columns)
	edges    []GraphEdge             // heaviest first
	evidence map[[2]string][]coord.EvidenceRow
	evErr    error
	evOnce   sync.Once
	evSum    string // SHA-256 of evidence.csv.gz, hashed once
	sumOnce  sync.Once
	dir      string
	named    bool // its files name the accounts (runs since issue 16)
}

var cache struct {
	sync.Mutex
	runs  map[string]*loaded
	order []string
}

// maxEvidenceInMemory is the size of evidence.csv.gz kept in memory by
// pair; larger files are scanned per request.
const maxEvidenceInMemory = 64 << 20

func (s *Store) load(id string) (*loaded, error) {
	dir, err := s.Path(Coord, id)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	defer cache.Unlock()
	if l, ok := cache.runs[dir]; ok {
		return l, nil
	}
	l := &loaded{dir: dir, nodes: map[string]Node{}, signals: map[string]*signals.Row{}}
	err = coord.ReadNodes(filepath.Join(dir, "nodes.csv"), func(x coord.NodeRow) error {
		l.nodes[x.Account] = Node{ID: x.Account, Label: coord.AccountName{Handle: x.Handle, Name: x.Name}.Label(x.Account), Handle: x.Handle, Name: x.Name,
			Community: int(x.Community), Degree: int(x.Degree), Strength: x.Strength, Posts: int(x.Posts)}
		if x.Signals != nil {
			l.signals[x.Account] = x.Signals
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) { // a run made without the graph step has none
		return nil, err
	}
	err = coord.ReadEdges(filepath.Join(dir, "edges.csv"), func(cols coord.EdgeColumns, x coord.EdgeRow) error {
		e := GraphEdge{ID: x.AccountA + "|" + x.AccountB, Source: x.AccountA, Target: x.AccountB, Weight: x.Weight, Pairs: x.Pairs,
			Flagged: x.Flagged, First: rfc3339(x.First), Last: rfc3339(x.Last), Types: []string{}}
		for i, n := range x.ByType {
			if n != 0 {
				e.Types = append(e.Types, cols.Types[i])
			}
		}
		slices.Sort(e.Types)
		l.edges = append(l.edges, e)
		l.named = cols.Names
		for i, a := range []string{e.Source, e.Target} {
			if _, ok := l.nodes[a]; !ok {
				n := coord.AccountName{Handle: x.HandleA, Name: x.NameA}
				if i == 1 {
					n = coord.AccountName{Handle: x.HandleB, Name: x.NameB}
				}
				l.nodes[a] = Node{ID: a, Label: n.Label(a), Handle: n.Handle, Name: n.Name, Community: -1}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(l.edges, func(a, b GraphEdge) int {
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return 0
	})
	if cache.runs == nil {
		cache.runs = map[string]*loaded{}
	}
	cache.runs[dir] = l
	cache.order = append(cache.order, dir)
	if len(cache.order) > 8 {
		delete(cache.runs, cache.order[0])
		cache.order = cache.order[1:]
	}
	return l, nil
}

func rfc3339(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

// Graph returns the network of a coordination run, filtered. A run's
// files name its accounts; those of a run made before they did (issue 16)
// are named by names when it is not nil (its dataset's accounts).
func (s *Store) Graph(id string, f GraphFilter, names func(uids []string) map[string]coord.AccountName) (Graph, error) {
	l, err := s.load(id)
	if err != nil {
		return Graph{}, err
	}
	g := Graph{Nodes: []Node{}, Edges: []GraphEdge{}, Total: len(l.edges)}
	seen := map[string]bool{}
	for _, e := range l.edges {
		if e.Weight < f.MinWeight || (f.FlaggedOnly && !e.Flagged) {
			continue
		}
		if len(f.Types) > 0 && !slices.ContainsFunc(e.Types, func(t string) bool { return slices.Contains(f.Types, t) }) {
			continue
		}
		if (f.From != "" && e.Last < f.From) || (f.To != "" && e.First > f.To) {
			continue
		}
		if len(f.Where) > 0 && !f.Where.Match(l.signals[e.Source]) && !f.Where.Match(l.signals[e.Target]) {
			continue
		}
		if f.Limit > 0 && len(g.Edges) == f.Limit {
			g.Truncated = true
			break
		}
		g.Edges = append(g.Edges, e)
		for _, a := range []string{e.Source, e.Target} {
			if !seen[a] {
				seen[a] = true
				g.Nodes = append(g.Nodes, l.nodes[a])
			}
		}
	}
	if !l.named && names != nil && len(g.Nodes) > 0 {
		uids := make([]string, len(g.Nodes))
		for i, n := range g.Nodes {
			uids[i] = n.ID
		}
		m := names(uids)
		for i := range g.Nodes {
			n := &g.Nodes[i]
			if x, ok := m[n.ID]; ok {
				n.Handle, n.Name, n.Label = x.Handle, x.Name, x.Label(n.ID)
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
	l, err := s.load(id)
	if err != nil {
		return "", err
	}
	if _, ok := l.nodes[ref]; ok {
		return ref, nil
	}
	cands := make([]tahqiq.Account, 0, len(l.nodes))
	for _, n := range l.nodes {
		cands = append(cands, tahqiq.Account{UID: n.ID, Handle: n.Handle, Name: n.Name})
	}
	a, err := tahqiq.ResolveAccount(ref, "run "+id, cands)
	return a.UID, err
}

// Account returns the node of account uid in run id: what the data calls
// it and its place in the network (ENOTFOUND when it has no edge there).
func (s *Store) Account(id, uid string) (Node, error) {
	l, err := s.load(id)
	if err != nil {
		return Node{}, err
	}
	n, ok := l.nodes[uid]
	if !ok {
		return n, tahqiq.Errorf(tahqiq.ENOTFOUND, "account %q has no edge in run %s", uid, id)
	}
	return n, nil
}

// AccountEdges returns a run's node for an account and its edges.
func (s *Store) AccountEdges(id, uid string) (Node, []GraphEdge, error) {
	l, err := s.load(id)
	if err != nil {
		return Node{}, nil, err
	}
	n, ok := l.nodes[uid]
	if !ok {
		return n, nil, tahqiq.Errorf(tahqiq.ENOTFOUND, "account %q has no edge in run %s", uid, id)
	}
	out := []GraphEdge{}
	for _, e := range l.edges {
		if e.Source == uid || e.Target == uid {
			out = append(out, e)
		}
	}
	return n, out, nil
}

// AccountSignals returns an account's signals as a run's nodes.csv gives
// them (nil when it has none: a run made before signals were written).
func (s *Store) AccountSignals(id, uid string) (*signals.Row, error) {
	l, err := s.load(id)
	if err != nil {
		return nil, err
	}
	return l.signals[uid], nil
}

// Evidence returns the co-share pairs behind the edge between accounts a
// and b of a run (in either order), and the SHA-256 (hex) of the evidence
// file they were read from.
func (s *Store) Evidence(id, a, b string) ([]coord.EvidenceRow, string, error) {
	l, err := s.load(id)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(l.dir, "evidence.csv.gz")
	st, err := os.Stat(path)
	if err != nil {
		return nil, "", tahqiq.Errorf(tahqiq.ENOTFOUND, "run %s was made without its evidence file (params.evidence false in its manifest): tahqiq coord explain repeats the run for one edge", id)
	}
	l.sumOnce.Do(func() { l.evSum, _ = fileSHA256(path) })
	if b < a {
		a, b = b, a
	}
	if st.Size() > maxEvidenceInMemory {
		rows, err := coord.ReadEvidence(path, a, b)
		return rows, l.evSum, err
	}
	l.evOnce.Do(func() {
		l.evidence = map[[2]string][]coord.EvidenceRow{}
		l.evErr = coord.EachEvidence(path, func(r coord.EvidenceRow) {
			k := [2]string{r.AccountA, r.AccountB}
			l.evidence[k] = append(l.evidence[k], r)
		})
	})
	if l.evErr != nil {
		return nil, "", l.evErr
	}
	return l.evidence[[2]string{a, b}], l.evSum, nil
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

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
