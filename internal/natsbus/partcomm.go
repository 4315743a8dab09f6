package natsbus

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/partcomm"
)

// The graph step of a partitioned run (docs/format/partitioned-run.md,
// "Communities"): the run is the coordinator of internal/partcomm, the
// partitions are the reduce partitions. Each partition's writer, as it
// writes its parts, puts its kept edges, weighed and flagged, in the parts
// object store (RUN/graph-R: graphPart, 17 bytes an edge). Each step of
// partcomm is a task per partition on the reduce queue (reduceTask.Comm);
// the run puts the step's labels in the parts object store (RUN/pc-S/labels:
// "TQLB", the count as a uvarint, then an int32 a node, little-endian); the
// partition's worker reads its edges from its graph part (the community
// subgraph's are cached in the worker for the next steps), computes
// partcomm.Sums, puts them (RUN/pc-S/sums-R: 24 bytes a record, A and B
// int32, W float64, N int64, little-endian, in key order) and tells the run
// on tahqiq.partials.RUN.pc.S. The run merges the N objects as it reads
// them (partcomm), deletes them at the next step, and the graph parts at
// the end.

// commTask is one step of the graph step for one partition.
type commTask struct {
	Seq  int           `json:"seq"`
	Step partcomm.Step `json:"step"`
	All  bool          `json:"all,omitempty"`  // over every kept edge, not the community subgraph
	Last bool          `json:"last,omitempty"` // the run's last step: the worker forgets its cached edges
}

// commDone is what a worker tells the run of the sums it put.
type commDone struct {
	Seq     int   `json:"seq"`
	R       int   `json:"r"`
	Records int64 `json:"records"`
}

const (
	labelsMagic = "TQLB"
	sumBytes    = 24
)

// partsGraph runs the graph step of a partitioned run over its reduce
// partitions: degree and strength over every kept edge, the communities
// of the community subgraph (partcomm.Detect), the kept edges inside each.
func (r *Reducer) partsGraph(ctx context.Context, run string, nred int, ps *coord.PartSpec, obs *objectStore) (*coord.PartsGraph, error) {
	bp := &busParts{r: r, obs: obs, run: run, nred: nred, ps: ps}
	defer bp.clean(context.WithoutCancel(ctx))
	defer func() {
		for k := range nred {
			obs.Delete(context.WithoutCancel(ctx), graphPartName(run, k))
		}
	}()
	n := ps.NAccounts
	g := &coord.PartsGraph{Community: make([]int32, n)}
	start := time.Now()
	defer func() { g.Seconds = time.Since(start).Seconds() }()
	for i := range g.Community {
		g.Community[i] = -1
	}
	none := ps.Params.Communities == "none"
	bp.all, bp.last = true, none
	var err error
	if g.Degree, g.Strength, err = partcomm.Degrees(ctx, bp, n); err != nil {
		return nil, err
	}
	if none {
		return g, nil
	}
	bp.all = false
	res, err := partcomm.Detect(ctx, bp, n, partcomm.Options{Seed: ps.Params.Seed})
	if err != nil {
		return nil, err
	}
	g.Algorithm, g.Community, g.Modularity, g.Rounds, g.Cycles = partcomm.Algorithm, res.Community, res.Modularity, res.Rounds, res.Cycles
	bp.all, bp.last = true, true
	if g.CommEdges, err = partcomm.Inside(ctx, bp, g.Community); err != nil {
		return nil, err
	}
	return g, nil
}

// busParts is partcomm.Partitions over the reduce queue.
type busParts struct {
	r         *Reducer
	obs       *objectStore
	run       string
	nred      int
	ps        *coord.PartSpec
	all, last bool
	seq       int
	objects   []string // the last step's objects, deleted at the next
}

// clean deletes the last step's objects.
func (b *busParts) clean(ctx context.Context) {
	for _, name := range b.objects {
		b.obs.Delete(ctx, name)
	}
	b.objects = b.objects[:0]
}

// Sums implements partcomm.Partitions.
func (b *busParts) Sums(ctx context.Context, step partcomm.Step, labels []int32) ([]partcomm.Reader, error) {
	b.clean(ctx)
	b.seq++
	seq := strconv.Itoa(b.seq)
	prefix := b.run + "/pc-" + seq
	if labels != nil {
		name := prefix + "/labels"
		b.objects = append(b.objects, name)
		if _, err := putStreaming(ctx, b.obs, name, func(w io.Writer) error { return writeLabels(w, labels) }); err != nil {
			return nil, fmt.Errorf("the labels of step %d: %w%s", b.seq, err, storageHint(partsStream, err))
		}
	}
	f, err := follow(ctx, b.r.Bus.JS, PartialsStream, partialsPrefix+b.run+".pc."+seq)
	if err != nil {
		return nil, err
	}
	defer f.stop()
	task := commTask{Seq: b.seq, Step: step, All: b.all, Last: b.last}
	for k := range b.nred {
		body, _ := json.Marshal(reduceTask{Run: b.run, R: k, Reduces: b.nred, Comm: &task, Parts: b.ps})
		if err := b.r.Bus.send(ctx, reduceSubject, b.run, b.run+"/pc/"+seq+"/"+strconv.Itoa(k), body, nil); err != nil {
			return nil, fmt.Errorf("community task %d of partition %d: %w", b.seq, k, err)
		}
	}
	records := make([]int64, b.nred)
	err = gatherJSON(ctx, b.r, f, b.nred, "community sums", func(data []byte) (int, error) {
		var d commDone
		if err := json.Unmarshal(data, &d); err != nil {
			return -1, err
		}
		if d.Seq != b.seq || d.R < 0 || d.R >= b.nred {
			return -1, fmt.Errorf("sums of step %d, partition %d, for step %d", d.Seq, d.R, b.seq)
		}
		records[d.R] = d.Records
		return d.R, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	readers := make([]partcomm.Reader, b.nred)
	for k := range b.nred {
		name := prefix + "/sums-" + strconv.Itoa(k)
		b.objects = append(b.objects, name)
		res, err := b.obs.Get(ctx, name)
		if err != nil {
			for _, r := range readers[:k] {
				r.(io.Closer).Close()
			}
			return nil, fmt.Errorf("the sums of partition %d, step %d: %w", k, b.seq, err)
		}
		readers[k] = &sumsReader{rc: res, br: bufio.NewReaderSize(res, 1<<16), want: records[k], name: name}
	}
	return readers, nil
}

// sumsReader reads a partition's sums from the object store.
type sumsReader struct {
	rc         io.ReadCloser
	br         *bufio.Reader
	got, want  int64
	name       string
	buf        [sumBytes]byte
	closed     bool
	closeError error
}

func (s *sumsReader) Next() (partcomm.Record, error) {
	_, err := io.ReadFull(s.br, s.buf[:])
	if err == io.EOF {
		if s.got != s.want {
			return partcomm.Record{}, fmt.Errorf("%s: %d records, its worker put %d", s.name, s.got, s.want)
		}
		return partcomm.Record{}, io.EOF
	}
	if err != nil {
		return partcomm.Record{}, fmt.Errorf("%s: record %d: %w", s.name, s.got, err)
	}
	s.got++
	b := s.buf[:]
	return partcomm.Record{A: int32(binary.LittleEndian.Uint32(b)), B: int32(binary.LittleEndian.Uint32(b[4:])),
		W: math.Float64frombits(binary.LittleEndian.Uint64(b[8:])), N: int64(binary.LittleEndian.Uint64(b[16:]))}, nil
}

func (s *sumsReader) Close() error {
	if !s.closed {
		s.closed, s.closeError = true, s.rc.Close()
	}
	return s.closeError
}

func writeSums(w io.Writer, recs []partcomm.Record) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var b [sumBytes]byte
	for _, r := range recs {
		binary.LittleEndian.PutUint32(b[:], uint32(r.A))
		binary.LittleEndian.PutUint32(b[4:], uint32(r.B))
		binary.LittleEndian.PutUint64(b[8:], math.Float64bits(r.W))
		binary.LittleEndian.PutUint64(b[16:], uint64(r.N))
		if _, err := bw.Write(b[:]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func writeLabels(w io.Writer, labels []int32) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	b := binary.AppendUvarint([]byte(labelsMagic), uint64(len(labels)))
	bw.Write(b)
	var x [4]byte
	for _, l := range labels {
		binary.LittleEndian.PutUint32(x[:], uint32(l))
		bw.Write(x[:])
	}
	return bw.Flush()
}

// errBadLabels marks a labels object that is not one: the task cannot
// succeed.
var errBadLabels = errors.New("not the labels of a run's accounts")

func readLabels(ctx context.Context, obs jetstream.ObjectStore, name string, n int) ([]int32, error) {
	res, err := obs.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer res.Close()
	br := bufio.NewReaderSize(res, 1<<16)
	head := make([]byte, len(labelsMagic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != labelsMagic {
		return nil, fmt.Errorf("%s: %w (%v)", name, errBadLabels, err)
	}
	c, err := binary.ReadUvarint(br)
	if err != nil || c != uint64(n) {
		return nil, fmt.Errorf("%s: %w: %d labels for %d accounts (%v)", name, errBadLabels, c, n, err)
	}
	out := make([]int32, n)
	var x [4]byte
	for i := range out {
		if _, err := io.ReadFull(br, x[:]); err != nil {
			return nil, fmt.Errorf("%s: label %d: %w", name, i, err)
		}
		out[i] = int32(binary.LittleEndian.Uint32(x[:]))
	}
	return out, nil
}

// commCache keeps the community subgraph's edges of the partitions a
// worker read them for (as partcomm.Adjacency), for the next steps of the
// run: within a third of the worker's --mem (no bound without it); a
// partition beyond is read again from its merged partials at each step.
type commCache struct {
	mu    sync.Mutex
	run   string
	parts map[int]*partcomm.Adjacency
	bytes int64
}

// cached returns partition r's edges if the cache has them.
func (c *commCache) cached(run string, r int) *partcomm.Adjacency {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run != run {
		return nil
	}
	return c.parts[r]
}

// add caches partition r's edges if they fit.
func (c *commCache) add(run string, r int, a *partcomm.Adjacency, budget int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run != run || c.parts == nil {
		c.run, c.parts, c.bytes = run, map[int]*partcomm.Adjacency{}, 0
	}
	if c.parts[r] == nil && (budget == 0 || c.bytes+a.Bytes() <= budget) {
		c.parts[r] = a
		c.bytes += a.Bytes()
	}
}

// commRound does one step of a partitioned run's graph step for one
// partition.
func (w *Worker) commRound(ctx context.Context, m jetstream.Msg, rt *reduceTask) error {
	ct := rt.Comm
	seq := strconv.Itoa(ct.Seq)
	subject := partialsPrefix + rt.Run + ".pc." + seq
	id := rt.Run + "/pc/" + seq + "/done/" + strconv.Itoa(rt.R)
	fail := func(err error) error {
		err = fmt.Errorf("community step %d (%v) of partition %d of run %s: %w", ct.Seq, ct.Step, rt.R, rt.Run, err)
		if perr := w.publish(ctx, subject, rt.Run, append([]byte(failedMagic), err.Error()...), id+"/failed", "failure"); perr != nil {
			return perr
		}
		m.Term()
		return fmt.Errorf("worker %s: %w", w.Name, err)
	}
	if rt.Parts == nil {
		return fail(errors.New("a community task without its run's spec"))
	}
	obs, err := w.Bus.partsStore(ctx)
	if err != nil {
		return err // not acked: retried
	}
	ps := rt.Parts
	prefix := rt.Run + "/pc-" + seq
	var labels []int32
	if ct.Step != partcomm.Strengths {
		if labels, err = readLabels(ctx, obs, prefix+"/labels", ps.NAccounts); err != nil {
			if errors.Is(err, errBadLabels) {
				return fail(err)
			}
			return err // not acked: retried
		}
	}
	me := &partEdges{ctx: ctx, obs: obs, run: rt.Run, r: rt.R, n: ps.NAccounts, all: ct.All}
	var edges partcomm.Edges = me
	var sub partcomm.EdgeList // a pass over every kept edge fills the cache on the way
	if ct.All && !ct.Last && w.comm.cached(rt.Run, rt.R) == nil {
		me.sub = func(u, v int32, wt float64) { sub = append(sub, partcomm.Edge{U: u, V: v, W: wt}) }
	}
	if !ct.All {
		if edges, err = w.commEdges(me); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fail(err)
		}
	}
	recs, err := partcomm.Sums(edges, ct.Step, labels)
	if err == nil && me.sub != nil {
		var adj *partcomm.Adjacency
		if adj, err = partcomm.NewAdjacency(sub); err == nil {
			w.comm.add(rt.Run, rt.R, adj, w.Mem/3)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail(err)
	}
	if ct.Last {
		w.comm.mu.Lock()
		if w.comm.run == rt.Run {
			w.comm.parts, w.comm.bytes = nil, 0
		}
		w.comm.mu.Unlock()
	}
	name := prefix + "/sums-" + strconv.Itoa(rt.R)
	if _, err := putStreaming(ctx, obs, name, func(wr io.Writer) error { return writeSums(wr, recs) }); err != nil {
		if refused(err) { // for good: the run is told, and fails
			return w.reportRefused(rt.Run, fmt.Errorf("worker %s: community step %d of partition %d of run %s: the object store: %w%s", w.Name, ct.Seq, rt.R, rt.Run, err, storageHint(partsStream, err)))
		}
		return fmt.Errorf("worker %s: community step %d of partition %d of run %s: the object store: %v (the task is retried)", w.Name, ct.Seq, rt.R, rt.Run, err) // not acked
	}
	body, _ := json.Marshal(commDone{Seq: ct.Seq, R: rt.R, Records: int64(len(recs))})
	if err := w.publish(ctx, subject, rt.Run, body, id, "community sums of partition "+strconv.Itoa(rt.R)); err != nil {
		return err
	}
	return w.finish(ctx, m, -1-rt.R)
}

// commEdges returns the community subgraph's edges of me's partition,
// from the worker's cache or read (and cached when they fit).
func (w *Worker) commEdges(me *partEdges) (partcomm.Edges, error) {
	if a := w.comm.cached(me.run, me.r); a != nil {
		return a, nil
	}
	a, err := partcomm.NewAdjacency(me)
	if err != nil {
		return nil, err
	}
	w.comm.add(me.run, me.r, a, w.Mem/3)
	return a, nil
}

// graphPartName is the name of partition r's graph part in the parts
// store.
func graphPartName(run string, r int) string { return run + "/graph-" + strconv.Itoa(r) }

// graphEdgeBytes is the size of an edge in a graph part: the accounts
// (int32), the weight (float64), 1 when the edge is in the community
// subgraph, else 0; little-endian.
const graphEdgeBytes = 17

// graphPart writes a partition's kept edges for the graph step, as its
// writer writes its parts (the same partials, the same threshold). A nil
// graphPart writes nothing.
type graphPart struct {
	ps        *coord.PartSpec
	threshold float64
	bw        *bufio.Writer
	b         [graphEdgeBytes]byte
}

func newGraphPart(ps *coord.PartSpec, threshold float64, w io.Writer) *graphPart {
	return &graphPart{ps: ps, threshold: threshold, bw: bufio.NewWriterSize(w, 1<<16)}
}

// add writes the edge merged partial p makes, if the run keeps it.
func (g *graphPart) add(p *coord.EdgePartial) error {
	if g == nil {
		return nil
	}
	wt, ok := g.ps.Weight(p)
	if !ok {
		return nil
	}
	binary.LittleEndian.PutUint32(g.b[:], uint32(p.A))
	binary.LittleEndian.PutUint32(g.b[4:], uint32(p.B))
	binary.LittleEndian.PutUint64(g.b[8:], math.Float64bits(wt))
	g.b[16] = 0
	if wt > g.threshold || g.ps.Params.CommunitiesOnAll {
		g.b[16] = 1
	}
	_, err := g.bw.Write(g.b[:])
	return err
}

func (g *graphPart) flush() error {
	if g == nil {
		return nil
	}
	return g.bw.Flush()
}

// partEdges is a partition's edges read from its graph part: every kept
// edge (all), or those of the community subgraph.
type partEdges struct {
	ctx context.Context
	obs jetstream.ObjectStore
	run string
	r   int
	n   int // accounts in the run
	all bool
	// sub, with all, hears of each edge of the community subgraph
	sub func(u, v int32, w float64)
}

// Each implements partcomm.Edges.
func (pe *partEdges) Each(yield func(u, v int32, w float64) error) error {
	name := graphPartName(pe.run, pe.r)
	res, err := pe.obs.Get(pe.ctx, name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer res.Close()
	br := bufio.NewReaderSize(res, 1<<16)
	var b [graphEdgeBytes]byte
	for k := 0; ; k++ {
		if _, err := io.ReadFull(br, b[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: edge %d: %w", name, k, err)
		}
		u, v := int32(binary.LittleEndian.Uint32(b[:])), int32(binary.LittleEndian.Uint32(b[4:]))
		wt := math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
		if u < 0 || v <= u || int(v) >= pe.n || b[16] > 1 {
			return fmt.Errorf("%s: edge %d: accounts %d and %d (flag %d) in a run of %d", name, k, u, v, b[16], pe.n)
		}
		inSub := b[16] == 1
		if !pe.all && !inSub {
			continue
		}
		if pe.sub != nil && inSub {
			pe.sub(u, v, wt)
		}
		if err := yield(u, v, wt); err != nil {
			return err
		}
	}
}
