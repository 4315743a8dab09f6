package coord

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/layout"
	"github.com/tahqiq/tahqiq/internal/signals"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Input names one input of a run, for the manifest.
type Input struct {
	Name   string `json:"name"`           // as given (a file) or the dataset's name
	Path   string `json:"path,omitempty"` // a file's absolute path when the run read it
	SHA256 string `json:"sha256,omitempty"`
	Format string `json:"format,omitempty"` // the format the file was read as
	Source string `json:"source"`           // "file", "dataset" or "dataset:NAME" (a file of it)
}

// Source is what a run read and how: its inputs, the importers' options
// (for files read straight from disk), and the rows that did not reach the
// run. The manifest records it so that the run can be repeated.
type Source struct {
	Inputs  []Input
	Format  string            // --format given; "" = detected per file
	Map     string            // --map (the generic_csv column map)
	Options map[string]string // --option KEY=VALUE, other than map
	// Media is the folder --input files' pictures were read from
	// (--media; "" beside a Telegram Desktop export only), NoMedia that
	// none were (--no-media): image objects depend on them.
	Media   string
	NoMedia bool
	// Rejected lists the records the importers rejected (the first 10,000;
	// a stored dataset's are in the store), RejectedCount counts them all.
	Rejected      []tahqiq.Reject
	RejectedCount int64
	// Dropped counts rows read but left out before the run, by reason
	// (duplicate_records: a post read again that added nothing;
	// records_not_posts: header lines, users and other records). The run
	// adds its own (Result.Dropped).
	Dropped map[string]int64
}

// Manifest is manifest.json: everything needed to repeat the run.
type Manifest struct {
	Tool      string            `json:"tool"`
	Version   string            `json:"version"`
	CreatedAt time.Time         `json:"created_at"`
	Inputs    []Input           `json:"inputs"`
	Format    string            `json:"format,omitempty"`   // --format of --input files ("" = detected)
	Map       string            `json:"map,omitempty"`      // --map of --input files
	Options   map[string]string `json:"options,omitempty"`  // --option of --input files
	Media     string            `json:"media,omitempty"`    // --media of --input files
	NoMedia   bool              `json:"no_media,omitempty"` // --no-media of --input files
	// Textnorm is the version of the text normalisation (textnorm.Version)
	// the shares and near-text tokens were derived with.
	Textnorm      string             `json:"textnorm_version"`
	RejectedCount int64              `json:"rejected_count"`
	Rejected      []tahqiq.Reject    `json:"rejected"`
	Dropped       map[string]int64   `json:"dropped"`
	Params        Params             `json:"params"`
	Types         []string           `json:"types_present"`
	Counts        map[string]int64   `json:"counts"`
	Timings       map[string]float64 `json:"timings_s"`
	Modularity    float64            `json:"modularity,omitempty"`
	// Layout says how layout.csv (and the positions in the GEXF and
	// GraphML files) were computed; absent for a run not laid out.
	Layout *layout.Info `json:"layout,omitempty"`
	Files  []string     `json:"files"`
	// Skipped names the files of the run's kind it did not write, and
	// why (graph.gexf and graph.graphml over --graph-files auto's bound).
	Skipped map[string]string `json:"skipped,omitempty"`
	// PartsGraph says how a partitioned run's graph step was computed and
	// what it left out (partsgraph.go); absent for other runs
	PartsGraph *PartsGraphInfo `json:"partitioned_graph,omitempty"`
}

// EvidenceRow is one co-share pair: the posts and times behind an edge.
type EvidenceRow struct {
	ObjectType string `json:"object_type"`
	Object     string `json:"object"`
	PostA      string `json:"post_a"`
	PostB      string `json:"post_b"`
	AccountA   string `json:"account_a"`
	AccountB   string `json:"account_b"`
	TimeA      int64  `json:"time_a"` // Unix seconds
	TimeB      int64  `json:"time_b"`
	// What the data calls the posts' authors (AccountName; "" where it
	// names no one: an events CSV, a file written before issue 16).
	HandleA string `json:"handle_a,omitempty"`
	NameA   string `json:"name_a,omitempty"`
	HandleB string `json:"handle_b,omitempty"`
	NameB   string `json:"name_b,omitempty"`
}

// Dt is |TimeB - TimeA| in seconds.
func (r EvidenceRow) Dt() int64 {
	if r.TimeB >= r.TimeA {
		return r.TimeB - r.TimeA
	}
	return r.TimeA - r.TimeB
}

// EvidenceHeader is the header of evidence.csv.gz: the columns of before
// issue 16, then the handles and names of both posts' authors.
var EvidenceHeader = append(slices.Clip(evidenceHeaderOld), "handle_a", "name_a", "handle_b", "name_b")

// evidenceHeaderOld is the header of an evidence.csv.gz written before
// the name columns (still read).
var evidenceHeaderOld = []string{"object_type", "object", "post_a", "post_b", "account_a", "account_b", "time_a", "time_b", "dt"}

// Record returns the CSV fields of r, as evidence.csv.gz holds them.
func (r EvidenceRow) Record() []string {
	return []string{r.ObjectType, r.Object, r.PostA, r.PostB, r.AccountA, r.AccountB,
		ts(r.TimeA), ts(r.TimeB), strconv.FormatInt(r.Dt(), 10), r.HandleA, r.NameA, r.HandleB, r.NameB}
}

func ts(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

// Evidence calls fn for every kept pair, in object order; account_a is the
// account whose name sorts first.
func (r *Result) Evidence(fn func(EvidenceRow) error) error {
	in := r.in
	if !in.posts.kept() {
		if r.parts != nil {
			return errors.New("coord: a partitioned run's evidence is in its parts (the run let its posts' UIDs go once its map tasks were out)")
		}
		return errNoPostNames
	}
	if err := in.posts.load(); err != nil {
		return err
	}
	return r.eachPair(func(pr pairRef) error {
		ra, rb := in.ends(pr)
		na, nb := r.Name(ra.acc), r.Name(rb.acc)
		return fn(EvidenceRow{ObjectType: string(in.objTypeOf(ra.obj)), Object: in.objects[ra.obj], PostA: in.posts.at(ra.post), PostB: in.posts.at(rb.post),
			AccountA: in.accounts[ra.acc], AccountB: in.accounts[rb.acc], TimeA: in.time(ra), TimeB: in.time(rb),
			HandleA: na.Handle, NameA: na.Name, HandleB: nb.Handle, NameB: nb.Name})
	})
}

// eachPair calls fn with every kept pair in object order: from the pairs
// the run holds, or (reduce path) by sweeping the kernel again.
func (r *Result) eachPair(fn func(pairRef) error) error {
	if r.kept != nil {
		return r.kept(fn)
	}
	for _, pr := range r.pairs {
		if err := fn(pr); err != nil {
			return err
		}
	}
	return nil
}

// PairEvidence returns the evidence rows of the edge between accounts a
// and b (in either order).
func (r *Result) PairEvidence(a, b string) []EvidenceRow {
	if b < a {
		a, b = b, a
	}
	var out []EvidenceRow
	r.Evidence(func(e EvidenceRow) error {
		if e.AccountA == a && e.AccountB == b {
			out = append(out, e)
		}
		return nil
	})
	return out
}

// layoutJob is a layout made on a goroutine of its own (LayOut).
type layoutJob struct {
	done chan struct{}
	res  layout.Result
	secs float64
}

// LayOut makes the run's layout with compute on a goroutine of its own,
// beside the files WriteDir writes first (edges.csv, edges_directed.csv,
// nodes.csv, communities.csv and evidence.csv.gz do not read it: at 10M
// posts their writing waits on the disk while the layout needs a core):
// WriteDir waits for it before the files that hold its positions
// (graph.gexf, graph.graphml, layout.csv), then sets Layout and the
// timing layout_s. compute must not read r (take LayoutInput before).
func (r *Result) LayOut(compute func() layout.Result) {
	j := &layoutJob{done: make(chan struct{})}
	r.laying = j
	go func() {
		defer close(j.done)
		start := time.Now()
		j.res = compute()
		j.secs = time.Since(start).Seconds()
	}()
}

// waitLayout waits for the layout LayOut makes, if any, and sets Layout.
func (r *Result) waitLayout() {
	j := r.laying
	if j == nil {
		return
	}
	select {
	case <-j.done:
	default: // the progress line says what the files wait for
		ph := r.in.meter.Phase("laying out the network", "", 0)
		<-j.done
		ph.Done()
	}
	r.laying = nil
	r.Layout = &j.res
	r.Timings["layout_s"] = j.secs
}

// fileJob is a file written on a goroutine of its own.
type fileJob struct {
	done chan struct{}
	err  error
	secs float64
}

func startFile(write func() error) *fileJob {
	j := &fileJob{done: make(chan struct{})}
	go func() {
		defer close(j.done)
		start := time.Now()
		j.err = write()
		j.secs = time.Since(start).Seconds()
	}()
	return j
}

// wait waits for j (nil: none) and returns its error.
func (j *fileJob) wait() error {
	if j == nil {
		return nil
	}
	<-j.done
	return j.err
}

type besideKey struct{}

// WithFilesBeside returns ctx telling Run to start writing edges.csv,
// edges_directed.csv and evidence.csv.gz into dir as soon as the edges
// are weighed, beside the graph step (none of them reads the graph: at
// 10M posts the edge files wait on the disk for about a minute while
// the graph step needs the cores for 25 s); WriteDir, given the same
// dir, then waits for them instead of writing them. A run without the
// graph step, or partitioned, writes them in WriteDir as before.
func WithFilesBeside(ctx context.Context, dir string) context.Context {
	return context.WithValue(ctx, besideKey{}, dir)
}

// earlyFiles are the files Run started writing (WithFilesBeside).
type earlyFiles struct {
	dir             string
	edges, evidence *fileJob
}

// startEarlyFiles starts writing the files WithFilesBeside asks for.
func (r *Result) startEarlyFiles(ctx context.Context) {
	dir, _ := ctx.Value(besideKey{}).(string)
	if dir == "" || r.parts != nil || r.partSpec != nil {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return // WriteDir says so
	}
	e := &earlyFiles{dir: dir}
	directed := ""
	if r.Params.Weight == WeightMessages {
		directed = filepath.Join(dir, "edges_directed.csv")
	}
	e.edges = startFile(func() error {
		ph := r.in.meter.Phase("writing edges.csv", "", 0)
		defer ph.Done()
		return r.writeEdgeTables(filepath.Join(dir, "edges.csv"), directed)
	})
	if r.Params.Evidence {
		e.evidence = startFile(func() error { return r.writeEvidence(filepath.Join(dir, "evidence.csv.gz")) })
	}
	r.early = e
}

// stopEarlyFiles stops the files Run started (the run failed), waits
// for them and removes them: a run that failed leaves no file that
// looks whole.
func (r *Result) stopEarlyFiles() {
	if e := r.early; e != nil {
		r.in.stop.Store(true)
		e.edges.wait()
		e.evidence.wait()
		for _, f := range []string{"edges.csv", "edges_directed.csv", "evidence.csv.gz"} {
			os.Remove(filepath.Join(e.dir, f))
		}
		r.early = nil
	}
}

// WriteDir writes the run's files into dir (created if needed) and returns
// the manifest it wrote; src is what the run read (for the manifest).
func (r *Result) WriteDir(dir, version string, src Source) (*Manifest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "cannot create %s: %w", dir, err)
	}
	start := time.Now()
	r.net = nil          // the layout took it (LayoutInput) or is done
	defer r.waitLayout() // on every return: no goroutine left writing r
	early := r.early     // the files Run started beside the graph step
	r.early = nil
	if early != nil && filepath.Clean(early.dir) != filepath.Clean(dir) {
		// written elsewhere: WriteDir writes its own
		early.edges.wait()
		early.evidence.wait()
		early = nil
	}
	defer func() {
		if early != nil {
			early.edges.wait()
			early.evidence.wait()
		}
	}()
	files := []string{"edges.csv", "nodes.csv", "communities.csv", "graph.gexf", "graph.graphml"}
	afterLayout := func(write func(string) error) func(string) error {
		return func(path string) error {
			r.waitLayout()
			return write(path)
		}
	}
	steps := []func(string) error{r.writeEdges, r.writeNodes, r.writeCommunities, afterLayout(r.writeGEXF), afterLayout(r.writeGraphML)}
	if r.Params.Weight == WeightMessages {
		// edges_directed.csv is written with edges.csv, in one pass over
		// the edges, and listed where it always was
		files = append(files, "edges_directed.csv")
		steps[0] = func(path string) error { return r.writeEdgeTables(path, filepath.Join(dir, "edges_directed.csv")) }
		steps = append(steps, func(string) error { return nil })
	}
	if early != nil {
		steps[0] = func(string) error { return early.edges.wait() }
	}
	skipped := map[string]string{}
	if ok, why := r.graphFiles(); !ok && r.Graph != nil {
		// graph.gexf and graph.graphml, after edges.csv, nodes.csv and
		// communities.csv
		files, steps = slices.Delete(files, 3, 5), slices.Delete(steps, 3, 5)
		skipped["graph.gexf"], skipped["graph.graphml"] = why, why
	}
	if r.Graph == nil {
		files, steps = files[:1], steps[:1]
		if r.Params.Weight == WeightMessages {
			files, steps = append(files, "edges_directed.csv"), append(steps, func(string) error { return nil })
		}
	} else if r.Layout != nil || r.laying != nil {
		files = append(files, "layout.csv")
		steps = append(steps, func(path string) error {
			r.waitLayout()
			accounts := make([]string, len(r.Graph.Nodes))
			for u, a := range r.Graph.Nodes {
				accounts[u] = r.in.accounts[a]
			}
			return WriteLayout(path, accounts, r.Layout)
		})
	}
	if r.parts != nil {
		// the reducers wrote the edge files; nodes.csv and
		// communities.csv with the graph on (partsgraph.go)
		files, steps = r.partsGraphFiles()
		skipped = r.partsSkipped()
	}
	// evidence.csv.gz (a sweep of the pairs and DEFLATE: the most CPU of
	// the files) is written beside the others, on another core: both
	// only read the run
	var evidence *fileJob
	if early != nil {
		evidence = early.evidence
	} else if r.Params.Evidence && r.parts == nil {
		evidence = startFile(func() error { return r.writeEvidence(filepath.Join(dir, "evidence.csv.gz")) })
	}
	for i, f := range files {
		done := func() {}
		if early == nil || f != "edges.csv" { // the early writer shows its own phase
			done = r.in.meter.Phase("writing "+f, "", 0).Done
		}
		err := steps[i](filepath.Join(dir, f))
		done()
		if err != nil {
			if evidence != nil {
				r.in.stop.Store(true) // the evidence's sweep stops
				evidence.wait()
			}
			return nil, fmt.Errorf("coord: write %s: %w", f, err)
		}
	}
	if r.parts != nil {
		// the edge files are the reducers' parts
		ph := r.in.meter.Phase("fetching the parts", "", 0)
		fs, err := r.writeParts(context.Background(), dir)
		ph.Done()
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	r.waitLayout() // a partitioned run's files: none read it
	r.Timings["output_s"] = time.Since(start).Seconds()
	if early != nil {
		r.Timings["edge_files_s"] = early.edges.secs // from the weighed edges, beside the graph step
	}
	if evidence != nil {
		if err := evidence.wait(); err != nil {
			return nil, fmt.Errorf("coord: write evidence: %w", err)
		}
		files = append(files, "evidence.csv.gz")
		r.Timings["evidence_s"] = evidence.secs
	} else if r.Params.Evidence && r.parts != nil && r.parts.EvidenceParts == 0 {
		start = time.Now()
		if err := r.writeEvidence(filepath.Join(dir, "evidence.csv.gz")); err != nil {
			return nil, fmt.Errorf("coord: write evidence: %w", err)
		}
		files = append(files, "evidence.csv.gz")
		r.Timings["evidence_s"] = time.Since(start).Seconds()
	}
	m := &Manifest{Tool: "tahqiq coord", Version: version, CreatedAt: time.Now().UTC(), Inputs: src.Inputs,
		Format: src.Format, Map: src.Map, Options: src.Options, Media: src.Media, NoMedia: src.NoMedia, Textnorm: textnorm.Version,
		RejectedCount: src.RejectedCount, Rejected: src.Rejected, Dropped: map[string]int64{},
		Params: r.Params, Counts: r.Counts, Timings: r.Timings, Files: append(files, "manifest.json")}
	if len(skipped) > 0 {
		m.Skipped = skipped
	}
	if m.Rejected == nil {
		m.Rejected = []tahqiq.Reject{}
	}
	for _, d := range []map[string]int64{src.Dropped, r.Dropped} {
		for k, n := range d {
			m.Dropped[k] += n
		}
	}
	for _, t := range r.Types {
		m.Types = append(m.Types, string(t))
	}
	m.PartsGraph = r.partsGraph
	if r.Graph != nil {
		m.Modularity = r.Graph.Modularity
		if r.Layout != nil {
			m.Layout = &r.Layout.Info
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("coord: write manifest: %w", err)
	}
	return m, nil
}

// writeCSV writes a CSV file through fn.
func writeCSV(path string, header []string, fn func(w *csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(header); err != nil {
		f.Close()
		return err
	}
	if err := fn(w); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }

// EdgeRow returns e as the row of edges.csv that holds it.
func (r *Result) EdgeRow(e *Edge) EdgeRow { return r.rowOf(e, r.ByType(e)) }

// eachEdge calls fn with every kept edge, weighed and flagged, and its
// per-type counts: from Edges, or from the file they were spilled to.
func (r *Result) eachEdge(fn func(e *Edge, bt []int32) error) error {
	if r.edgeFile != nil {
		return r.edgeFile.eachKept(&r.Params, r.threshold, fn)
	}
	for i := range r.Edges {
		e := &r.Edges[i]
		if err := fn(e, r.ByType(e)); err != nil {
			return err
		}
	}
	return nil
}

// EachEdgeRow calls fn with the row of edges.csv of every kept edge, in
// file order: from Edges, or from the file they were spilled to over the
// memory budget (Edges is then empty).
func (r *Result) EachEdgeRow(fn func(EdgeRow) error) error {
	return r.eachEdge(func(e *Edge, bt []int32) error {
		x := r.rowOf(e, bt)
		x.ByType = slices.Clone(bt)
		return fn(x)
	})
}

// rowOf is EdgeRow with e's per-type counts bt.
func (r *Result) rowOf(e *Edge, bt []int32) EdgeRow {
	return edgeRow(e, bt, r.in.accounts[e.A], r.in.accounts[e.B], r.Name(e.A), r.Name(e.B), r.Params.FastWindow > 0)
}

// edgeRow is the row of edge e between accounts of UIDs ua and ub called
// na and nb, with its per-type counts byType; fast: the run has a fast
// layer (its column).
func edgeRow(e *Edge, byType []int32, ua, ub string, na, nb AccountName, fast bool) EdgeRow {
	x := EdgeRow{AccountA: ua, AccountB: ub, Weight: e.Weight, Flagged: e.Flagged,
		Pairs: e.Pairs, Objects: e.Objects, ByType: byType, AvgDt: float64(e.SumDt) / float64(e.Pairs), MinDt: e.MinDt,
		First: e.First, Last: e.Last, PostsA: e.PostsA, PostsB: e.PostsB, Symmetry: e.Symmetry(), Fast: -1,
		HandleA: na.Handle, NameA: na.Name, HandleB: nb.Handle, NameB: nb.Name}
	if fast {
		x.Fast = e.Fast
	}
	return x
}

// EdgeLine returns the line of edges.csv that holds e, without its
// newline.
func (r *Result) EdgeLine(e *Edge) string {
	x := r.EdgeRow(e)
	b := x.AppendCSV(nil)
	return string(b[:len(b)-1])
}

// AppendCSV appends the edges.csv line of x, with its newline, to b: the
// columns of a run made now (the name columns included).
func (x *EdgeRow) AppendCSV(b []byte) []byte {
	b = appendField(b, x.AccountA)
	b = append(b, ',')
	b = appendField(b, x.AccountB)
	b = appendMeasures(b, x, nil)
	for _, s := range [...]string{x.HandleA, x.NameA, x.HandleB, x.NameB} {
		b = append(b, ',')
		b = appendField(b, s)
	}
	return append(b, '\n')
}

// accountActivity returns, per account id, its distinct input posts and
// first and last time.
func (r *Result) accountActivity() (posts []int32, first, last []int64) {
	in := r.in
	n := len(in.accounts)
	posts = make([]int32, n)
	first = make([]int64, n)
	last = make([]int64, n)
	for i := range first {
		first[i], last[i] = 1<<62, -1<<62
	}
	postTime, postAcc := in.perPost()
	for p, a := range postAcc {
		posts[a]++
		t := postTime[p]
		first[a] = min(first[a], t)
		last[a] = max(last[a], t)
	}
	return posts, first, last
}

func (r *Result) writeNodes(path string) error {
	g := r.Graph
	posts, first, last := r.accountActivity()
	return writeCSV(path, NodeHeader, func(w *csv.Writer) error {
		var rec []string
		for u, a := range g.Nodes {
			n := r.Name(a)
			x := NodeRow{Account: r.in.accounts[a], Degree: g.Degree[u], Strength: g.Strength[u], Component: g.Component[u],
				Community: g.Community[u], Core: g.Core[u], Posts: posts[a], FirstSeen: first[a], LastSeen: last[a],
				Eigenvector: g.Eigen[u], Pruned: g.Pruned[u], Handle: n.Handle, Name: n.Name}
			if r.accts != nil {
				x.Signals = r.accts.Row(x.Account)
			}
			rec = x.appendRecord(rec[:0])
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeCommunities writes the extent of each community: its accounts, the
// edges inside it, the posts and objects of those edges' evidence, the
// first and last activity, and the reach the data carries (signals.Reach
// of its accounts: followers, reposts and likes first, where they have
// always been, then the other reach columns).
func (r *Result) writeCommunities(path string) error {
	g := r.Graph
	nc := int32(0)
	for _, c := range g.Community {
		nc = max(nc, c+1)
	}
	type ext struct {
		accounts, edges int
		posts, objects  int
		lastObj         int32 // the object counted last (the pairs come in object order)
		first, last     int64
		reach           signals.Reach
	}
	exts := make([]ext, nc)
	for i := range exts {
		exts[i] = ext{lastObj: -1, first: 1 << 62, last: -1 << 62}
	}
	for u, c := range g.Community {
		if c < 0 {
			continue
		}
		x := &exts[c]
		x.accounts++
		if r.accts != nil {
			if reach := r.accts.Reach(r.in.accounts[g.Nodes[u]]); reach != nil {
				x.reach.Add(reach)
			}
		}
	}
	node := r.nodeIndex()
	commOf := func(a int32) int32 { // -1: outside the graph (an account of pairs whose edges were not kept)
		if u := node[a]; u >= 0 {
			return g.Community[u]
		}
		return -1
	}
	if g.commEdges != nil {
		for c, n := range g.commEdges {
			exts[c].edges = n
		}
	} else if err := r.eachEdge(func(e *Edge, _ []int32) error {
		if c := commOf(e.A); c >= 0 && c == commOf(e.B) {
			exts[c].edges++
		}
		return nil
	}); err != nil {
		return err
	}
	// the posts and objects of each community's pairs, counted without
	// a set per community: a post is its author's, so in one community
	// at most (one bit a post says it was counted), and the pairs come
	// object by object, so an object is new to a community when it is
	// not the one it counted last. Should the pairs not come in object
	// order, the objects are counted again with a set per community.
	counted := make([]uint64, (r.in.posts.len()+63)/64)
	post := func(x *ext, p int32) {
		if counted[p>>6]&(1<<(p&63)) == 0 {
			counted[p>>6] |= 1 << (p & 63)
			x.posts++
		}
	}
	ordered, prev := true, int32(-1)
	if err := r.eachPair(func(pr pairRef) error {
		ra, rb := r.in.ends(pr)
		if ra.obj < prev {
			ordered = false
		}
		prev = ra.obj
		c := commOf(ra.acc)
		if c < 0 || c != commOf(rb.acc) {
			return nil
		}
		x := &exts[c]
		post(x, ra.post)
		post(x, rb.post)
		if x.lastObj != ra.obj {
			x.lastObj = ra.obj
			x.objects++
		}
		x.first = min(x.first, r.in.time(ra), r.in.time(rb))
		x.last = max(x.last, r.in.time(ra), r.in.time(rb))
		return nil
	}); err != nil {
		return err
	}
	if !ordered {
		objects := make([]map[int32]bool, len(exts))
		for c := range objects {
			objects[c] = map[int32]bool{}
		}
		if err := r.eachPair(func(pr pairRef) error {
			ra, rb := r.in.ends(pr)
			if c := commOf(ra.acc); c >= 0 && c == commOf(rb.acc) {
				objects[c][ra.obj] = true
			}
			return nil
		}); err != nil {
			return err
		}
		for c := range exts {
			exts[c].objects = len(objects[c])
		}
	}
	first3 := []string{"followers", "reposts", "likes"}
	var rest []string
	for _, c := range signals.ReachHeader() {
		if !slices.Contains(first3, c) {
			rest = append(rest, c)
		}
	}
	head := append([]string{"community", "accounts", "edges", "posts", "objects", "first", "last"}, first3...)
	head = append(head, rest...)
	return writeCSV(path, head, func(w *csv.Writer) error {
		for c, x := range exts {
			first, last := "", ""
			if x.last >= x.first {
				first, last = ts(x.first), ts(x.last)
			}
			rec := []string{strconv.Itoa(c), strconv.Itoa(x.accounts), strconv.Itoa(x.edges), strconv.Itoa(x.posts),
				strconv.Itoa(x.objects), first, last}
			for _, col := range head[7:] {
				rec = append(rec, x.reach.Cell(col))
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (r *Result) writeEvidence(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := newEvidenceGzip(f)
	// one line per kept pair (hundreds of millions at 10M posts),
	// appended as encoding/csv would write the record, without its
	// allocations, into blocks of about evidenceBlock bytes that another
	// goroutine compresses: DEFLATE is half the CPU of the file, and
	// formatting the next block goes on beside it. The compressor is
	// given the same bytes in the same order as one writer would give
	// it, so the file is the same to the byte.
	cw := newEvidenceCompressor(zw)
	b := cw.block()
	b = append(b, strings.Join(EvidenceHeader, ",")+"\n"...)
	prog := r.in.meter.Phase("writing evidence.csv.gz", "pairs", r.Counts["pairs"])
	defer prog.Done()
	n := 0
	var ts evidenceTimes
	err = r.evidenceLines(&ts, func(line func([]byte) []byte) error {
		if n++; n&4095 == 0 {
			prog.Add(4096)
		}
		b = line(b)
		if len(b) >= evidenceBlock {
			if b = cw.send(b); b == nil {
				return cw.wait()
			}
		}
		return nil
	})
	if err == nil {
		cw.send(b)
	}
	err = firstErr(err, cw.wait(), zw.Close())
	return firstErr(err, f.Close())
}

// evidenceLines calls fn for every kept pair, in Evidence's order, with
// a function that appends the pair's line of evidence.csv.gz (the bytes
// ts.appendLine appends for Evidence's row) to a buffer: the accounts'
// cells quoted once a run (edgeLines), an object's type and name once
// for its pairs (they come one after the other), no row of strings made.
func (r *Result) evidenceLines(ts *evidenceTimes, fn func(line func([]byte) []byte) error) error {
	in := r.in
	if !in.posts.kept() {
		// Evidence's errors
		return r.Evidence(func(EvidenceRow) error { return nil })
	}
	if err := in.posts.load(); err != nil {
		return err
	}
	l := r.edgeLines()
	var (
		obj     int32  = -1
		objCell []byte // obj's type and name, quoted, each with its comma
		pr      pairRef
	)
	line := func(b []byte) []byte {
		ra, rb := in.ends(pr)
		if ra.obj != obj {
			obj = ra.obj
			objCell = appendCSVField(objCell[:0], string(in.objTypeOf(obj)))
			objCell = appendCSVField(append(objCell, ','), in.objects[obj])
			objCell = append(objCell, ',')
		}
		b = append(b, objCell...)
		b = appendCSVField(b, in.posts.at(ra.post))
		b = append(b, ',')
		b = appendCSVField(b, in.posts.at(rb.post))
		b = append(b, ',')
		b = l.cell(b, ra.acc, cellUIDCSV)
		b = append(b, ',')
		b = l.cell(b, rb.acc, cellUIDCSV)
		b = append(b, ',')
		ta, tb := in.time(ra), in.time(rb)
		b = ts.appendTime(b, ta)
		b = append(b, ',')
		b = ts.appendTime(b, tb)
		b = append(b, ',')
		b = strconv.AppendInt(b, EvidenceRow{TimeA: ta, TimeB: tb}.Dt(), 10)
		if l.names == nil {
			return append(b, ",,,,\n"...)
		}
		b = l.cell(b, ra.acc, cellNamesCSV)
		b = l.cell(b, rb.acc, cellNamesCSV)
		return append(b, '\n')
	}
	return r.eachPair(func(p pairRef) error {
		pr = p
		return fn(line)
	})
}

// newEvidenceGzip returns the gzip writer of evidence.csv.gz to w:
// klauspost/compress's DEFLATE at its fastest level, 2.2-2.5 times the
// speed of compress/flate's BestSpeed on these lines and 3 % smaller
// (docs/benchmarks.md, branch sweepfast); the same format, which any
// gzip reader reads. Every writer of the whole file uses it (a merged
// partitioned run's too: concatEvidence), so that the files are the same
// to the byte whatever the path.
func newEvidenceGzip(w io.Writer) *gzip.Writer {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	return zw
}

// evidenceBlock is the size of the blocks writeEvidence hands to its
// compressing goroutine (a line may take a block past it).
const evidenceBlock = 1 << 20

// evidenceCompressor writes blocks of lines to w on its own goroutine,
// in the order they are sent; three blocks go round (one being filled,
// one being compressed, one waiting), so that neither side waits for
// memory.
type evidenceCompressor struct {
	full   chan []byte
	empty  chan []byte
	done   chan struct{}
	closed bool        // full is closed (wait was called)
	failed atomic.Bool // a write failed: the blocks still sent are dropped
	err    error       // the first write error, read after done
}

func newEvidenceCompressor(w io.Writer) *evidenceCompressor {
	c := &evidenceCompressor{full: make(chan []byte, 2), empty: make(chan []byte, 3), done: make(chan struct{})}
	for range 3 {
		c.empty <- make([]byte, 0, evidenceBlock+evidenceBlock/4)
	}
	full := c.full
	go func() {
		defer close(c.done)
		for b := range full {
			if c.err == nil {
				if _, c.err = w.Write(b); c.err != nil {
					c.failed.Store(true)
				}
			}
			c.empty <- b[:0]
		}
	}()
	return c
}

// block returns an empty block to fill.
func (c *evidenceCompressor) block() []byte { return <-c.empty }

// send hands b over and returns the next block to fill, or nil when
// the compressor has stopped on an error (wait returns it).
func (c *evidenceCompressor) send(b []byte) []byte {
	c.full <- b
	nb := <-c.empty
	if c.failed.Load() {
		return nil
	}
	return nb
}

// wait stops the compressor, once every block sent is written, and
// returns the first write error.
func (c *evidenceCompressor) wait() error {
	if !c.closed {
		close(c.full)
		c.closed = true
	}
	<-c.done
	return c.err
}

// evidenceTimes formats the times of evidence lines, keeping the dates
// of the days it formatted last (dateCache): the pairs of an object come
// in time order, so most lines' times fall on a day already formatted.
type evidenceTimes struct {
	dateCache // the dates of the days formatted last
}

func (ts *evidenceTimes) appendLine(b []byte, e *EvidenceRow) []byte {
	for _, s := range [...]string{e.ObjectType, e.Object, e.PostA, e.PostB, e.AccountA, e.AccountB} {
		b = appendCSVField(b, s)
		b = append(b, ',')
	}
	b = ts.appendTime(b, e.TimeA)
	b = append(b, ',')
	b = ts.appendTime(b, e.TimeB)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.Dt(), 10)
	for _, s := range [...]string{e.HandleA, e.NameA, e.HandleB, e.NameB} {
		b = append(b, ',')
		b = appendCSVField(b, s)
	}
	return append(b, '\n')
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// ReadEvidence reads the rows of an evidence.csv.gz written by WriteDir
// between accounts a and b (in either order).
func ReadEvidence(path, a, b string) ([]EvidenceRow, error) {
	if b < a {
		a, b = b, a
	}
	var out []EvidenceRow
	err := eachEvidence(path, func(rec []string) bool { return rec[4] == a && rec[5] == b }, func(r EvidenceRow) { out = append(out, r) })
	return out, err
}

// EachEvidence calls fn with every row of an evidence.csv.gz file.
func EachEvidence(path string, fn func(EvidenceRow)) error {
	return eachEvidence(path, nil, fn)
}

func eachEvidence(path string, keep func(rec []string) bool, fn func(EvidenceRow)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	// a run directory may come from elsewhere: bounded by the ratio (its
	// size is that of the run's pairs, whatever it is)
	zr, err := decompress.Gzip(path, f, st.Size(), decompress.Limits{Size: math.MaxInt64})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	cr := csv.NewReader(bufio.NewReaderSize(zr, 1<<20))
	cr.ReuseRecord = true
	head, err := cr.Read()
	named := err == nil && slices.Equal(head, EvidenceHeader)
	if !named && (err != nil || !slices.Equal(head, evidenceHeaderOld)) {
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: not a tahqiq evidence file", path)
	}
	for {
		rec, err := cr.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: %w", path, err)
		}
		if keep != nil && !keep(rec) {
			continue
		}
		ta, erra := time.Parse(time.RFC3339, rec[6])
		tb, errb := time.Parse(time.RFC3339, rec[7])
		if err := cmp.Or(erra, errb); err != nil {
			line, _ := cr.FieldPos(0)
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: line %d: a time is not RFC 3339: %v", path, line, err)
		}
		row := EvidenceRow{ObjectType: rec[0], Object: rec[1], PostA: rec[2], PostB: rec[3], AccountA: rec[4], AccountB: rec[5],
			TimeA: ta.Unix(), TimeB: tb.Unix()}
		if named {
			row.HandleA, row.NameA, row.HandleB, row.NameB = rec[9], rec[10], rec[11], rec[12]
		}
		fn(row)
	}
}
