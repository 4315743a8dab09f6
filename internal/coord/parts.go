package coord

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
)

// Partitioned outputs. On the reduce path with a PartsReducer (the
// ReducedParts engine) the run never holds the edges: each account-pair
// partition's reducer turns its merged partials into the lines of
// edges.csv and edges_directed.csv (a part of each, sorted as the single
// file is), and the run writes the parts, with parts.json tying them
// together, in place of the two files. The whole-run rule that needs every
// edge, the percentile threshold of the flagged column, is computed from
// each partition's counts of distinct weights (Threshold), so that a
// merged part (MergeParts) is byte for byte the file one process writes.
// Evidence is written by the run, as on the reduce path (swept again,
// object by object), and the graph step is computed over the partitions
// (partsgraph.go): degree, strength and the partitioned Louvain's
// communities, nothing that needs the whole graph in one process.

// PartsFormat names the format of parts.json (docs/format/partitioned-run.md).
const PartsFormat = "tahqiq-coord-parts/1"

// PartSpec is what the writers of a partitioned run's parts need besides
// their partition's merged partials: the run's parameters (weight, minimum
// weight, percentile, fast window), its object types (edges.csv's n_
// columns) and its accounts. The accounts travel apart (WriteAccounts,
// ReadAccounts): a table per run, not per task.
type PartSpec struct {
	Params     Params   `json:"params"`
	Types      []string `json:"types"`      // the run's object types in column order
	Partitions int      `json:"partitions"` // account-pair partitions: pair (A, B) is in partition ((A<<32)|B) mod Partitions
	NAccounts  int      `json:"accounts"`   // accounts in the run

	Accounts []string      `json:"-"` // UID by account id
	Names    []AccountName `json:"-"` // by account id; nil: the data names no account
	Norms    []float64     `json:"-"` // TF-IDF norms by account id; nil unless the weight is tfidf
}

// Header returns the header of edges.csv.
func (s *PartSpec) Header() []string {
	return EdgeColumns{Fast: s.Params.FastWindow > 0, Names: true, Types: s.Types}.header()
}

// DirectedHeader is the header of edges_directed.csv.
var DirectedHeader = []string{"source", "target", "weight", "handle_source", "name_source", "handle_target", "name_target"}

// Directed reports whether the run writes edges_directed.csv.
func (s *PartSpec) Directed() bool { return s.Params.Weight == WeightMessages }

// edge returns the edge that merged partial e (over all of its account
// pair's objects) makes, weighed as Run weighs it, and whether the run
// keeps it.
func (s *PartSpec) edge(e *EdgePartial) (Edge, bool) {
	var tf *tfidf
	if s.Params.Weight == WeightTFIDF {
		tf = &tfidf{norm: s.Norms}
	}
	x := e.edge(0, nil, tf)
	return x, weighOne(&x, &s.Params)
}

// Weight returns the weight of the edge merged partial e makes and
// whether the run keeps it (a reducer counts the weights of its kept
// edges for Threshold).
func (s *PartSpec) Weight(e *EdgePartial) (float64, bool) {
	x, ok := s.edge(e)
	return x.Weight, ok
}

// check tells whether e names accounts of the run.
func (s *PartSpec) check(e *EdgePartial) error {
	if e.A < 0 || e.B <= e.A || int(e.B) >= s.NAccounts || len(e.ByType) != len(s.Types) {
		return fmt.Errorf("coord: a partial of accounts %d and %d with %d type counts, in a run of %d accounts and %d types", e.A, e.B, len(e.ByType), s.NAccounts, len(s.Types))
	}
	return nil
}

// WeightCount is a weight of kept edges and how many have it.
type WeightCount struct {
	W float64 `json:"w"`
	N int64   `json:"n"`
}

// CountWeights returns ws (one per kept edge) as counts of distinct
// weights, sorted by weight.
func CountWeights(ws []float64) []WeightCount {
	slices.Sort(ws)
	var out []WeightCount
	for _, w := range ws {
		if n := len(out); n > 0 && out[n-1].W == w {
			out[n-1].N++
		} else {
			out = append(out, WeightCount{w, 1})
		}
	}
	return out
}

// WeightCounts returns the counts of distinct weights in m as
// CountWeights does (sorted by weight), from a map of them: a reducer
// counts its edges' weights as they stream past.
func WeightCounts(m map[float64]int64) []WeightCount {
	out := make([]WeightCount, 0, len(m))
	for w, n := range m {
		out = append(out, WeightCount{w, n})
	}
	slices.SortFunc(out, func(a, b WeightCount) int { return cmp.Compare(a.W, b.W) })
	return out
}

// Threshold returns the weight above which the run flags an edge,
// percentile p of the kept edges' weights as Run computes it (Quantile,
// type 7), from their counts (any order; a weight may come in several
// counts): -Inf when p is 0 or there is no edge.
func Threshold(p float64, counts []WeightCount) float64 {
	var total int64
	for _, c := range counts {
		total += c.N
	}
	if p <= 0 || total == 0 {
		return math.Inf(-1)
	}
	cs := slices.Clone(counts)
	slices.SortFunc(cs, func(a, b WeightCount) int { return cmp.Compare(a.W, b.W) })
	// the weight of rank k (0-based) in the sorted list of every weight
	at := func(k int64) float64 {
		for _, c := range cs {
			if k < c.N {
				return c.W
			}
			k -= c.N
		}
		return cs[len(cs)-1].W
	}
	h := float64(total-1) * p
	lo := int64(math.Floor(h))
	if lo+1 >= total {
		return at(total - 1)
	}
	x0, x1 := at(lo), at(lo+1)
	return x0 + (h-float64(lo))*(x1-x0)
}

// PartWriter writes the part of edges.csv (and of edges_directed.csv
// with the messages weight) of one account-pair partition, from its
// merged partials in key order, each part with its header.
type PartWriter struct {
	s         *PartSpec
	threshold float64
	edges     *bufio.Writer
	directed  *bufio.Writer // nil: no edges_directed.csv
	f         lineFormat    // the lines, as a single run writes them (edgewrite.go)
	line      []byte
	last      uint64
	started   bool

	Rows, DirectedRows, Flagged, Pairs int64
}

// NewPartWriter returns the writer of a partition's parts; threshold is
// the run's (Threshold). directed may be nil when the run writes no
// edges_directed.csv.
func (s *PartSpec) NewPartWriter(threshold float64, edges, directed io.Writer) (*PartWriter, error) {
	w := &PartWriter{s: s, threshold: threshold, edges: bufio.NewWriterSize(edges, 1<<16)}
	// the accounts' cells are quoted line by line (no cells held): a
	// worker writes one partition's lines and keeps to its budget
	w.f.edgeLines = &edgeLines{accounts: s.Accounts, names: s.Names, fast: s.Params.FastWindow > 0, minWeight: s.Params.MinWeight}
	if _, err := w.edges.WriteString(strings.Join(s.Header(), ",") + "\n"); err != nil {
		return nil, err
	}
	if s.Directed() {
		if directed == nil {
			return nil, errors.New("coord: the messages weight writes edges_directed.csv: no writer for its part")
		}
		w.directed = bufio.NewWriterSize(directed, 1<<16)
		if _, err := w.directed.Write(appendCSVRecord(nil, DirectedHeader)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Add writes the lines of the edge e makes, if the run keeps it; e is a
// compact partial merged over every object of its account pair, and
// partials come in key order.
func (w *PartWriter) Add(e *EdgePartial) error {
	if err := w.s.check(e); err != nil {
		return err
	}
	if w.started && e.Key() <= w.last {
		return fmt.Errorf("coord: partials out of order: accounts %d and %d after %d and %d", e.A, e.B, int32(w.last>>32), int32(uint32(w.last)))
	}
	w.started, w.last = true, e.Key()
	w.Pairs += e.Pairs
	x, ok := w.s.edge(e)
	if !ok {
		return nil
	}
	x.Flagged = x.Weight > w.threshold
	if x.Flagged {
		w.Flagged++
	}
	w.line = w.f.appendEdge(w.line[:0], &x, e.ByType)
	if _, err := w.edges.Write(w.line); err != nil {
		return err
	}
	w.Rows++
	if w.directed != nil {
		w.line = w.f.appendDirected(w.line[:0], &x)
		w.DirectedRows += int64(bytes.Count(w.line, []byte{'\n'}))
		if _, err := w.directed.Write(w.line); err != nil {
			return err
		}
	}
	return nil
}

// Close flushes the parts (it does not close the writers it was given).
func (w *PartWriter) Close() error {
	err := w.edges.Flush()
	if w.directed != nil {
		err = firstErr(err, w.directed.Flush())
	}
	return err
}

// The accounts table of a partitioned run, as WriteAccounts writes it:
// "TQAC", then the number of accounts, whether names and norms follow,
// and per account its UID, and with names its handle and name, each a
// uvarint length and the bytes, and with norms the float64's bits
// (little-endian).
const accountsMagic = "TQAC"

// WriteAccounts writes s's accounts (UIDs, names, TF-IDF norms) to w.
func (s *PartSpec) WriteAccounts(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b []byte
	b = append(b, accountsMagic...)
	b = binary.AppendUvarint(b, uint64(len(s.Accounts)))
	b = append(b, boolByte(s.Names != nil), boolByte(s.Norms != nil))
	bw.Write(b)
	str := func(x string) {
		b = binary.AppendUvarint(b[:0], uint64(len(x)))
		bw.Write(b)
		bw.WriteString(x)
	}
	for i, uid := range s.Accounts {
		str(uid)
		if s.Names != nil {
			str(s.Names[i].Handle)
			str(s.Names[i].Name)
		}
		if s.Norms != nil {
			b = binary.LittleEndian.AppendUint64(b[:0], math.Float64bits(s.Norms[i]))
			bw.Write(b)
		}
	}
	return bw.Flush()
}

func boolByte(x bool) byte {
	if x {
		return 1
	}
	return 0
}

// ReadAccounts reads the table WriteAccounts wrote into s, which must
// name as many accounts.
func (s *PartSpec) ReadAccounts(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<16)
	head := make([]byte, len(accountsMagic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != accountsMagic {
		return fmt.Errorf("coord: not an accounts table (%v)", err)
	}
	n, err := binary.ReadUvarint(br)
	if err != nil || n != uint64(s.NAccounts) {
		return fmt.Errorf("coord: accounts table of %d accounts for a run of %d (%v)", n, s.NAccounts, err)
	}
	var flags [2]byte
	if _, err := io.ReadFull(br, flags[:]); err != nil {
		return fmt.Errorf("coord: accounts table: %w", err)
	}
	str := func() (string, error) {
		l, err := binary.ReadUvarint(br)
		if err != nil {
			return "", err
		}
		if l > 1<<20 {
			return "", fmt.Errorf("a string of %d bytes", l)
		}
		b := make([]byte, l)
		_, err = io.ReadFull(br, b)
		return string(b), err
	}
	s.Accounts = make([]string, n)
	if flags[0] == 1 {
		s.Names = make([]AccountName, n)
	}
	if flags[1] == 1 {
		s.Norms = make([]float64, n)
	}
	var f [8]byte
	for i := range s.Accounts {
		if s.Accounts[i], err = str(); err != nil {
			return fmt.Errorf("coord: accounts table, account %d: %w", i, err)
		}
		if s.Names != nil {
			if s.Names[i].Handle, err = str(); err == nil {
				s.Names[i].Name, err = str()
			}
			if err != nil {
				return fmt.Errorf("coord: accounts table, account %d: %w", i, err)
			}
		}
		if s.Norms != nil {
			if _, err := io.ReadFull(br, f[:]); err != nil {
				return fmt.Errorf("coord: accounts table, account %d: %w", i, err)
			}
			s.Norms[i] = math.Float64frombits(binary.LittleEndian.Uint64(f[:]))
		}
	}
	return nil
}

// A PartsReducer is a Reducer whose reducers also write the run's edge
// files, a part per account-pair partition (PartWriter), and count the
// weights of their kept edges so that the run can set the threshold of
// the flagged column between the two.
type PartsReducer interface {
	ReduceParts(ctx context.Context, spec ReduceSpec, objs ReduceObjects, ps *PartSpec) (*PartsResult, error)
}

// PartsResult is what a PartsReducer made: counts over every partition,
// and the parts, which Fetch writes into a run's directory.
type PartsResult struct {
	Pairs        int64 // kept co-share pairs (Counts["pairs"])
	Edges        int64 // edges kept
	Flagged      int64
	EdgeAccounts int64   // accounts of the kept edges
	Threshold    float64 // the flagged column's (Threshold): -Inf flags every edge
	// EvidenceParts counts the parts of evidence.csv.gz in Files, one per
	// map task (EvidencePart; partition = the task, in object order); 0:
	// the run writes evidence.csv.gz itself
	EvidenceParts int
	Files         []PartFile
	// Graph is the graph step over the partitions (partsgraph.go), with
	// Params.Graph; nil without it
	Graph *PartsGraph
	// Fetch writes every part of Files into dir under its name, checking
	// its SHA-256 and rows as it goes.
	Fetch func(ctx context.Context, dir string) error
}

// PartFile is one part as parts.json lists it.
type PartFile struct {
	Name      string `json:"name"`      // e.g. edges-00002-of-00004.csv
	Of        string `json:"of"`        // the single file it is a part of: edges.csv or edges_directed.csv
	Partition int    `json:"partition"` // its account-pair partition
	Rows      int64  `json:"rows"`      // data rows, without the header
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"` // hex, of the file
}

// PartName is the name of partition k's part of file (edges.csv,
// edges_directed.csv) of n.
func PartName(file string, k, n int) string {
	base, ext, _ := strings.Cut(file, ".")
	return fmt.Sprintf("%s-%05d-of-%05d.%s", base, k, n, ext)
}

// PartsManifest is parts.json.
type PartsManifest struct {
	Format       string       `json:"format"` // PartsFormat
	Partitioning Partitioning `json:"partitioning"`
	Files        []string     `json:"files"` // the single files the parts make, in order
	// EvidenceParts counts evidence.csv.gz's parts, one per map task, in
	// object order: concatenated, not merged
	EvidenceParts int        `json:"evidence_parts,omitempty"`
	Parts         []PartFile `json:"parts"`
	Counts        struct {
		Edges        int64 `json:"edges"`
		Flagged      int64 `json:"flagged_edges"`
		EdgeAccounts int64 `json:"edge_accounts"`
	} `json:"counts"`
	Threshold *float64        `json:"flag_threshold,omitempty"` // the weight above which an edge is flagged; absent: every edge (no percentile, or none kept)
	Graph     *PartsGraphInfo `json:"graph,omitempty"`          // the graph step over the partitions (nodes.csv, communities.csv); absent with the graph off
}

// Partitioning says which account pairs a partition holds and how its
// part is sorted.
type Partitioning struct {
	Partitions int    `json:"partitions"`
	Rule       string `json:"rule"`
	Order      string `json:"order"`
}

// partsRule and partsOrder are parts.json's prose.
const (
	partsRule  = "account ids are the ranks of the account UIDs in byte order (0 first); the edge of accounts a < b is in partition ((a << 32) | b) mod partitions"
	partsOrder = "each part is sorted as the single file: edges.csv by (account_a, account_b), edges_directed.csv by the edge it comes from, then a->b before b->a; tahqiq coord merge makes the single files by a k-way merge. evidence.csv.gz's parts hold consecutive objects (one part per map task): decompressed and put end to end in partition order, without their headers but the first's, they are its lines"
)

// ReducedParts is the reduce engine whose reducers write the edge files
// in parts (PartsReducer): the run holds neither the pairs nor the edges.
// With Params.Graph the reducer also computes the graph step over the
// partitions (PartsResult.Graph: partsgraph.go).
func ReducedParts(red PartsReducer) Engine { return reducedParts{red} }

type reducedParts struct{ red PartsReducer }

func (e reducedParts) edges(ctx context.Context, in *interned, q, p *Params, res *Result, lap func(string)) ([]Edge, error) {
	if err := checkPartsGraph(p); err != nil {
		return nil, err
	}
	spec, objs, kept, tf, err := in.reduceInput(ctx, q, p, e.red)
	if err != nil {
		return nil, err
	}
	ps := &PartSpec{Params: *p, Partitions: 0, NAccounts: len(in.accounts), Accounts: in.accounts, Names: res.names}
	for _, t := range in.types {
		ps.Types = append(ps.Types, string(t))
	}
	if tf != nil {
		ps.Norms = tf.norm
	}
	if p.Evidence {
		// the mappers write the evidence rows: they need the names
		spec.Evidence = true
		objs.evidence = true
		if err := in.posts.load(); err != nil {
			return nil, err
		}
	}
	released := false
	if p.Graph {
		// the graph step sweeps the rows (communities.csv's posts,
		// objects and times, nodes.csv's activity) but names no post
		objs.release = func() {
			released = true
			in.releaseNames()
			debug.FreeOSMemory()
		}
	} else {
		// once the map tasks are out, the run needs the accounts only
		// (names, the parts' manifest): the rows, posts and objects go
		objs.release = func() {
			released = true
			in.release()
			// the run waits for its reducers now, allocating little: no
			// collection would come to give the memory back
			debug.FreeOSMemory()
		}
	}
	// the run's minimum weight and percentile apply to the run's
	// parameters as given; the fast-reshare kind pairs as sliding
	ps.Params.Window, ps.Params.WindowKind = q.Window, q.WindowKind
	out, err := e.red.ReduceParts(ctx, spec, objs, ps)
	if err != nil {
		return nil, err
	}
	if out.Fetch == nil {
		return nil, errors.New("coord: the reducer made parts it cannot fetch")
	}
	if p.Graph && out.Graph == nil {
		return nil, errors.New("coord: the reducer computed no graph step for a run with the graph on")
	}
	if released && p.Evidence && out.EvidenceParts == 0 && objs.Len() > 0 {
		// the run no longer holds the rows to sweep
		return nil, errors.New("coord: the reducer wrote no evidence parts for a run with evidence")
	}
	res.kept, res.parts = kept, out
	res.partSpec = ps
	res.Counts["pairs"] = out.Pairs
	lap("reduce_s")
	return nil, nil
}

// writeParts fetches a partitioned run's parts into dir and writes
// parts.json; it returns the files written.
func (r *Result) writeParts(ctx context.Context, dir string) ([]string, error) {
	out, ps := r.parts, r.partSpec
	if err := out.Fetch(ctx, dir); err != nil {
		return nil, err
	}
	m := PartsManifest{Format: PartsFormat, Partitioning: Partitioning{Partitions: ps.Partitions, Rule: partsRule, Order: partsOrder},
		Files: []string{"edges.csv"}, Parts: out.Files}
	if ps.Directed() {
		m.Files = append(m.Files, "edges_directed.csv")
	}
	if out.EvidenceParts > 0 {
		m.Files = append(m.Files, "evidence.csv.gz")
		m.EvidenceParts = out.EvidenceParts
	}
	m.Counts.Edges, m.Counts.Flagged, m.Counts.EdgeAccounts = out.Edges, out.Flagged, out.EdgeAccounts
	m.Graph = r.partsGraph
	if !math.IsInf(out.Threshold, -1) {
		t := out.Threshold
		m.Threshold = &t
	}
	slices.SortFunc(m.Parts, func(a, b PartFile) int {
		return cmp.Or(cmp.Compare(slices.Index(m.Files, a.Of), slices.Index(m.Files, b.Of)), cmp.Compare(a.Partition, b.Partition))
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(m)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "parts.json"), buf.Bytes(), 0o644)
	}
	if err != nil {
		return nil, fmt.Errorf("coord: write parts.json: %w", err)
	}
	files := make([]string, 0, len(out.Files)+1)
	for _, f := range m.Parts {
		files = append(files, f.Name)
	}
	return append(files, "parts.json"), nil
}

// EvidencePart writes the evidence rows of objs (a map task's, in object
// order) to w as a gzip-compressed CSV file with evidence.csv.gz's header:
// the kept pairs of each object in the order the run sweeps them, each
// line as the run writes it, so that the parts of consecutive tasks,
// decompressed and put end to end without their headers, are the run's
// evidence.csv.gz's lines. accounts gives the run's accounts' UIDs by id,
// names what the data calls them (nil: nothing). It returns the rows
// written.
func EvidencePart(spec ReduceSpec, accounts []string, names []AccountName, objs []ReduceObject, w io.Writer) (int64, error) {
	zw := newEvidenceGzip(w)
	bw := bufio.NewWriterSize(zw, 1<<16)
	b := []byte(strings.Join(EvidenceHeader, ",") + "\n")
	bw.Write(b)
	var ts evidenceTimes
	rows := int64(0)
	for i := range objs {
		o := &objs[i]
		n := len(o.Rows)
		if n < 2 {
			continue
		}
		if len(o.Posts) != n || o.TypeName == "" {
			return rows, fmt.Errorf("coord: object %d carries %d post UIDs for %d rows and type %q: not a task of a run with evidence", o.Obj, len(o.Posts), n, o.TypeName)
		}
		in, flags, err := objectRows(&spec, o)
		if err != nil {
			return rows, err
		}
		for _, r := range in.rows {
			if r.acc < 0 || int(r.acc) >= len(accounts) {
				return rows, fmt.Errorf("coord: object %d: account %d of a run of %d", o.Obj, r.acc, len(accounts))
			}
		}
		active := func(r *row) bool { return flags[r.obj]&RowActive != 0 }
		in.eachPair(0, spec.Kind, spec.Window, active, func(i, j int32) {
			if flags[i]&RowQualifies == 0 && flags[j]&RowQualifies == 0 {
				return
			}
			ra, rb := in.ends(pairRef{i, j})
			e := EvidenceRow{ObjectType: o.TypeName, Object: o.Value, PostA: o.Posts[ra.obj], PostB: o.Posts[rb.obj],
				AccountA: accounts[ra.acc], AccountB: accounts[rb.acc], TimeA: in.time(ra), TimeB: in.time(rb)}
			if names != nil {
				na, nb := names[ra.acc], names[rb.acc]
				e.HandleA, e.NameA, e.HandleB, e.NameB = na.Handle, na.Name, nb.Handle, nb.Name
			}
			b = ts.appendLine(b[:0], &e)
			bw.Write(b)
			rows++
		})
	}
	return rows, firstErr(bw.Flush(), zw.Close())
}
