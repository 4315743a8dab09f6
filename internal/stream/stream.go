// Package stream spreads coordination detection over processes and
// machines through NATS JetStream: the run's objects are published to a
// work-queue stream partitioned by a hash of the object, `tahqiq worker`
// processes take them (durable pull consumers, explicit acks, redelivery
// when a worker dies before acking), compute each object's in-window pairs
// with coord's own kernel (coord.ObjectPairs) and publish them back; the
// process that started the run gathers them and finishes it with
// coord.RunPartitioned, whose whole-run rules are the single-machine code:
// the result equals coord.Run exactly.
package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// Stream names and subjects.
const (
	ObjectsStream = "TAHQIQ_OBJECTS" // work queue: tahqiq.objects.<partition>
	PairsStream   = "TAHQIQ_PAIRS"   // results: tahqiq.pairs.<run>
	objectsPrefix = "tahqiq.objects."
	pairsPrefix   = "tahqiq.pairs."
)

// Bus is a JetStream connection with the run layout.
type Bus struct {
	JS         jetstream.JetStream
	Partitions int // number of object partitions (default 16)
	Replicas   int // stream replicas (1 on one server, 3 on a cluster)
}

func (b *Bus) partitions() int {
	if b.Partitions <= 0 {
		return 16
	}
	return b.Partitions
}

// Setup creates the two streams if they do not exist (idempotent).
func (b *Bus) Setup(ctx context.Context) error {
	r := max(b.Replicas, 1)
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ObjectsStream, Subjects: []string{objectsPrefix + ">"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("stream: create %s: %w", ObjectsStream, err)
	}
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: PairsStream, Subjects: []string{pairsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("stream: create %s: %w", PairsStream, err)
	}
	return nil
}

// Partition is the partition of an object: FNV-1a of "type\x00object".
func Partition(o coord.ObjectShares, n int) int {
	h := fnv.New32a()
	h.Write([]byte(string(o.Type)))
	h.Write([]byte{0})
	h.Write([]byte(o.Object))
	return int(h.Sum32() % uint32(n))
}

// task is one message of the objects stream: a batch of one partition.
type task struct {
	Run     string               `json:"run"`
	Batch   int                  `json:"batch"`
	Kind    string               `json:"kind"`
	Window  int64                `json:"window"`
	Index   []int                `json:"index"` // positions in the run's object list
	Objects []coord.ObjectShares `json:"objects"`
}

// result is one message of the pairs stream: the pairs of a task.
type result struct {
	Batch  int               `json:"batch"`
	Index  []int             `json:"index"`
	Pairs  [][]coord.PairPos `json:"pairs"`
	Worker string            `json:"worker,omitempty"`
}

// Partitioner implements coord.Partitioner over the bus: it publishes the
// run's objects and waits until every object's pairs are back.
type Partitioner struct {
	Bus      *Bus
	Run      string                // run id; random when empty
	MaxBatch int                   // objects per message (default 500)
	Progress func(done, total int) // optional
	Log      func(string, ...any)  // optional
}

// Pairs publishes the objects (retrying until the stream accepts them:
// messages carry ids, so a retry is never counted twice) and gathers the
// pairs, ignoring any result delivered twice.
func (p *Partitioner) Pairs(ctx context.Context, kind string, window int64, objs []coord.ObjectShares) ([][]coord.PairPos, error) {
	run := p.Run
	if run == "" {
		var b [8]byte
		rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	n := p.Bus.partitions()
	maxBatch := p.MaxBatch
	if maxBatch <= 0 {
		maxBatch = 500
	}
	// gather first, so that no result is missed
	cons, err := p.Bus.JS.OrderedConsumer(ctx, PairsStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{pairsPrefix + run}})
	if err != nil {
		return nil, fmt.Errorf("stream: results consumer: %w", err)
	}
	byPart := make([][]int, n)
	for i, o := range objs {
		byPart[Partition(o, n)] = append(byPart[Partition(o, n)], i)
	}
	batches := 0
	for part, idx := range byPart {
		for len(idx) > 0 {
			k := min(len(idx), maxBatch)
			t := task{Run: run, Batch: batches, Kind: kind, Window: window, Index: idx[:k]}
			for _, i := range idx[:k] {
				t.Objects = append(t.Objects, objs[i])
			}
			body, err := json.Marshal(t)
			if err != nil {
				return nil, err
			}
			msg := &nats.Msg{Subject: objectsPrefix + strconv.Itoa(part), Data: body}
			if err := retry(ctx, func() error {
				_, err := p.Bus.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(run+"/"+strconv.Itoa(t.Batch)))
				return err
			}); err != nil {
				return nil, fmt.Errorf("stream: publish batch %d: %w", t.Batch, err)
			}
			batches++
			idx = idx[k:]
		}
	}
	out := make([][]coord.PairPos, len(objs))
	seen := make([]bool, batches)
	done := 0
	for done < batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mb, err := cons.Fetch(64, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if p.Log != nil {
				p.Log("stream: fetch results: %v (retrying)", err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		for m := range mb.Messages() {
			var r result
			if err := json.Unmarshal(m.Data(), &r); err != nil || r.Batch < 0 || r.Batch >= batches || len(r.Index) != len(r.Pairs) {
				return nil, fmt.Errorf("stream: run %s: malformed result (%v)", run, err)
			}
			if seen[r.Batch] {
				continue
			}
			seen[r.Batch] = true
			for k, i := range r.Index {
				out[i] = r.Pairs[k]
			}
			done++
			if p.Progress != nil {
				p.Progress(done, batches)
			}
		}
		if err := mb.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && p.Log != nil {
			p.Log("stream: fetch results: %v", err)
		}
	}
	return out, nil
}

// retry calls fn until it succeeds or ctx ends, backing off up to 2 s
// (a cluster electing a new stream leader answers with errors meanwhile).
func retry(ctx context.Context, fn func() error) error {
	wait := 50 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Worker computes pairs for the partitions it takes.
type Worker struct {
	Bus        *Bus
	Name       string
	Partitions []int         // nil: all
	AckWait    time.Duration // before a task is given to another worker (default 30 s)
	Log        func(string, ...any)
	// OnTask is called after a task's result is published and before it
	// is acknowledged (tests stop a worker there, as a crash would).
	OnTask func(batch int)
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
		ackWait = 30 * time.Second
	}
	var consumers []jetstream.Consumer
	for _, p := range parts {
		var c jetstream.Consumer
		err := retry(ctx, func() error {
			var err error
			c, err = w.Bus.JS.CreateOrUpdateConsumer(ctx, ObjectsStream, jetstream.ConsumerConfig{
				Durable: "tahqiq-part-" + strconv.Itoa(p), FilterSubject: objectsPrefix + strconv.Itoa(p),
				AckPolicy: jetstream.AckExplicitPolicy, AckWait: ackWait, MaxAckPending: 64,
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("stream: consumer for partition %d: %w", p, err)
		}
		consumers = append(consumers, c)
	}
	for ctx.Err() == nil {
		idle := true
		for _, c := range consumers {
			mb, err := c.Fetch(4, jetstream.FetchMaxWait(200*time.Millisecond))
			if err != nil {
				if ctx.Err() == nil && w.Log != nil {
					w.Log("worker %s: fetch: %v", w.Name, err)
				}
				time.Sleep(100 * time.Millisecond)
				continue
			}
			for m := range mb.Messages() {
				idle = false
				if err := w.handle(ctx, m); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
			}
		}
		if idle {
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func (w *Worker) handle(ctx context.Context, m jetstream.Msg) error {
	var t task
	if err := json.Unmarshal(m.Data(), &t); err != nil || len(t.Index) != len(t.Objects) {
		// a malformed task can never succeed: terminate it, say so
		m.Term()
		return fmt.Errorf("worker %s: malformed task on %s: %v", w.Name, m.Subject(), err)
	}
	r := result{Batch: t.Batch, Index: t.Index, Pairs: make([][]coord.PairPos, len(t.Objects)), Worker: w.Name}
	for i, o := range t.Objects {
		r.Pairs[i] = coord.ObjectPairs(t.Kind, t.Window, o.Rows)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: pairsPrefix + t.Run, Data: body}
	if err := retry(ctx, func() error {
		_, err := w.Bus.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(t.Run+"/"+strconv.Itoa(t.Batch)))
		return err
	}); err != nil {
		return err
	}
	if w.OnTask != nil {
		w.OnTask(t.Batch)
		if ctx.Err() != nil {
			return ctx.Err() // stopped before the ack: the task is redelivered
		}
	}
	return retry(ctx, func() error { return m.DoubleAck(ctx) })
}
