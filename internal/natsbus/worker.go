package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// Worker computes pairs for the partitions it takes.
type Worker struct {
	Bus        *Bus
	Name       string
	Partitions []int         // nil: all
	AckWait    time.Duration // before a task of a worker that stopped answering goes to another (default DefaultAckWait)
	Log        func(string, ...any)
	// OnTask is called after a task's result is published and before it
	// is acknowledged (tests stop a worker there, as a crash would), with
	// the task's batch, or -1-P for the reduce task of partition P.
	OnTask func(batch int)
	// OnReduce is called when the worker takes the reduce task of a
	// partition, before it reads anything (tests stop a worker there).
	OnReduce func(partition int)
	// Mem is the worker's memory budget in bytes (tahqiq worker --mem; 0:
	// none). A reducer holds its partition's merged partials within a
	// third of it (their estimated size: the garbage collector's headroom
	// doubles what is live) and spills the rest, sorted, to TempDir ("":
	// the system's temporary directory), merging the runs as it writes
	// (coord.PartialMerger); the rest is the mapper's task, the messages
	// in hand and the runtime's.
	Mem     int64
	TempDir string
	// Results counts the result messages published (a task's pairs may
	// take several).
	Results atomic.Int64

	dropped quiet // tasks of ended runs (the task loop's)
	// a partition of a partitioned run waiting for its threshold holds
	// its merged partials in memory (one at most, with Mem; others wait
	// spilled to disk)
	waitingInMem atomic.Bool
	writing      sync.Mutex    // a partitioned run's parts are written one partition at a time
	accounts     accountsCache // the accounts table of the last partitioned run it wrote parts of
	comm         commCache     // the community subgraph's edges of a partitioned run's partitions (partcomm.go)
	forgotAt     time.Time     // when forgetEnded last asked
}

// reduceBudget is a reducer's share of the worker's budget.
func (w *Worker) reduceBudget() coord.Budget {
	return coord.Budget{Mem: w.Mem / 3, TempDir: w.TempDir}
}

// DefaultAckWait is how long a task taken by a worker that stopped
// answering (killed, frozen, cut off) waits before the server gives it to
// another worker. A live worker tells the server four times per AckWait
// that the tasks it holds are in progress, however long they take, so a
// short AckWait costs no duplicated work; and a task done twice (a worker
// that came back) counts once, since results carry ids per task.
const DefaultAckWait = 5 * time.Second

// inProgress holds the tasks a worker has taken and not yet finished,
// and tells the server they are in progress until they are.
type inProgress struct {
	mu   sync.Mutex
	msgs map[jetstream.Msg]bool
}

func (p *inProgress) add(ms ...jetstream.Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range ms {
		p.msgs[m] = true
	}
}

func (p *inProgress) done(m jetstream.Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.msgs, m)
}

// run sends an in-progress acknowledgement for every task held, every
// interval, until ctx ends.
func (p *inProgress) run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p.mu.Lock()
		for m := range p.msgs {
			m.InProgress() // fire and forget: a lost one is made up for by the next
		}
		p.mu.Unlock()
	}
}

// quiet logs a failure that repeats (a fetch from a stream whose leader
// is being elected) once, then at most every five seconds with the
// number of times it happened meanwhile.
type quiet struct {
	last time.Time
	n    int
}

func (q *quiet) log(log func(string, ...any), f string, a ...any) {
	if log == nil {
		return
	}
	q.n++
	if time.Since(q.last) < 5*time.Second {
		return
	}
	if q.n > 1 {
		f += fmt.Sprintf(" (%d times since the last report)", q.n)
	}
	log(f, a...)
	q.last, q.n = time.Now(), 0
}

// Run serves tasks until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	parts := w.Partitions
	if parts == nil {
		for i := range w.Bus.partitions() {
			parts = append(parts, i)
		}
	}
	ackWait := w.AckWait
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	held := &inProgress{msgs: map[jetstream.Msg]bool{}}
	go held.run(ctx, ackWait/4)
	var consumers []jetstream.Consumer
	for _, p := range parts {
		var c jetstream.Consumer
		err := retry(ctx, func(ctx context.Context) error {
			var err error
			c, err = w.Bus.JS.CreateOrUpdateConsumer(ctx, ObjectsStream, jetstream.ConsumerConfig{
				Durable: "tahqiq-part-" + strconv.Itoa(p), FilterSubject: objectsPrefix + strconv.Itoa(p),
				AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxAckPending: 64,
			})
			return err
		})
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		if err != nil {
			return fmt.Errorf("natsbus: consumer for partition %d: %w", p, err)
		}
		consumers = append(consumers, c)
	}
	reduced := make(chan error, 1)
	go func() { reduced <- w.reduceLoop(ctx, ackWait, held) }()
	defer func() { <-reduced }()
	var fetchFailed quiet
	nap := time.Duration(0) // grows while there is nothing to do
	for ctx.Err() == nil {
		idle := true
		for _, c := range consumers {
			msgs, err := pull(ctx, c, 4, 0)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				fetchFailed.log(w.Log, "worker %s: fetch: %v", w.Name, err)
				time.Sleep(100 * time.Millisecond)
			}
			held.add(msgs...)
			for _, m := range msgs {
				idle = false
				err := w.handle(ctx, m)
				held.done(m)
				if err != nil {
					if ctx.Err() != nil {
						return nil
					}
					// one bad task (terminated, so never redelivered) does
					// not stop the worker serving the others
					if w.Log != nil {
						w.Log("%v", err)
					}
				}
			}
		}
		if !idle {
			nap = 0
			continue
		}
		nap = min(max(2*nap, 10*time.Millisecond), 500*time.Millisecond)
		w.forgetEnded(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(nap):
		}
	}
	return nil
}

func (w *Worker) handle(ctx context.Context, m jetstream.Msg) error {
	data, err := w.Bus.receive(ctx, m.Data())
	if ctx.Err() != nil {
		return ctx.Err() // not acked: the task goes to another worker
	}
	if err != nil {
		m.Term() // its chunks are gone or damaged: it can never be done
		return fmt.Errorf("worker %s: task on %s: %w", w.Name, m.Subject(), err)
	}
	var t task
	if isBinaryTask(data) {
		// the reduce path's and a participation round's tasks
		var bt *task
		if bt, err = decodeTask(data); err == nil {
			t = *bt
		}
	} else {
		err = json.Unmarshal(data, &t)
	}
	if err == nil {
		err = t.check()
	}
	if err != nil || len(t.Index) != len(t.Objects) || (t.Mode == modeReduce) != (t.Spec != nil) || (t.Mode == modeParticipation) != (t.PSpec != nil) {
		// a malformed task can never succeed: terminate it, say so
		m.Term()
		return fmt.Errorf("worker %s: malformed task on %s: %v", w.Name, m.Subject(), err)
	}
	if w.Bus.runEnded(ctx, t.Run) {
		// a task left in the queue by a run stopped early, or given again
		// after its run completed: nobody reads its results
		m.Ack()
		w.dropped.log(w.Log, "worker %s: dropped task %d of run %s, which has ended", w.Name, t.Batch, t.Run)
		return nil
	}
	switch t.Mode {
	case modeReduce:
		return w.handleMap(ctx, m, &t)
	case modeParticipation:
		return w.handleParticipation(ctx, m, &t)
	case "":
	default:
		m.Term()
		return fmt.Errorf("worker %s: task of run %s in mode %q, which this worker does not know (a newer tahqiq?)", w.Name, t.Run, t.Mode)
	}
	pairs := make([][][2]int32, len(t.Objects))
	for k := range t.Objects {
		for _, p := range coord.ObjectPairs(t.Kind, t.Window, t.rows(k), t.jaccard(k)) {
			pairs[k] = append(pairs[k], [2]int32{p.I, p.J})
		}
	}
	// chunks of at most limit bytes (about 16 bytes a pair in JSON);
	// one object's pairs may span chunks
	limit := batchBytes(w.Bus.JS.Conn()) / 16
	var chunks []result
	cur := result{Batch: t.Batch, Worker: w.Name}
	n := 0
	flush := func() {
		chunks = append(chunks, cur)
		cur, n = result{Batch: t.Batch, Worker: w.Name}, 0
	}
	for k, ps := range pairs {
		for len(ps) > 0 {
			take := min(len(ps), limit-n)
			cur.Index = append(cur.Index, t.Index[k])
			cur.Pairs = append(cur.Pairs, ps[:take])
			n += take
			ps = ps[take:]
			if n >= limit {
				flush()
			}
		}
	}
	if len(cur.Index) > 0 || len(chunks) == 0 {
		flush()
	}
	for c := range chunks {
		chunks[c].Chunk, chunks[c].Chunks = c, len(chunks)
		body, err := json.Marshal(chunks[c])
		if err != nil {
			return err
		}
		if err := w.publish(ctx, pairsPrefix+t.Run, t.Run, body, t.Run+"/"+strconv.Itoa(t.Batch)+"/"+strconv.Itoa(c), "pairs of batch "+strconv.Itoa(t.Batch)); err != nil {
			return err
		}
	}
	return w.finish(ctx, m, t.Batch)
}

// publish sends one result message of run, retrying until the stream
// takes it (its id makes a retry count once; a body larger than a
// message goes in chunks).
func (w *Worker) publish(ctx context.Context, subject, run string, body []byte, id, what string) error {
	tries := 0
	if err := w.Bus.send(ctx, subject, run, id, body, func(err error) {
		if tries++; w.Log != nil && tries%10 == 1 {
			w.Log("worker %s: publish %s: %v (retrying)", w.Name, what, err)
		}
	}); err != nil {
		return w.reportRefused(run, fmt.Errorf("worker %s: publish %s: %w", w.Name, what, err))
	}
	w.Results.Add(1)
	return nil
}

// finish acknowledges a task whose results are published.
func (w *Worker) finish(ctx context.Context, m jetstream.Msg, batch int) error {
	_, err := w.finishAcked(ctx, m, batch)
	return err
}

// finishAcked is finish, reporting whether the consumer's leader
// confirmed the ack (the task is then never given again).
func (w *Worker) finishAcked(ctx context.Context, m jetstream.Msg, batch int) (bool, error) {
	if w.OnTask != nil {
		w.OnTask(batch)
		if ctx.Err() != nil {
			return false, ctx.Err() // stopped before the ack: the task is redelivered
		}
	}
	// The ack is confirmed by the consumer's leader. If it cannot be (the
	// leader just died), the task comes back after AckWait and is done
	// again; its results are deduplicated, so giving up here loses nothing.
	for try := range 3 {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := m.DoubleAck(actx)
		cancel()
		if err == nil {
			return true, nil
		}
		if ctx.Err() != nil {
			return false, nil
		}
		if w.Log != nil {
			w.Log("worker %s: ack of task %d (try %d): %v", w.Name, batch, try+1, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false, nil
}

// finishPurge is finish for a task whose inputs nobody reads once it is
// done (a reduce task's partials, a write task's merged partials): once
// its ack is confirmed (the task is never given again) it purges subject
// from the partials stream, so that the server holds a run's partials
// only until their partition is reduced and written, not until the run
// ends. Best effort: what a failed purge leaves goes when the run ends.
func (w *Worker) finishPurge(ctx context.Context, m jetstream.Msg, batch int, subject string) error {
	acked, err := w.finishAcked(ctx, m, batch)
	if !acked || err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if st, err := w.Bus.JS.Stream(pctx, PartialsStream); err == nil {
		st.Purge(pctx, jetstream.WithPurgeSubject(subject))
	}
	return nil
}

// forgetCheck is how often an idle worker asks whether the run whose
// tables it keeps has ended.
var forgetCheck = 5 * time.Second

// forgetEnded drops what the worker keeps of a partitioned run (its
// accounts table, its community subgraph's edges) once that run has
// ended: a long-lived worker otherwise held them until its next
// partitioned run (tens of MB at 10M posts, up to a third of --mem).
// The worker that does the run's last community step drops its edges
// then; the others, and every worker after a run that failed or was
// stopped, only here. Asked at most every forgetCheck, while idle.
func (w *Worker) forgetEnded(ctx context.Context) {
	if time.Since(w.forgotAt) < forgetCheck {
		return
	}
	w.forgotAt = time.Now()
	w.accounts.mu.Lock()
	arun := w.accounts.run
	w.accounts.mu.Unlock()
	w.comm.mu.Lock()
	crun := w.comm.run
	w.comm.mu.Unlock()
	for _, run := range []string{arun, crun} {
		if run == "" || !w.Bus.runEnded(ctx, run) {
			continue
		}
		w.accounts.mu.Lock()
		if w.accounts.run == run {
			w.accounts.run, w.accounts.tables = "", coord.PartSpec{}
		}
		w.accounts.mu.Unlock()
		w.comm.mu.Lock()
		if w.comm.run == run {
			w.comm.run, w.comm.parts, w.comm.bytes = "", nil, 0
		}
		w.comm.mu.Unlock()
	}
}
