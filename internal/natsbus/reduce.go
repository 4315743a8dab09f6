package natsbus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// The reduce path (the coord.Reduced engine) on the bus. The run publishes its
// objects, with their row flags, to the same work queue as the pairs path
// (mode "reduce"); a worker folds a task's objects into partial aggregates
// per account pair (coord.Partials) and publishes them to the partials
// stream, partitioned by account pair: tahqiq.partials.RUN.R, at least one
// message per task and partition. The run then queues one reduce task per
// partition on TAHQIQ_REDUCE; a worker's reducer takes it, reads that
// partition's partials until every task's are in (chunks seen twice are
// skipped), merges each account pair's, and publishes the merged partials
// to tahqiq.partials.RUN.out, which the run gathers. A reducer that dies
// leaves its task to another after AckWait, which reads the partials
// again from the stream; the run's process holds no pair and merges
// nothing.

// Streams and subjects of the reduce path.
const (
	PartialsStream = "TAHQIQ_PARTIALS" // tahqiq.partials.<run>.<partition> and .out
	ReduceStream   = "TAHQIQ_REDUCE"   // work queue: one task per reduce partition
	partialsPrefix = "tahqiq.partials."
	reduceSubject  = "tahqiq.reduce"
	modeReduce     = "reduce"
)

// partialsMsg is one message of the partials stream (wire.go): a chunk
// of the partials of one task (Batch) for one partition, or of one
// partition's merged partials (Batch is then the partition).
type partialsMsg struct {
	Batch, Chunk, Chunks int
	Partials             []coord.EdgePartial
}

// reduceTask asks a reducer to merge partition R of a run once Batches
// tasks have published their partials.
type reduceTask struct {
	Run     string `json:"run"`
	R       int    `json:"r"`
	Reduces int    `json:"reduces"`
	Batches int    `json:"batches"`
	// a partitioned run (coord.ReducedParts): the reducer publishes a
	// summary of its kept edges' weights to .out, waits for the run's
	// flagged threshold (.thr) holding its merged partials, and writes
	// the partition's parts from them (parts.go)
	Parts *coord.PartSpec `json:"parts,omitempty"`
	// a participation round (participation.go): the reducer counts its
	// accounts' posts in pairs and publishes those that qualify
	Participation *coord.ParticipationSpec `json:"participation,omitempty"`
	// a step of a partitioned run's graph step (partcomm.go)
	Comm *commTask `json:"comm,omitempty"`
}

// ReduceIdle is how long a reducer waits for the next partials of its
// partition before it gives up and fails the run.
var ReduceIdle = 15 * time.Minute

// failedMagic starts the message a reducer that gave up publishes in
// place of its partition's partials.
const failedMagic = "TQPE"

// Reducer implements coord.Reducer over the bus.
type Reducer struct {
	Bus      *Bus
	Reduces  int                   // reduce partitions (default 4)
	Run      string                // run id; random when empty
	Progress func(done, total int) // optional: map tasks done of all
	Log      func(string, ...any)  // optional
}

func (r *Reducer) reduces() int {
	if r.Reduces <= 0 {
		return 4
	}
	return r.Reduces
}

// objectPartition is the work-queue partition of an object of the reduce
// path: FNV-1a of its id.
func objectPartition(obj int32, n int) int {
	h := fnv.New32a()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(obj))
	h.Write(b[:])
	return int(h.Sum32() % uint32(n))
}

// Reduce publishes the objects, queues the reduce tasks and gathers the
// merged partials.
func (r *Reducer) Reduce(ctx context.Context, spec coord.ReduceSpec, objs coord.ReduceObjects, grow func(int), fn func([]coord.EdgePartial) error) (err error) {
	run := r.Run
	if run == "" {
		var b [8]byte
		rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	ctx, unwatch := r.Bus.watchRun(ctx, run) // a worker's report that the run cannot complete ends it
	defer func() { err = runErr(ctx, run, err); unwatch() }()
	nred := r.reduces()
	js := r.Bus.JS
	out, err := follow(ctx, js, PartialsStream, partialsPrefix+run+".out")
	if err != nil {
		return err
	}
	defer out.stop()
	defer r.Bus.purgeRun(run, map[string]string{PartialsStream: partialsPrefix + run + ".>"})
	batches, err := r.publishRun(ctx, run, spec, objs, nred, nil, nil)
	if err != nil {
		return err
	}
	g := newGatherer(nred)
	var raw [][]byte
	total := 0
	lastProgress := time.Time{}
	for !g.complete() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Progress != nil && time.Since(lastProgress) > time.Second {
			lastProgress = time.Now()
			// a request to a stream whose leader just died is never
			// answered: it must not hold the gather
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			if s, err := js.Stream(sctx, ObjectsStream); err == nil {
				left := min(int(s.CachedInfo().State.Msgs), batches)
				r.Progress(batches-left, batches)
			}
			cancel()
		}
		msgs, err := out.next(ctx, 64, 100*time.Millisecond, r.Log)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			data, err := r.Bus.receive(ctx, m.Data())
			if err != nil {
				return fmt.Errorf("natsbus: run %s: merged partials: %w", run, err)
			}
			pm, n, err := g.addHeader(data)
			if err != nil {
				return fmt.Errorf("natsbus: run %s: %w", run, err)
			}
			if pm != nil {
				// kept as they came (a few bytes a partial), so that the
				// run knows how many edges to make room for
				raw = append(raw, data)
				total += n
			}
		}
	}
	if r.Progress != nil {
		r.Progress(batches, batches)
	}
	grow(total)
	for i, b := range raw {
		pm, err := decodePartials(b)
		if err != nil {
			return fmt.Errorf("natsbus: run %s: %w", run, err)
		}
		raw[i] = nil
		if err := fn(pm.Partials); err != nil {
			return err
		}
	}
	return nil
}

// publishRun publishes a run's objects as map tasks, by object
// partition, and queues its nred reduce tasks (with parts: a partitioned
// run's); it returns the number of map tasks. Each task's objects are
// made (objs.Object) as it fills and dropped once it is published: the
// run holds one task's objects at a time. Once every task is out it
// tells objs (Release).
func (r *Reducer) publishRun(ctx context.Context, run string, spec coord.ReduceSpec, objs coord.ReduceObjects, nred int, parts *coord.PartSpec, pspec *coord.ParticipationSpec) (int, error) {
	n := r.Bus.partitions()
	js := r.Bus.JS
	limit := batchBytes(js.Conn())
	batches := 0
	publish := func(part int, t *task) error {
		t.Batch = batches
		body, err := encodeTask(t)
		if err != nil {
			return err
		}
		if parts != nil {
			part = batches % n
		}
		if err := r.Bus.send(ctx, objectsPrefix+strconv.Itoa(part), run, run+"/"+strconv.Itoa(batches), body, nil); err != nil {
			o := t.RObjects[0]
			return fmt.Errorf("natsbus: run %s: the task of %s (%d shares)%s: %w", run, spec.ObjectName(o.Obj), len(o.Rows), more(len(t.RObjects)-1), err)
		}
		batches++
		return nil
	}
	newTask := func() *task { return &task{Run: run, Mode: modeReduce, Spec: &spec, Reduces: nred} }
	if pspec != nil {
		newTask = func() *task { return &task{Run: run, Mode: modeParticipation, PSpec: pspec, Reduces: nred} }
	}
	// the objects of each task's partition, by position in objs
	var byPart [][]int32
	if parts != nil {
		// a partitioned run's tasks hold consecutive objects (task k on
		// object partition k mod n), so that their evidence parts, put
		// end to end in task order, are in object order
		byPart = [][]int32{nil}
	} else {
		byPart = make([][]int32, n)
		for i := range objs.Len() {
			p := objectPartition(objs.ID(i), n)
			byPart[p] = append(byPart[p], int32(i))
		}
	}
	for part, idx := range byPart {
		count := len(idx)
		if parts != nil {
			count = objs.Len()
		}
		t, size := newTask(), 0
		for k := range count {
			i := k
			if parts == nil {
				i = int(idx[k])
			}
			o := objs.Object(i)
			est := 32 * len(o.Rows) // four numbers a row
			for _, k := range o.Tokens {
				est += 21 * len(k) // near-text token sets
			}
			est += len(o.Value) + len(o.TypeName)
			for _, p := range o.Posts {
				est += len(p) + 3 // evidence: post UIDs
			}
			if len(t.RObjects) > 0 && size+est > limit {
				if err := publish(part, t); err != nil {
					return 0, err
				}
				t, size = newTask(), 0
			}
			t.RObjects = append(t.RObjects, o)
			size += est
		}
		if len(t.RObjects) > 0 {
			if err := publish(part, t); err != nil {
				return 0, err
			}
		}
	}
	objs.Release()
	for k := range nred {
		body, _ := json.Marshal(reduceTask{Run: run, R: k, Reduces: nred, Batches: batches, Parts: parts, Participation: pspec})
		if err := r.Bus.send(ctx, reduceSubject, run, run+"/reduce/"+strconv.Itoa(k), body, nil); err != nil {
			return 0, fmt.Errorf("natsbus: run %s: reduce task %d: %w", run, k, err)
		}
	}
	return batches, nil
}

// gatherer tracks the chunks of n producers (tasks or partitions).
type gatherer struct {
	n      int
	seen   map[[2]int]bool
	chunks []int // per producer, its number of chunks (0: none seen yet)
	got    []int
	done   int
}

func newGatherer(n int) *gatherer {
	return &gatherer{n: n, seen: map[[2]int]bool{}, chunks: make([]int, n), got: make([]int, n)}
}

func (g *gatherer) complete() bool { return g.done == g.n }

// add takes one message; it returns nil for a chunk seen before.
func (g *gatherer) add(data []byte) (*partialsMsg, error) {
	pm, _, err := g.addHeader(data)
	if pm == nil || err != nil {
		return nil, err
	}
	return decodePartials(data)
}

// addHeader is add reading only the message's header; it returns the
// number of partials the message carries.
func (g *gatherer) addHeader(data []byte) (*partialsMsg, int, error) {
	if msg, ok := strings.CutPrefix(string(data), failedMagic); ok {
		return nil, 0, errors.New(msg)
	}
	pm, n, _, err := decodeHeader(data)
	if err != nil {
		return nil, 0, err
	}
	if fresh, err := g.mark(pm.Batch, pm.Chunk, pm.Chunks); !fresh || err != nil {
		return nil, 0, err
	}
	return pm, n, nil
}

// mark counts chunk of chunks of producer batch; it reports false for a
// chunk seen before.
func (g *gatherer) mark(batch, chunk, chunks int) (bool, error) {
	if batch >= g.n || (g.chunks[batch] != 0 && g.chunks[batch] != chunks) {
		return false, fmt.Errorf("message of task %d in %d chunks: %d tasks, or chunked otherwise before", batch, chunks, g.n)
	}
	k := [2]int{batch, chunk}
	if g.seen[k] {
		return false, nil
	}
	g.seen[k] = true
	g.chunks[batch] = chunks
	g.got[batch]++
	if g.got[batch] == chunks {
		g.done++
	}
	return true, nil
}

// localError is a reducer's own failure (spilling to its disk), which
// another reducer may not meet: its task is left to be redone.
type localError struct{ error }

func (e localError) Unwrap() error { return e.error }

// gatherPartition reads partition rt.R's messages of rt.Run, handing each
// to take (which marks it in g), until g is complete. It reports done
// when the task was dropped (its run ended) and acknowledged; an error
// when it gave up (the run is told) or was stopped (not acknowledged:
// another reducer redoes it).
func (w *Worker) gatherPartition(ctx context.Context, m jetstream.Msg, rt *reduceTask, g *gatherer, take func(data []byte) error) (done bool, err error) {
	subject := partialsPrefix + rt.Run + "." + strconv.Itoa(rt.R)
	cons, err := follow(ctx, w.Bus.JS, PartialsStream, subject)
	if err != nil {
		return false, err
	}
	defer cons.stop()
	progress, checked := time.Now(), time.Now()
	for !g.complete() {
		if ctx.Err() != nil {
			return false, ctx.Err() // not acked: another reducer redoes it
		}
		if time.Since(progress) > followStall && time.Since(checked) > followStall {
			// waiting: the run may have been stopped (its partials are
			// then purged and never complete)
			checked = time.Now()
			if w.Bus.runEnded(ctx, rt.Run) {
				m.Ack()
				if w.Log != nil {
					w.Log("worker %s: dropped reduce task %d of run %s, which ended while it waited (%d of %d map tasks in)", w.Name, rt.R, rt.Run, g.done, rt.Batches)
				}
				return true, nil
			}
		}
		if time.Since(progress) > ReduceIdle {
			// a map task that never publishes (terminated, or taken by a
			// worker that does not know the reduce mode) would hold this
			// reducer for ever: give up and tell the run
			err := fmt.Errorf("reduce partition %d of run %s: no partials for %s, %d of %d map tasks in", rt.R, rt.Run, ReduceIdle, g.done, rt.Batches)
			if perr := w.publish(ctx, partialsPrefix+rt.Run+".out", rt.Run, append([]byte(failedMagic), err.Error()...), rt.Run+"/out/"+strconv.Itoa(rt.R)+"/failed", "failure"); perr != nil {
				return false, perr
			}
			m.Term()
			return false, fmt.Errorf("worker %s: %w", w.Name, err)
		}
		msgs, err := cons.next(ctx, 64, 100*time.Millisecond, func(f string, a ...any) {
			if w.Log != nil {
				w.Log("worker "+w.Name+": "+f, a...)
			}
		})
		if err != nil {
			return false, err // stopped: not acked, another reducer redoes it
		}
		for _, msg := range msgs {
			data, err := w.Bus.receive(ctx, msg.Data())
			if ctx.Err() != nil {
				return false, ctx.Err() // not acked: another reducer redoes it
			}
			before := len(g.seen)
			if err == nil {
				err = take(data)
			}
			var local localError
			if errors.As(err, &local) {
				// this worker's trouble (its disk), not the task's: not
				// acked, another reducer redoes it
				return false, fmt.Errorf("worker %s: reduce %s: %w", w.Name, subject, err)
			}
			if err != nil {
				m.Term()
				return false, fmt.Errorf("worker %s: reduce %s: %w", w.Name, subject, err)
			}
			if len(g.seen) > before {
				progress = time.Now()
			}
		}
	}
	return false, nil
}

// publishPartialsEach publishes the partials each hands out (sorted) as
// publishPartials does, holding one message at a time: a first pass cuts
// them into messages (the header says how many), the second publishes
// them.
func (w *Worker) publishPartialsEach(ctx context.Context, subject, run, prefix string, batch int, mg *coord.PartialMerger) error {
	if ps, ok := mg.Sorted(); ok {
		// in memory: encoded once, as the messages go
		return w.publishPartials(ctx, subject, run, prefix, batch, ps)
	}
	each := mg.Each
	limit := batchBytes(w.Bus.JS.Conn())
	var counts []int
	var b []byte
	size, n := 0, 0
	if err := each(func(p *coord.EdgePartial) error {
		if err := ctx.Err(); err != nil {
			return err // stopped: not acked, redone
		}
		if n > 0 && size > limit {
			counts = append(counts, n)
			size, n = 0, 0
		}
		b, _ = p.AppendBinary(b[:0])
		size += len(b)
		n++
		return nil
	}); err != nil {
		return err
	}
	counts = append(counts, n)
	var cur []*coord.EdgePartial
	c := 0
	flush := func() error {
		// as encodePartialPtrs makes chunk c of len(counts)
		body := append([]byte(nil), partialsMagic...)
		body = binary.AppendUvarint(body, uint64(batch))
		body = binary.AppendUvarint(body, uint64(c))
		body = binary.AppendUvarint(body, uint64(len(counts)))
		body = binary.AppendUvarint(body, uint64(len(cur)))
		for _, p := range cur {
			body, _ = p.AppendBinary(body)
		}
		if err := w.publish(ctx, subject, run, body, prefix+"/"+strconv.Itoa(c), "partials of "+prefix); err != nil {
			return err
		}
		cur = cur[:0]
		c++
		return nil
	}
	if err := each(func(p *coord.EdgePartial) error {
		if len(cur) == counts[c] {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = append(cur, p)
		return nil
	}); err != nil {
		return err
	}
	if c != len(counts)-1 || len(cur) != counts[c] {
		return fmt.Errorf("worker %s: %s: the partials changed between two passes", w.Name, prefix)
	}
	return flush()
}

// publishPartials publishes ps (sorted) to subject as binary messages of
// about the batch size (at least one, empty when ps is), with ids
// prefix/chunk.
func (w *Worker) publishPartials(ctx context.Context, subject, run, prefix string, batch int, ps []*coord.EdgePartial) error {
	for c, body := range encodePartialPtrs(batch, ps, batchBytes(w.Bus.JS.Conn())) {
		if err := w.publish(ctx, subject, run, body, prefix+"/"+strconv.Itoa(c), "partials of "+prefix); err != nil {
			return err
		}
	}
	return nil
}

// handleMap folds a reduce-mode task into partials and publishes them by
// reduce partition.
func (w *Worker) handleMap(ctx context.Context, m jetstream.Msg, t *task) error {
	if t.Reduces <= 0 {
		m.Term()
		return fmt.Errorf("worker %s: malformed reduce task on %s: %d reduce partitions", w.Name, m.Subject(), t.Reduces)
	}
	if t.Spec.Evidence {
		// a partitioned run's evidence, before the partials: once the
		// reducers have every partial, every part of it is written
		if err := w.writeEvidence(ctx, t); err != nil {
			return err // not acked: redone, here or elsewhere
		}
	}
	// within the budget: when the task's partials would outgrow the
	// reducer's share (an object everyone shared), they are folded in
	// sub-passes, each a slice of its account pairs (mapfine.go)
	limit := 0
	if w.Mem > 0 {
		limit = int(max(w.reduceBudget().Mem/coord.PartialsCost, 1<<10))
	}
	st, err := w.foldTask(ctx, t, limit)
	if ctx.Err() != nil {
		return ctx.Err() // not acked: redone, here or elsewhere
	}
	var fe foldError
	if errors.As(err, &fe) {
		m.Term()
		return fmt.Errorf("worker %s: task %d of run %s: %v", w.Name, t.Batch, t.Run, fe.error)
	}
	if err != nil {
		return err // its disk or the bus: not acked, redone
	}
	if st.subPasses > 0 && w.Log != nil {
		w.Log("worker %s: task %d of run %s: its partials (about %.0f) over the memory budget (--mem %s: %d partials at a time), folded in %d sub-passes, the task swept %d times", w.Name, t.Batch, t.Run, st.estimate, decompress.Bytes(w.Mem), limit, st.subPasses, st.sweeps)
	}
	return w.finish(ctx, m, t.Batch)
}

// foldDone, when set (tests), hears that a fold partialsOrStop left
// behind has ended.
var foldDone func()

// partialsOrStop is coord.PartialsOrCount, given up when ctx ends: the
// kernel's sweep of one object cannot stop midway, and the head object
// of a large run (a hashtag everyone used) takes a minute or more, so the
// fold goes on in a goroutine of its own and the worker stops at once
// (SIGTERM, Ctrl-C); the task, not acknowledged, is redone. The fold
// left behind makes nothing more once ctx has ended (ReduceSpec.Stop:
// it stops folding within 65,536 pairs and ends with the object it
// sweeps), so that a worker stopped in a process that goes on (an
// embedded run's, a test's) does not leave it growing to its end.
func partialsOrStop(ctx context.Context, spec coord.ReduceSpec, objs []coord.ReduceObject, keep func(uint64) bool, limit int, count func(uint64)) ([][]coord.EdgePartial, bool, error) {
	type result struct {
		ps   [][]coord.EdgePartial
		fits bool
		err  error
	}
	ch := make(chan result, 1)
	if foldSweep != nil {
		foldSweep()
	}
	spec.Stop = func() bool { return ctx.Err() != nil }
	go func() {
		ps, fits, err := coord.PartialsOrCount(spec, objs, keep, limit, count)
		ch <- result{ps, fits, err}
		if foldDone != nil {
			foldDone()
		}
	}()
	select {
	case <-ctx.Done():
		return nil, false, ctx.Err()
	case r := <-ch:
		return r.ps, r.fits, r.err
	}
}

// reduceLoop serves reduce tasks, one at a time, until ctx ends.
func (w *Worker) reduceLoop(ctx context.Context, ackWait time.Duration, held *inProgress) error {
	var c jetstream.Consumer
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		c, err = w.Bus.JS.CreateOrUpdateConsumer(ctx, ReduceStream, jetstream.ConsumerConfig{
			Durable: "tahqiq-reduce", FilterSubject: reduceSubject,
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxAckPending: 1024,
		})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("natsbus: reduce consumer: %w", err)
	}
	var fetchFailed quiet
	var waiting sync.WaitGroup
	defer waiting.Wait()
	for ctx.Err() == nil {
		msgs, err := pull(ctx, c, 1, time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			fetchFailed.log(w.Log, "worker %s: fetch reduce task: %v", w.Name, err)
			time.Sleep(100 * time.Millisecond)
		}
		for _, m := range msgs {
			held.add(m)
			later, err := w.reduce(ctx, m)
			if later != nil {
				// the task goes on (a partitioned run's partition waits
				// for the run's threshold, then writes its parts) while
				// this reducer takes the next: the run's threshold needs
				// every partition's summary, and there may be more
				// partitions than reducers
				waiting.Add(1)
				go func() {
					defer waiting.Done()
					defer held.done(m)
					if err := later(); err != nil && ctx.Err() == nil && w.Log != nil {
						w.Log("%v", err)
					}
				}()
				continue
			}
			held.done(m)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if w.Log != nil {
					w.Log("%v", err)
				}
			}
		}
	}
	return nil
}

// reduce merges one partition of a run. A partitioned run's partition
// goes on in later (nil otherwise), which the caller runs while it
// takes other tasks.
func (w *Worker) reduce(ctx context.Context, m jetstream.Msg) (later func() error, err error) {
	var rt reduceTask
	if err := json.Unmarshal(m.Data(), &rt); err != nil || rt.Run == "" || rt.Reduces <= 0 || rt.R < 0 || rt.R >= rt.Reduces || rt.Batches < 0 {
		m.Term()
		return nil, fmt.Errorf("worker %s: malformed reduce task: %v", w.Name, err)
	}
	if w.OnReduce != nil {
		w.OnReduce(rt.R)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if w.Bus.runEnded(ctx, rt.Run) {
		m.Ack() // given again after its run completed, or its run was stopped
		if w.Log != nil {
			w.Log("worker %s: dropped reduce task %d of run %s, which has ended", w.Name, rt.R, rt.Run)
		}
		return nil, nil
	}
	if rt.Participation != nil {
		return nil, w.reduceParticipation(ctx, m, &rt)
	}
	if rt.Comm != nil {
		return nil, w.commRound(ctx, m, &rt)
	}
	mg := coord.NewPartialMerger(w.reduceBudget())
	defer func() {
		if later == nil {
			mg.Close() // (else later closes it)
		}
	}()
	g := newGatherer(rt.Batches)
	done, err := w.gatherPartition(ctx, m, &rt, g, func(data []byte) error {
		pm, err := g.add(data)
		if pm == nil || err != nil {
			return err
		}
		for i := range pm.Partials {
			if err := mg.Add(&pm.Partials[i]); err != nil {
				return localError{err}
			}
		}
		return nil
	})
	if done || err != nil {
		return nil, err
	}
	if mg.Runs > 0 && w.Log != nil {
		w.Log("worker %s: reduce partition %d of run %s: over the memory budget (--mem %s): %.1f MiB of partials spilled to disk (%d sorted runs, merged)", w.Name, rt.R, rt.Run, decompress.Bytes(w.Mem), float64(mg.Spilled)/(1<<20), mg.Runs)
	}
	// in key order, so that a reducer redoing this task publishes the same
	// chunks
	if rt.Parts != nil {
		return w.reduceParts(ctx, m, &rt, mg)
	}
	if err := w.publishPartialsEach(ctx, partialsPrefix+rt.Run+".out", rt.Run, rt.Run+"/out/"+strconv.Itoa(rt.R), rt.R, mg); err != nil {
		return nil, err
	}
	return nil, w.finishPurge(ctx, m, -1-rt.R, partialsPrefix+rt.Run+"."+strconv.Itoa(rt.R))
}
