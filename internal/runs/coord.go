package runs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/progress"
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
	var shares []tahqiq.Share
	src, err := scanShares(ctx, st, name, types, func(s *tahqiq.Share) { shares = append(shares, *s) })
	return shares, src, err
}

// scanShares gives each share of a stored dataset of the given types to
// add (DatasetShares).
func scanShares(ctx context.Context, st ShareSource, name string, types []tahqiq.ObjectType, add func(*tahqiq.Share)) (coord.Source, error) {
	d, err := st.FindDatasetByName(ctx, name)
	if err != nil {
		return coord.Source{}, err
	}
	if err := ingest.CheckDerivation(d); err != nil {
		return coord.Source{}, err // derived by other rules: re-derive it first
	}
	filter := tahqiq.ShareFilter{Dataset: name}
	for _, t := range types {
		if t == coord.ObjPost {
			filter.Types = nil // every share carries a post
			break
		}
		filter.Types = append(filter.Types, t)
	}
	total := d.Counts.Shares // of every type: the total when all are read
	if filter.Types != nil {
		total = 0
	}
	prog := progress.Start(ctx, "reading shares from the store", "shares", total)
	err = scanBatches(ctx, st, filter, func(batch []tahqiq.Share) {
		for i := range batch {
			add(&batch[i])
		}
		prog.Add(int64(len(batch)))
	})
	prog.Done()
	src := coord.Source{Inputs: []coord.Input{{Name: name, Source: "dataset"}}, RejectedCount: d.Counts.Rejects}
	for _, f := range d.Sources {
		src.Inputs = append(src.Inputs, coord.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "dataset:" + name})
	}
	return src, err
}

// scanBatches gives the shares of filter to fn in batches, in the order
// the store reads them: the store's scan (its queries, decoding the
// shares packed in posts) runs on a goroutine of its own, so that it and
// what fn does with a batch (interning it) take a core each.
func scanBatches(ctx context.Context, st tahqiq.ShareStore, filter tahqiq.ShareFilter, fn func([]tahqiq.Share)) error {
	const size = 4096
	full := make(chan []tahqiq.Share, 4)
	free := make(chan []tahqiq.Share, 6)
	done := make(chan error, 1)
	go func() {
		defer close(full)
		batch := make([]tahqiq.Share, 0, size)
		err := st.ScanShares(ctx, filter, func(s tahqiq.Share) error {
			batch = append(batch, s)
			if len(batch) == size {
				full <- batch
				select {
				case batch = <-free:
				default:
					batch = make([]tahqiq.Share, 0, size)
				}
			}
			return nil
		})
		if len(batch) > 0 {
			full <- batch
		}
		done <- err
	}()
	for batch := range full {
		fn(batch)
		clear(batch) // the strings go with the batch
		select {
		case free <- batch[:0]:
		default:
		}
	}
	return <-done
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
	// LayoutEdges is how many of the heaviest links the run lays out by
	// force for its network view and graph files (layout.csv, positions
	// in graph.gexf and graph.graphml): 0 is layout.DefaultMaxEdges, a
	// negative number lays nothing out.
	LayoutEdges int
	// GraphFiles is when the run writes graph.gexf and graph.graphml
	// (coord.Result.GraphFiles; "": auto).
	GraphFiles string
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
	return DatasetRunWithin(ctx, st, name, p, coord.Budget{})
}

// DatasetRunWithin is DatasetRun with the read held within budget b (the
// collector's rows spilled past half of it: coord.Collector.SetBudget).
func DatasetRunWithin(ctx context.Context, st ShareSource, name string, p coord.Params, b coord.Budget) (CoordRun, error) {
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
	// the shares are interned as they come (coord.Collector), but for the
	// fast-reshare window kind, which needs them as they are
	var shares []tahqiq.Share
	var col *coord.Collector
	add := func(s *tahqiq.Share) { shares = append(shares, *s) }
	if p.WindowKind != coord.FastReshare {
		col = coord.NewCollector(p)
		col.SetBudget(b)
		add = col.Share
	}
	src, err := scanShares(ctx, st, name, p.Types, add)
	if err != nil {
		cancel()
		<-posts
		return r, err
	}
	if err := <-posts; err != nil {
		return r, err
	}
	r.Data.Shares, r.Data.Collected, r.Source = shares, col, src
	// names and followers: the accounts the dataset keeps, of the posts
	// and shares (in the order they came)
	seen := map[string]bool{}
	var uids []string
	for _, uid := range authors {
		seen[uid] = true
		uids = append(uids, uid)
	}
	shareAccounts := func(yield func(string) bool) {
		for _, s := range shares {
			if !yield(s.AccountID) {
				return
			}
		}
	}
	if col != nil {
		shareAccounts = col.Accounts
	}
	for uid := range shareAccounts {
		if !seen[uid] {
			seen[uid] = true
			uids = append(uids, uid)
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
	// the edge files and evidence.csv.gz beside the graph step
	res, err := coord.Run(coord.WithFilesBeside(ctx, dir), data, r.Params, eng)
	if err != nil {
		return nil, err
	}
	res.Timings["read_s"] = r.Read
	res.GraphFiles = r.GraphFiles
	if res.Graph != nil && r.LayoutEdges >= 0 && !res.PartitionedGraph() {
		// beside the edge files (coord.Result.LayOut)
		in, opt := res.LayoutInput(), layout.Options{Seed: r.Params.Seed, MaxEdges: r.LayoutEdges}
		res.LayOut(func() layout.Result { return layout.Compute(in, opt) })
	}
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
