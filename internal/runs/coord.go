package runs

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
)

// A ShareSource is a store a coordination run reads a dataset from.
type ShareSource interface {
	tahqiq.DatasetStore
	tahqiq.ShareStore
	tahqiq.PostScanner // the texts of --by near-text
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
	err = st.ScanShares(ctx, filter, func(s tahqiq.Share) error {
		shares = append(shares, s)
		return nil
	})
	src := coord.Source{Inputs: []coord.Input{{Name: name, Source: "dataset"}}, RejectedCount: d.Counts.Rejects}
	for _, f := range d.Sources {
		src.Inputs = append(src.Inputs, coord.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "dataset:" + name})
	}
	return shares, src, err
}

// DatasetTexts reads the texts of a stored dataset's posts for near-text
// detection: every post but reposts (a repost carries its original's
// text, not its own), as tahqiq coord --input collects them from files.
func DatasetTexts(ctx context.Context, st tahqiq.PostScanner, name string) ([]coord.TextPost, error) {
	if ds, ok := st.(tahqiq.DatasetStore); ok {
		d, err := ds.FindDatasetByName(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := ingest.CheckDerivation(d); err != nil {
			return nil, err
		}
	}
	var out []coord.TextPost
	err := st.ScanPosts(ctx, name, func(p tahqiq.Post) error {
		if p.Kind != tahqiq.KindRepost && p.Text != "" {
			out = append(out, TextPost(p))
		}
		return nil
	})
	return out, err
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
// flag names the option in the error.
func ParseWindow(flag, s string) (int64, error) {
	if s == "none" {
		return coord.NoWindow, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, ierr := strconv.Atoi(s); ierr == nil {
			return 0, tahqiq.Errorf(tahqiq.EINVALID, "%s %q: give a unit, e.g. %ss", flag, s, s)
		}
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "%s %q: want a duration such as 60s", flag, s)
	}
	if d < 0 || d%time.Second != 0 {
		return 0, tahqiq.Errorf(tahqiq.EINVALID, "%s %q: want whole seconds", flag, s)
	}
	return int64(d / time.Second), nil
}

// ParseTypes reads object type names ("phash" is "image").
func ParseTypes(by []string) ([]tahqiq.ObjectType, error) {
	var out []tahqiq.ObjectType
	for _, b := range by {
		t := tahqiq.ObjectType(strings.TrimSpace(b))
		switch t {
		case "phash":
			t = tahqiq.ObjImage
		case coord.ObjPost, coord.ObjNearText:
		default:
			if !slices.Contains(tahqiq.ObjectTypes, t) {
				return nil, tahqiq.Errorf(tahqiq.EINVALID, "--by %q: want retweet, url, domain, hashtag, mention, reply, text, near-text, image or post", b)
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
	if p.Types, err = ParseTypes(r.By); err != nil {
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

// RunCoord runs a coordination analysis of a stored dataset into a new run
// directory. report, when not nil, is told the steps done of four.
func (s *Store) RunCoord(ctx context.Context, st ShareSource, req CoordRequest, version, actor string, report func(done, total int64)) (Info, error) {
	step := func(n int64) {
		if report != nil {
			report(n, 4)
		}
	}
	if req.Dataset == "" {
		return Info{}, tahqiq.Errorf(tahqiq.EINVALID, "dataset is required")
	}
	p, err := req.Params()
	if err != nil {
		return Info{}, err
	}
	start := time.Now()
	shares, src, err := DatasetShares(ctx, st, req.Dataset, p.Types)
	if err != nil {
		return Info{}, err
	}
	step(1)
	read := time.Since(start).Seconds()
	var texts []coord.TextPost
	if slices.Contains(p.Types, coord.ObjNearText) {
		if texts, err = DatasetTexts(ctx, st, req.Dataset); err != nil {
			return Info{}, err
		}
	}
	var res *coord.Result
	switch {
	case s.Reducer != nil:
		res, err = coord.RunReducedText(ctx, shares, texts, p, nil, s.Reducer)
	case s.Partitioner != nil:
		res, err = coord.RunPartitionedText(ctx, shares, texts, p, nil, s.Partitioner)
	default:
		res, err = coord.RunText(ctx, shares, texts, p, nil)
	}
	if err != nil {
		return Info{}, err
	}
	res.Timings["read_s"] = read
	step(2)
	_, tmp, commit, err := s.create(Coord)
	if err != nil {
		return Info{}, err
	}
	m, err := res.WriteDir(tmp, version, src)
	if err != nil {
		os.RemoveAll(tmp)
		return Info{}, err
	}
	step(3)
	params, _ := json.Marshal(m.Params)
	in, err := commit(Info{Name: cleanName(req.Name), Dataset: req.Dataset, CreatedBy: actor, Params: params, Counts: m.Counts})
	if err != nil {
		os.RemoveAll(tmp)
		return Info{}, err
	}
	step(4)
	return in, nil
}

// Node is an account of a run's network.
type Node struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
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
// most Limit (the heaviest), of one of Types, active within [From, To].
type GraphFilter struct {
	MinWeight   float64
	FlaggedOnly bool
	Limit       int
	Types       []string
	From, To    string // RFC 3339; empty = open
}

// loaded is a run's network read from its files, cached.
type loaded struct {
	nodes    map[string]Node
	edges    []GraphEdge // heaviest first
	evidence map[[2]string][]coord.EvidenceRow
	evErr    error
	evOnce   sync.Once
	evSum    string // SHA-256 of evidence.csv.gz, hashed once
	sumOnce  sync.Once
	dir      string
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
	l := &loaded{dir: dir, nodes: map[string]Node{}}
	err = readCSV(filepath.Join(dir, "nodes.csv"), func(h map[string]int, rec []string) error {
		n := Node{ID: rec[h["account"]], Label: rec[h["account"]]}
		n.Community, _ = strconv.Atoi(rec[h["community"]])
		n.Degree, _ = strconv.Atoi(rec[h["degree"]])
		n.Strength, _ = strconv.ParseFloat(rec[h["strength"]], 64)
		n.Posts, _ = strconv.Atoi(rec[h["posts"]])
		l.nodes[n.ID] = n
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	err = readCSV(filepath.Join(dir, "edges.csv"), func(h map[string]int, rec []string) error {
		e := GraphEdge{Source: rec[h["account_a"]], Target: rec[h["account_b"]], First: rec[h["first"]], Last: rec[h["last"]]}
		e.ID = e.Source + "|" + e.Target
		e.Weight, _ = strconv.ParseFloat(rec[h["weight"]], 64)
		e.Pairs, _ = strconv.ParseInt(rec[h["pairs"]], 10, 64)
		e.Flagged = rec[h["flagged"]] == "true"
		e.Types = []string{}
		for k, i := range h {
			if t, ok := strings.CutPrefix(k, "n_"); ok && rec[i] != "0" && rec[i] != "" {
				e.Types = append(e.Types, t)
			}
		}
		slices.Sort(e.Types)
		l.edges = append(l.edges, e)
		for _, a := range []string{e.Source, e.Target} {
			if _, ok := l.nodes[a]; !ok {
				l.nodes[a] = Node{ID: a, Label: a, Community: -1}
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

func readCSV(path string, fn func(h map[string]int, rec []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("runs: %s: %w", path, err)
	}
	h := map[string]int{}
	for i, c := range head {
		h[c] = i
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("runs: %s: %w", path, err)
		}
		if err := fn(h, rec); err != nil {
			return err
		}
	}
}

// Graph returns the network of a coordination run, filtered; labels (the
// accounts' handles) come from label when it is not nil.
func (s *Store) Graph(id string, f GraphFilter, label func(uids []string) map[string]string) (Graph, error) {
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
	if label != nil && len(g.Nodes) > 0 {
		uids := make([]string, len(g.Nodes))
		for i, n := range g.Nodes {
			uids[i] = n.ID
		}
		names := label(uids)
		for i := range g.Nodes {
			if h := names[g.Nodes[i].ID]; h != "" {
				g.Nodes[i].Label = h
			}
		}
	}
	return g, nil
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
		return nil, "", tahqiq.Errorf(tahqiq.ENOTFOUND, "run %s was made without evidence (--evidence=false): use tahqiq coord explain, which repeats it", id)
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
