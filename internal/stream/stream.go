// Package stream spreads coordination detection over processes and
// machines through NATS JetStream: the run's objects are published to a
// work-queue stream partitioned by a hash of the object, and `tahqiq
// worker` processes take them (durable pull consumers, explicit acks,
// redelivery when a worker dies before acking). On the reduce path (the
// Reducer, coord.Reduced: the CLI's default with --nats) the workers pair
// each object with coord's own kernel, fold the pairs into partial edges
// per account pair (coord.Partials) and their reducers merge each account
// pair's partials; on the pairs path (the Partitioner, coord.Partitioned)
// they send each object's pairs back and the run folds them. Either way
// the whole-run rules are the single-machine code, so the result equals
// the run in one process exactly. The package also holds the embedded
// NATS server and the live stream that feeds internal/live.
package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq"
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

// Dial connects to the NATS server or cluster at url with creds (nil:
// none, or what the URL carries), reconnecting for as long as the
// connection is open, and returns a Bus on it (Close closes the
// connection). A refusal of the credentials, or of their absence, is an
// error for which IsAuthError holds.
func Dial(url string, creds *Creds) (*Bus, error) {
	opts := []nats.Option{nats.Name("tahqiq"), nats.MaxReconnects(-1)}
	if creds != nil {
		opts = append(opts, creds.Option())
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Bus{JS: js}, nil
}

// IsAuthError reports whether err is a NATS server's refusal of a
// client's credentials (or of a client without any).
func IsAuthError(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked)
}

// IsNkeysUnsupported reports whether err says that the server asks for
// no NKey (it has no authentication, or another kind).
func IsNkeysUnsupported(err error) bool { return errors.Is(err, nats.ErrNkeysNotSupported) }

// Close closes the bus's connection.
func (b *Bus) Close() { b.JS.Conn().Close() }

func (b *Bus) partitions() int {
	if b.Partitions <= 0 {
		return 16
	}
	return b.Partitions
}

// Setup creates the streams of the partitioned paths if they do not exist
// (idempotent).
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
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: PartialsStream, Subjects: []string{partialsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("stream: create %s: %w", PartialsStream, err)
	}
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ReduceStream, Subjects: []string{reduceSubject}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("stream: create %s: %w", ReduceStream, err)
	}
	return nil
}

// PurgeWork empties the streams of the partitioned paths (tasks, pairs,
// partials, reduce tasks), not the live stream: for a server only one
// process uses, when that process starts again and the runs those
// messages belonged to are gone.
func (b *Bus) PurgeWork(ctx context.Context) error {
	for _, name := range []string{ObjectsStream, PairsStream, PartialsStream, ReduceStream} {
		st, err := b.JS.Stream(ctx, name)
		if err != nil {
			return fmt.Errorf("stream: %s: %w", name, err)
		}
		if err := st.Purge(ctx); err != nil {
			return fmt.Errorf("stream: purge %s: %w", name, err)
		}
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

// task is one message of the objects stream: a batch of objects of one
// partition. Rows are [account index, post index, time] into the batch's
// string tables, which keeps messages small.
type task struct {
	Run      string       `json:"run"`
	Batch    int          `json:"batch"`
	Kind     string       `json:"kind"`
	Window   int64        `json:"window"`
	Index    []int        `json:"index"` // positions in the run's object list
	Accounts []string     `json:"accounts"`
	Posts    []string     `json:"posts"`
	Objects  [][][3]int64 `json:"objects"` // per object, its rows
	// near-text objects: per object its similarity threshold (0: none),
	// and per post of Posts its token set (only with such objects)
	Jaccard []float64  `json:"jaccard,omitempty"`
	Tokens  [][]uint64 `json:"tokens,omitempty"`

	// the reduce path (mode "reduce"): objects with the run's ids and row
	// flags, folded into partial aggregates per account pair
	Mode     string               `json:"mode,omitempty"`
	Spec     *coord.ReduceSpec    `json:"spec,omitempty"`
	RObjects []coord.ReduceObject `json:"robjects,omitempty"`
	Reduces  int                  `json:"reduces,omitempty"`

	acc, post map[string]int64 // building only
}

func (t *task) rows(k int) []coord.ShareRow {
	out := make([]coord.ShareRow, len(t.Objects[k]))
	for i, r := range t.Objects[k] {
		out[i] = coord.ShareRow{Account: t.Accounts[r[0]], Post: t.Posts[r[1]], T: r[2]}
		if t.jaccard(k) > 0 && r[1] < int64(len(t.Tokens)) {
			out[i].Tokens = t.Tokens[r[1]]
		}
	}
	return out
}

// check reports a row that names an account or post outside the task's
// tables (a damaged or forged task; it would stop the worker).
func (t *task) check() error {
	for k, rows := range t.Objects {
		for i, r := range rows {
			if r[0] < 0 || r[0] >= int64(len(t.Accounts)) || r[1] < 0 || r[1] >= int64(len(t.Posts)) {
				return fmt.Errorf("object %d row %d names account %d of %d, post %d of %d", k, i, r[0], len(t.Accounts), r[1], len(t.Posts))
			}
		}
	}
	return nil
}

// jaccard is object k's near-text threshold (0: not near-text).
func (t *task) jaccard(k int) float64 {
	if k < len(t.Jaccard) {
		return t.Jaccard[k]
	}
	return 0
}

// result is one message of the pairs stream: a chunk of a task's pairs
// (a task's pairs may need several messages).
type result struct {
	Batch  int          `json:"batch"`
	Chunk  int          `json:"chunk"`
	Chunks int          `json:"chunks"`
	Index  []int        `json:"index"` // objects of this chunk (positions in the run's list)
	Pairs  [][][2]int32 `json:"pairs"` // per object, its pairs (row positions)
	Worker string       `json:"worker,omitempty"`
}

// Partitioner implements coord.Partitioner over the bus: it publishes the
// run's objects and waits until every object's pairs are back.
type Partitioner struct {
	Bus      *Bus
	Run      string                // run id; random when empty
	Progress func(done, total int) // optional
	Log      func(string, ...any)  // optional
}

// batchBytes is the size a task or result message aims at: half the
// server's max_payload (1 MiB by default), at most 1 MiB, since large
// messages overrun the clients' pending limits and stall the consumers.
// A single object may still fill a whole message (maxBody).
func batchBytes(nc *nats.Conn) int {
	if nc == nil {
		return 512 << 10
	}
	return min(max(int(nc.MaxPayload())/2, 16<<10), 1<<20)
}

// maxBody is the largest message body the server takes, less room for
// headers.
func maxBody(nc *nats.Conn) int {
	if nc == nil {
		return 1 << 20
	}
	return int(nc.MaxPayload()) - 4096
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
	limit := batchBytes(p.Bus.JS.Conn())
	// gather first, so that no result is missed
	cons, err := follow(ctx, p.Bus.JS, PairsStream, pairsPrefix+run)
	if err != nil {
		return nil, err
	}
	defer cons.stop()
	byPart := make([][]int, n)
	for i, o := range objs {
		part := Partition(o, n)
		byPart[part] = append(byPart[part], i)
	}
	batches := 0
	publish := func(part int, t *task) error {
		body, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if len(body) > maxBody(p.Bus.JS.Conn()) {
			o := objs[t.Index[0]]
			return tahqiq.Errorf(tahqiq.EINVALID, "object %s %q has %d shares (%d bytes), more than the NATS server's max_payload allows in one message: raise max_payload (64 MB at most)", o.Type, o.Object, len(o.Rows), len(body))
		}
		msg := &nats.Msg{Subject: objectsPrefix + strconv.Itoa(part), Data: body}
		return retry(ctx, func(ctx context.Context) error {
			_, err := p.Bus.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(run+"/"+strconv.Itoa(t.Batch)))
			return err
		})
	}
	for part, idx := range byPart {
		t := newTask(run, kind, window)
		size := 0
		for _, i := range idx {
			o := objs[i]
			est := 0
			for _, r := range o.Rows {
				est += len(r.Account) + len(r.Post) + 32 + 21*len(r.Tokens) // names (at most once each), the row, its tokens
			}
			if len(t.Index) > 0 && size+est > limit {
				t.Batch = batches
				if err := publish(part, t); err != nil {
					return nil, err
				}
				batches++
				t, size = newTask(run, kind, window), 0
			}
			t.add(i, o)
			size += est
		}
		if len(t.Index) > 0 {
			t.Batch = batches
			if err := publish(part, t); err != nil {
				return nil, err
			}
			batches++
		}
	}
	out := make([][]coord.PairPos, len(objs))
	pending := make([][]*result, batches) // per batch, its chunks as they arrive; nil after assembly
	complete := make([]bool, batches)
	done := 0
	for done < batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		msgs, err := cons.next(ctx, 64, 100*time.Millisecond, p.Log)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			r := new(result)
			if err := json.Unmarshal(m.Data(), r); err != nil || r.Batch < 0 || r.Batch >= batches || len(r.Index) != len(r.Pairs) || r.Chunk < 0 || r.Chunk >= r.Chunks {
				return nil, fmt.Errorf("stream: run %s: malformed result (%v)", run, err)
			}
			b := r.Batch
			if complete[b] {
				continue // delivered twice (a worker redid a task)
			}
			if pending[b] == nil {
				pending[b] = make([]*result, r.Chunks)
			}
			if len(pending[b]) != r.Chunks || pending[b][r.Chunk] != nil {
				continue
			}
			pending[b][r.Chunk] = r
			if slices.Contains(pending[b], nil) {
				continue
			}
			// every chunk is here: assemble in chunk order
			for _, c := range pending[b] {
				for k, i := range c.Index {
					for _, pp := range c.Pairs[k] {
						out[i] = append(out[i], coord.PairPos{I: pp[0], J: pp[1]})
					}
				}
			}
			pending[b], complete[b] = nil, true
			done++
			if p.Progress != nil {
				p.Progress(done, batches)
			}
		}
	}
	return out, nil
}

func newTask(run, kind string, window int64) *task {
	return &task{Run: run, Kind: kind, Window: window}
}

// add appends object i with its rows, interning names per batch.
func (t *task) add(i int, o coord.ObjectShares) {
	if t.Index == nil {
		t.acc, t.post = map[string]int64{}, map[string]int64{}
	}
	id := func(m map[string]int64, list *[]string, s string) int64 {
		if x, ok := m[s]; ok {
			return x
		}
		m[s] = int64(len(*list))
		*list = append(*list, s)
		return m[s]
	}
	rows := make([][3]int64, len(o.Rows))
	for k, r := range o.Rows {
		rows[k] = [3]int64{id(t.acc, &t.Accounts, r.Account), id(t.post, &t.Posts, r.Post), r.T}
		if o.Jaccard > 0 {
			for int64(len(t.Tokens)) <= rows[k][1] {
				t.Tokens = append(t.Tokens, nil)
			}
			t.Tokens[rows[k][1]] = r.Tokens
		}
	}
	if o.Jaccard > 0 {
		for len(t.Jaccard) < len(t.Objects) {
			t.Jaccard = append(t.Jaccard, 0)
		}
		t.Jaccard = append(t.Jaccard, o.Jaccard)
	}
	t.Index = append(t.Index, i)
	t.Objects = append(t.Objects, rows)
}

// pull fetches up to n messages: those waiting now when wait is 0, else
// waiting up to wait (the pull's expiry on the server, so that a message
// on its way is never cut off by the client). The client gives up after
// wait plus pullGrace all the same: after a failover, a pull whose server
// went away was seen never to end (its timer restarts whenever other
// traffic wakes it). A message received after that is not lost: a work
// queue redelivers it after AckWait.
func pull(ctx context.Context, c jetstream.Consumer, n int, wait time.Duration) ([]jetstream.Msg, error) {
	var mb jetstream.MessageBatch
	var err error
	if wait <= 0 {
		mb, err = c.FetchNoWait(n)
	} else {
		mb, err = c.Fetch(n, jetstream.FetchMaxWait(wait))
	}
	if err != nil {
		return nil, err
	}
	giveUp := time.NewTimer(wait + pullGrace)
	defer giveUp.Stop()
	var out []jetstream.Msg
	for {
		select {
		case m, ok := <-mb.Messages():
			if !ok {
				err = mb.Error()
				if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
					err = nil
				}
				return out, err
			}
			out = append(out, m)
		case <-giveUp.C:
			return out, fmt.Errorf("a pull of %s did not end within %s", wait, wait+pullGrace)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}

// pullGrace is how long after its wait a pull is given up.
const pullGrace = 10 * time.Second

// follower reads one subject of a stream from its start, in order, for
// as long as a run gathers it: an ordered consumer with a continuous pull
// (Fetch on an ordered consumer makes a new consumer at every call, which
// costs more than the messages). Every wait is bounded by a context. When
// the iterator fails or stays silent (a failover), it starts again after
// the last message it handed over; the gatherers skip anything seen twice.
type follower struct {
	js      jetstream.JetStream
	stream  string
	subject string
	it      jetstream.MessagesContext
	last    uint64        // stream sequence of the last message handed over
	heard   time.Time     // when a message last came (or the iterator opened)
	from    uint64        // before any message: the first sequence to read (0: the stream's first)
	stall   time.Duration // silence after which it reopens (default followStall)
}

// followStall is how long a follower waits without a message before it
// opens a new iterator after the last message it handed over: after a
// failover an ordered consumer was seen to stay silent for minutes.
const followStall = 5 * time.Second

func follow(ctx context.Context, js jetstream.JetStream, stream, subject string) (*follower, error) {
	f := &follower{js: js, stream: stream, subject: subject}
	return f, f.open(ctx)
}

func (f *follower) open(ctx context.Context) error {
	if f.it != nil {
		f.it.Stop()
		f.it = nil
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{f.subject}}
	switch {
	case f.last > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.last+1
	case f.from > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.from
	}
	f.heard = time.Now()
	c, err := f.js.OrderedConsumer(cctx, f.stream, cfg)
	if err != nil {
		return fmt.Errorf("stream: follow %s: %w", f.subject, err)
	}
	// a few messages ahead at most: they may be 1 MiB each, and a client
	// whose pending bytes overflow drops messages (a slow consumer)
	it, err := c.Messages(jetstream.PullMaxMessages(16))
	if err != nil {
		return fmt.Errorf("stream: follow %s: %w", f.subject, err)
	}
	f.it = it
	return nil
}

// next returns up to max messages: waits up to wait for the first, then
// takes what has arrived. On a failure it reopens (after logging it) and
// returns what it had.
func (f *follower) next(ctx context.Context, max int, wait time.Duration, log func(string, ...any)) ([]jetstream.Msg, error) {
	var out []jetstream.Msg
	for len(out) < max {
		d := wait
		if len(out) > 0 {
			d = time.Millisecond
		}
		nctx, cancel := context.WithTimeout(ctx, d)
		m, err := f.it.Next(jetstream.NextContext(nctx))
		cancel()
		if err == nil {
			if meta, merr := m.Metadata(); merr == nil {
				f.last = meta.Sequence.Stream
			}
			f.heard = time.Now()
			out = append(out, m)
			continue
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
			stall := f.stall
			if stall <= 0 {
				stall = followStall
			}
			if len(out) == 0 && time.Since(f.heard) > stall {
				if log != nil {
					log("stream: follow %s: nothing for %s, following again after message %d", f.subject, stall, f.last)
				}
				if oerr := f.open(ctx); oerr != nil && log != nil {
					log("%v", oerr)
				}
			}
			return out, nil
		}
		if log != nil {
			log("stream: follow %s: %v (following again after message %d)", f.subject, err, f.last)
		}
		time.Sleep(200 * time.Millisecond)
		if oerr := f.open(ctx); oerr != nil && log != nil {
			log("%v", oerr)
		}
		return out, nil
	}
	return out, nil
}

func (f *follower) stop() {
	if f.it != nil {
		f.it.Stop()
	}
}

// retry calls fn until it succeeds or ctx ends, backing off up to 2 s
// (a cluster electing a new stream leader answers with errors meanwhile).
// Each attempt has 5 s: a request to a server that just died is never
// answered.
func retry(ctx context.Context, fn func(ctx context.Context) error) error {
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject) || errors.Is(err, jetstream.ErrStreamNotFound) {
			return err // retrying cannot help
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
	// is acknowledged (tests stop a worker there, as a crash would), with
	// the task's batch, or -1-P for the reduce task of partition P.
	OnTask func(batch int)
	// OnReduce is called when the worker takes the reduce task of a
	// partition, before it reads anything (tests stop a worker there).
	OnReduce func(partition int)
	// Results counts the result messages published (a task's pairs may
	// take several).
	Results atomic.Int64
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
		err := retry(ctx, func(ctx context.Context) error {
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
	reduced := make(chan error, 1)
	go func() { reduced <- w.reduceLoop(ctx, ackWait) }()
	defer func() { <-reduced }()
	nap := time.Duration(0) // grows while there is nothing to do
	for ctx.Err() == nil {
		idle := true
		for _, c := range consumers {
			msgs, err := pull(ctx, c, 4, 0)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if w.Log != nil {
					w.Log("worker %s: fetch: %v", w.Name, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			for _, m := range msgs {
				idle = false
				if err := w.handle(ctx, m); err != nil {
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
		select {
		case <-ctx.Done():
		case <-time.After(nap):
		}
	}
	return nil
}

func (w *Worker) handle(ctx context.Context, m jetstream.Msg) error {
	var t task
	err := json.Unmarshal(m.Data(), &t)
	if err == nil {
		err = t.check()
	}
	if err != nil || len(t.Index) != len(t.Objects) || (t.Mode == modeReduce) != (t.Spec != nil) {
		// a malformed task can never succeed: terminate it, say so
		m.Term()
		return fmt.Errorf("worker %s: malformed task on %s: %v", w.Name, m.Subject(), err)
	}
	switch t.Mode {
	case modeReduce:
		return w.handleMap(ctx, m, &t)
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
		if err := w.publish(ctx, pairsPrefix+t.Run, body, t.Run+"/"+strconv.Itoa(t.Batch)+"/"+strconv.Itoa(c), "pairs of batch "+strconv.Itoa(t.Batch)); err != nil {
			return err
		}
	}
	return w.finish(ctx, m, t.Batch)
}

// publish sends one result message, retrying until the stream takes it
// (its id makes a retry count once).
func (w *Worker) publish(ctx context.Context, subject string, body []byte, id, what string) error {
	msg := &nats.Msg{Subject: subject, Data: body}
	tries := 0
	if err := retry(ctx, func(ctx context.Context) error {
		_, err := w.Bus.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(id))
		if tries++; err != nil && w.Log != nil && tries%10 == 1 {
			w.Log("worker %s: publish %s: %v (retrying)", w.Name, what, err)
		}
		return err
	}); err != nil {
		return err
	}
	w.Results.Add(1)
	return nil
}

// finish acknowledges a task whose results are published.
func (w *Worker) finish(ctx context.Context, m jetstream.Msg, batch int) error {
	if w.OnTask != nil {
		w.OnTask(batch)
		if ctx.Err() != nil {
			return ctx.Err() // stopped before the ack: the task is redelivered
		}
	}
	// The ack is confirmed by the consumer's leader. If it cannot be (the
	// leader just died), the task comes back after AckWait and is done
	// again; its results are deduplicated, so giving up here loses nothing.
	for try := range 3 {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := m.DoubleAck(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if w.Log != nil {
			w.Log("worker %s: ack of task %d (try %d): %v", w.Name, batch, try+1, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}
