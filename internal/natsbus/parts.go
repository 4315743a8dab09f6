package natsbus

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// Partitioned outputs (coord.ReducedParts) on the bus. The run puts its
// accounts table (UIDs, names, TF-IDF norms: coord.PartSpec.WriteAccounts)
// in the parts object store (TAHQIQ_PARTS, RUN/accounts), publishes the
// objects and queues a reduce task per account-pair partition, as the
// reduce path does, with the PartSpec. A reducer merges its partition's
// partials as usual and publishes a summary of its kept edges to .out:
// pairs, edges, counts of distinct weights and a bitmap of their
// accounts; then, holding its merged partials (in memory, or spilled
// sorted to its disk when it already holds another partition's), it
// waits for the run's flagged threshold, which the run sets from every
// partition's weights (coord.Threshold) and publishes to .thr, while its
// worker takes other reduce tasks. With the threshold it writes its parts
// of edges.csv and edges_directed.csv (coord.PartWriter) from the merged
// partials straight into the object store (RUN/edges-0000R-of-0000N.csv),
// publishes their rows, bytes and SHA-256 to .parts and only then
// acknowledges its task and purges the partition's partials: a reducer
// that dies before leaves its task to another, which merges them again.
// The run fetches the parts into its directory when it writes it
// (PartsResult.Fetch), checking each SHA-256, and deletes them from the
// store. No process holds every edge: a reducer holds its partition's
// partials (within its budget), the run counts and weights.

// PartsBucket is the object store of partitioned runs' parts and
// accounts tables. Objects left by a run that died go after a day.
const PartsBucket = "TAHQIQ_PARTS"

// partsStream is the parts object store's stream.
const partsStream = "OBJ_" + PartsBucket

// partsStore returns the parts object store, made with the bus's
// replicas if it does not exist (an existing one keeps its own).
func (b *Bus) partsStore(ctx context.Context) (*objectStore, error) {
	var obs jetstream.ObjectStore
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		obs, err = b.JS.ObjectStore(ctx, PartsBucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			obs, err = b.JS.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: PartsBucket, Storage: jetstream.FileStorage,
				Replicas: max(b.Replicas, 1), TTL: 24 * time.Hour, Description: "tahqiq: parts of partitioned coordination runs"})
			if errors.Is(err, jetstream.ErrBucketExists) {
				obs, err = b.JS.ObjectStore(ctx, PartsBucket)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: the parts object store %s: %w", PartsBucket, err)
	}
	return &objectStore{ObjectStore: obs, bus: b}, nil
}

// partSummary is what a reducer of a partitioned run tells the run of its
// partition.
type partSummary struct {
	R        int                 `json:"r"`
	Pairs    int64               `json:"pairs"`
	Edges    int64               `json:"edges"`
	Weights  []coord.WeightCount `json:"weights"`
	Accounts []uint64            `json:"accounts"` // bitmap of the kept edges' accounts
}

// thresholdMsg is the run's flagged threshold, which the reducers of a
// partitioned run wait for (on .thr) before they write their parts.
type thresholdMsg struct {
	Threshold uint64 `json:"threshold"` // float64 bits
}

// ThresholdIdle is how long a reducer of a partitioned run waits for the
// run's threshold (every other partition reduced) before it gives up.
var ThresholdIdle = time.Hour

// partsDone is what a writer tells the run of the parts it wrote.
type partsDone struct {
	R       int              `json:"r"`
	Flagged int64            `json:"flagged"`
	Files   []coord.PartFile `json:"files"`
}

// ReduceParts implements coord.PartsReducer.
func (r *Reducer) ReduceParts(ctx context.Context, spec coord.ReduceSpec, objs coord.ReduceObjects, ps *coord.PartSpec) (_ *coord.PartsResult, err error) {
	run := r.Run
	if run == "" {
		var b [8]byte
		rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	ctx, unwatch := r.Bus.watchRun(ctx, run) // a worker's report that the run cannot complete ends it
	defer func() { err = runErr(ctx, run, err); unwatch() }()
	nred := r.reduces()
	ps.Partitions = nred
	js := r.Bus.JS
	obs, err := r.Bus.partsStore(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := putStreaming(ctx, obs, run+"/accounts", ps.WriteAccounts); err != nil {
		return nil, fmt.Errorf("natsbus: run %s: the accounts table: %w%s", run, err, storageHint(partsStream, err))
	}
	defer obs.Delete(context.WithoutCancel(ctx), run+"/accounts")
	out, err := follow(ctx, js, PartialsStream, partialsPrefix+run+".out")
	if err != nil {
		return nil, err
	}
	defer out.stop()
	defer r.Bus.purgeRun(run, map[string]string{PartialsStream: partialsPrefix + run + ".>"})
	batches, err := r.publishRun(ctx, run, spec, objs, nred, ps, nil)
	if err != nil {
		return nil, err
	}
	res := &coord.PartsResult{}
	var weights []coord.WeightCount
	accounts := make([]uint64, (ps.NAccounts+63)/64)
	var last time.Time
	err = gatherJSON(ctx, r, out, nred, "summary", func(data []byte) (int, error) {
		var s partSummary
		if err := json.Unmarshal(data, &s); err != nil {
			return -1, err
		}
		if s.R >= 0 && s.R < nred {
			res.Pairs += s.Pairs
			res.Edges += s.Edges
			weights = append(weights, s.Weights...)
			for i, w := range s.Accounts {
				if i < len(accounts) {
					accounts[i] |= w
				}
			}
		}
		return s.R, nil
	}, func() { r.progress(ctx, batches, &last) })
	if err != nil {
		return nil, fmt.Errorf("natsbus: run %s: %w", run, err)
	}
	if r.Progress != nil {
		r.Progress(batches, batches)
	}
	for _, w := range accounts {
		res.EdgeAccounts += int64(bits.OnesCount64(w))
	}
	if spec.Evidence {
		// every map task has written its evidence before its partials
		// (the reducers had them all); the stream keeps the reports until
		// the run ends, so they are read from the start now (a consumer
		// opened at once would sit idle through the map phase and lapse)
		ev, err := follow(ctx, js, PartialsStream, partialsPrefix+run+".ev")
		if err != nil {
			return nil, err
		}
		defer ev.stop()
		err = gatherJSON(ctx, r, ev, batches, "evidence", func(data []byte) (int, error) {
			var d evidenceDone
			if err := json.Unmarshal(data, &d); err != nil {
				return -1, err
			}
			if d.Batch >= 0 && d.Batch < batches && d.File.Partition == d.Batch && d.File.Name == evidenceName(d.Batch) {
				res.Files = append(res.Files, d.File)
			}
			return d.Batch, nil
		}, nil)
		if err != nil {
			return nil, fmt.Errorf("natsbus: run %s: %w", run, err)
		}
		res.EvidenceParts = batches
	}
	res.Threshold = coord.Threshold(ps.Params.Percentile, weights)
	weights = nil
	// every reducer waits for it, holding its merged partials
	body, _ := json.Marshal(thresholdMsg{Threshold: math.Float64bits(res.Threshold)})
	if err := r.Bus.send(ctx, partialsPrefix+run+".thr", run, run+"/thr", body, nil); err != nil {
		return nil, fmt.Errorf("natsbus: run %s: the flagged threshold: %w", run, err)
	}
	done, err := follow(ctx, js, PartialsStream, partialsPrefix+run+".parts")
	if err != nil {
		return nil, err
	}
	defer done.stop()
	err = gatherJSON(ctx, r, done, nred, "parts", func(data []byte) (int, error) {
		var d partsDone
		if err := json.Unmarshal(data, &d); err != nil {
			return -1, err
		}
		if d.R >= 0 && d.R < nred {
			res.Flagged += d.Flagged
			res.Files = append(res.Files, d.Files...)
		}
		return d.R, nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("natsbus: run %s: %w", run, err)
	}
	if ps.Params.Graph {
		if res.Graph, err = r.partsGraph(ctx, run, nred, ps, obs); err != nil {
			return nil, fmt.Errorf("natsbus: run %s: the graph step: %w", run, err)
		}
	}
	res.Fetch = func(ctx context.Context, dir string) error {
		for _, f := range res.Files {
			if err := fetchPart(ctx, obs, run, dir, f); err != nil {
				return fmt.Errorf("natsbus: run %s: %w", run, err)
			}
		}
		return nil
	}
	return res, nil
}

// progress tells r.Progress how many of the run's map tasks are done, at
// most once a second.
func (r *Reducer) progress(ctx context.Context, batches int, last *time.Time) {
	if r.Progress == nil || time.Since(*last) < time.Second {
		return
	}
	*last = time.Now()
	// a request to a stream whose leader just died is never answered: it
	// must not hold the gather
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if s, err := r.Bus.JS.Stream(sctx, ObjectsStream); err == nil {
		left := min(int(s.CachedInfo().State.Msgs), batches)
		r.Progress(batches-left, batches)
	}
}

// gatherJSON reads n JSON messages, one per partition, from f: fn parses
// one and returns its partition; a partition's message seen again (a
// task redone) is skipped, a reducer's failure ends the gather with its
// message.
func gatherJSON(ctx context.Context, r *Reducer, f *follower, n int, what string, fn func([]byte) (int, error), tick func()) error {
	seen := make([]bool, n)
	got := 0
	for got < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		if tick != nil {
			tick()
		}
		msgs, err := f.next(ctx, 16, 100*time.Millisecond, r.Log)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			data, err := r.Bus.receive(ctx, m.Data())
			if err != nil {
				return fmt.Errorf("%s of a partition: %w", what, err)
			}
			if msg, ok := strings.CutPrefix(string(data), failedMagic); ok {
				return errors.New(msg)
			}
			k, err := fn(data)
			if err != nil || k < 0 || k >= n {
				return fmt.Errorf("%s of partition %d of %d: %v", what, k, n, err)
			}
			if !seen[k] {
				seen[k] = true
				got++
			}
		}
	}
	return nil
}

// putStreaming puts what write writes as object name, streaming
// (putObject cuts it in chunks); the object's info has its size and
// SHA-256.
func putStreaming(ctx context.Context, obs *objectStore, name string, write func(io.Writer) error) (*jetstream.ObjectInfo, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	info, _, err := putObject(ctx, obs.bus, PartsBucket, name, pr, obs.bus.Log)
	pr.CloseWithError(errors.New("put ended")) // the writer, if still writing, stops
	return info, err
}

// The SHA-256 of a part is computed once, by the object store's put (its
// digest, "SHA-256=" and the sum in base64), not again by its writer; a
// get checks the bytes it reads against that digest (jetstream's
// ErrDigestMismatch at the end), so the run, which checks the digest
// against the writer's report before it reads, does not hash them again
// either. At 1M posts the parts (463 MB) were hashed four times: 1.3
// CPU-seconds of the run's 18.

// objectPut is a put into the object store under way: what is written
// to pw goes into the object; done tells how the put ended, and info is
// the object's once it has.
type objectPut struct {
	pw   *io.PipeWriter
	info *jetstream.ObjectInfo
	done chan error
}

// startPut starts the put of object name, fed through the pipe it
// returns.
func startPut(ctx context.Context, obs *objectStore, name string, log func(string, ...any)) *objectPut {
	pr, pw := io.Pipe()
	p := &objectPut{pw: pw, done: make(chan error, 1)}
	go func() {
		info, _, err := putObject(ctx, obs.bus, PartsBucket, name, pr, log)
		pr.CloseWithError(errors.New("put ended"))
		p.info = info
		p.done <- err
	}()
	return p
}

// objectSHA256 is the SHA-256 of an object of the store, in hex.
func objectSHA256(info *jetstream.ObjectInfo) (string, error) {
	sum, err := jetstream.DecodeObjectDigest(info.Digest)
	if err != nil || len(sum) != sha256.Size {
		return "", fmt.Errorf("object %s: digest %q is not a SHA-256 (%v)", info.Name, info.Digest, err)
	}
	return hex.EncodeToString(sum), nil
}

// fetchTries is how many times the run tries to fetch a part: a read of
// the object store can time out when the servers are busy (a 3M-post run
// at load 20 failed on "nats: timeout"), and a part is written once only.
var fetchTries = 5

// fetchPart writes part f of run from the store into dir, checking its
// size and SHA-256, then deletes it from the store. A failed read is
// tried again, after 1, 2, 4 and 8 s.
func fetchPart(ctx context.Context, obs jetstream.ObjectStore, run, dir string, f coord.PartFile) error {
	var err error
	for try := range fetchTries {
		if try > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second << (try - 1)):
			}
		}
		if err = fetchPartOnce(ctx, obs, run, dir, f); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return fmt.Errorf("%w (%d tries)", err, fetchTries)
}

func fetchPartOnce(ctx context.Context, obs jetstream.ObjectStore, run, dir string, f coord.PartFile) error {
	name := run + "/" + f.Name
	res, err := obs.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("part %s: %w", f.Name, err)
	}
	defer res.Close()
	info, err := res.Info()
	var sum string
	if err == nil {
		sum, err = objectSHA256(info)
	}
	if err != nil {
		return fmt.Errorf("part %s: %w", f.Name, err)
	}
	if int64(info.Size) != f.Bytes || sum != f.SHA256 {
		return fmt.Errorf("part %s: %d bytes, SHA-256 %s in the store; its writer reported %d bytes, %s", f.Name, info.Size, sum, f.Bytes, f.SHA256)
	}
	path := filepath.Join(dir, f.Name)
	o, err := os.Create(path)
	if err != nil {
		return err
	}
	// the get checks the bytes against the digest as it reaches their end
	n, err := io.Copy(o, res)
	err = errors.Join(err, o.Close())
	if err != nil {
		return fmt.Errorf("part %s: %w", f.Name, err)
	}
	if n != f.Bytes {
		return fmt.Errorf("part %s: %d bytes from the store; its writer reported %d", f.Name, n, f.Bytes)
	}
	obs.Delete(ctx, name)
	return nil
}

// reduceParts goes on with the reduce task of a partitioned run: it
// publishes the partition's summary to .out and returns later, which
// waits for the run's threshold holding the merged partials and writes
// the partition's parts from them. The merged partials are never
// published: a reducer that dies before its parts are written leaves its
// task to another, which merges the partition's partials again (they are
// purged only once the task is acknowledged, after its parts).
func (w *Worker) reduceParts(ctx context.Context, m jetstream.Msg, rt *reduceTask, mg *coord.PartialMerger) (later func() error, err error) {
	ps := rt.Parts
	if ps.Params.Weight == coord.WeightTFIDF {
		// the weights need the run's TF-IDF norms, in its accounts table
		obs, err := w.Bus.partsStore(ctx)
		if err == nil {
			ps, err = w.partSpec(ctx, obs, rt.Run, ps)
		}
		if err != nil {
			return nil, err // not acked: redone
		}
	}
	s := partSummary{R: rt.R, Accounts: make([]uint64, (ps.NAccounts+63)/64)}
	weights := map[float64]int64{} // the distinct weights' counts (CountWeights)
	var bad error
	err = mg.Each(func(p *coord.EdgePartial) error {
		if err := ctx.Err(); err != nil {
			return err // stopped: not acked, redone
		}
		if p.A < 0 || p.B <= p.A || int(p.B) >= ps.NAccounts {
			bad = fmt.Errorf("worker %s: reduce partition %d of run %s: a partial of accounts %d and %d in a run of %d", w.Name, rt.R, rt.Run, p.A, p.B, ps.NAccounts)
			return bad
		}
		s.Pairs += p.Pairs
		if wt, ok := ps.Weight(p); ok {
			weights[wt]++
			s.Edges++
			s.Accounts[p.A/64] |= 1 << (p.A % 64)
			s.Accounts[p.B/64] |= 1 << (p.B % 64)
		}
		return nil
	})
	if bad != nil {
		m.Term()
		return nil, bad
	}
	if err != nil {
		return nil, err // its disk: not acked, redone
	}
	s.Weights = coord.WeightCounts(weights)
	body, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := w.publish(ctx, partialsPrefix+rt.Run+".out", rt.Run, body, rt.Run+"/out/"+strconv.Itoa(rt.R), "summary of partition "+strconv.Itoa(rt.R)); err != nil {
		return nil, err
	}
	// within the budget: the worker holds one waiting partition's merged
	// partials in memory (beside the one it reduces and its map task's);
	// any other waits on disk, spilled sorted
	inMem := w.Mem <= 0 || w.waitingInMem.CompareAndSwap(false, true)
	if !inMem {
		if err := mg.Spill(); err != nil {
			return nil, localError{err} // its disk: not acked, redone
		}
	}
	return func() error {
		defer mg.Close()
		if inMem && w.Mem > 0 {
			defer w.waitingInMem.Store(false)
		}
		threshold, done, err := w.waitThreshold(ctx, m, rt)
		if done || err != nil {
			return err // (not acked: redone)
		}
		// one partition written at a time (every partition gets the
		// threshold at once: a worker's puts all at once overran a busy
		// server's acks); a put the store did not take is tried again
		// from the merged partials still held, then left to another
		// reducer (not acked)
		w.writing.Lock()
		defer w.writing.Unlock()
		for try := 1; ; try++ {
			err := w.writeParts(ctx, m, rt, mg, threshold)
			var pe putError
			if !errors.As(err, &pe) || ctx.Err() != nil || refused(err) {
				return w.reportRefused(rt.Run, err)
			}
			if try == writeTries {
				return fmt.Errorf("%w (%d tries; the task is retried)", err, try)
			}
			if w.Log != nil {
				w.Log("%v (try %d of %d)", err, try, writeTries)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second << (try - 1)):
			}
		}
	}, nil
}

// writeTries is how many times a reducer tries to put its parts before
// it leaves its task to another.
const writeTries = 3

// putError is a put of a part that the object store did not take (a
// chunk not acknowledged in time, its leader moving): the store's
// failure, not the partition's.
type putError struct{ error }

func (e putError) Unwrap() error { return e.error }

// waitThreshold waits for run's flagged threshold; done reports that the
// task was dropped (its run ended) and acknowledged.
func (w *Worker) waitThreshold(ctx context.Context, m jetstream.Msg, rt *reduceTask) (threshold float64, done bool, err error) {
	cons, err := follow(ctx, w.Bus.JS, PartialsStream, partialsPrefix+rt.Run+".thr")
	if err != nil {
		return 0, false, err
	}
	defer cons.stop()
	start, checked := time.Now(), time.Now()
	for {
		if ctx.Err() != nil {
			return 0, false, ctx.Err() // not acked: another reducer redoes it
		}
		if time.Since(checked) > followStall {
			// the run may have been stopped (it never sends a threshold)
			checked = time.Now()
			if w.Bus.runEnded(ctx, rt.Run) {
				m.Ack()
				if w.Log != nil {
					w.Log("worker %s: dropped partition %d of run %s, which ended while it waited for the threshold", w.Name, rt.R, rt.Run)
				}
				return 0, true, nil
			}
		}
		if time.Since(start) > ThresholdIdle {
			// a run killed before it ended (no end marker) would have its
			// task redone and waiting again for ever: give up, and tell
			// the run in case it is alive
			err := fmt.Errorf("partition %d of run %s: no threshold from the run for %s", rt.R, rt.Run, ThresholdIdle)
			if perr := w.publish(ctx, partialsPrefix+rt.Run+".parts", rt.Run, append([]byte(failedMagic), err.Error()...), rt.Run+"/parts/"+strconv.Itoa(rt.R)+"/failed", "failure"); perr != nil {
				return 0, false, perr
			}
			m.Term()
			return 0, false, fmt.Errorf("worker %s: %w", w.Name, err)
		}
		msgs, err := cons.next(ctx, 1, 100*time.Millisecond, func(f string, a ...any) {
			if w.Log != nil {
				w.Log("worker "+w.Name+": "+f, a...)
			}
		})
		if err != nil {
			return 0, false, err
		}
		for _, msg := range msgs {
			var t thresholdMsg
			if err := json.Unmarshal(msg.Data(), &t); err != nil {
				return 0, false, fmt.Errorf("partition %d of run %s: the run's threshold: %v", rt.R, rt.Run, err)
			}
			return math.Float64frombits(t.Threshold), false, nil
		}
	}
}

// accountsCache keeps the last run's accounts table a worker read (it
// may map, reduce and write several tasks of a run).
type accountsCache struct {
	mu     sync.Mutex
	run    string
	tables coord.PartSpec // Accounts, Names, Norms
}

// partSpec returns spec with run's accounts table, read from the store
// (once per run).
func (w *Worker) partSpec(ctx context.Context, obs jetstream.ObjectStore, run string, spec *coord.PartSpec) (*coord.PartSpec, error) {
	w.accounts.mu.Lock()
	defer w.accounts.mu.Unlock()
	if w.accounts.run != run || len(w.accounts.tables.Accounts) != spec.NAccounts {
		res, err := obs.Get(ctx, run+"/accounts")
		if err != nil {
			return nil, fmt.Errorf("the accounts table of run %s: %w", run, err)
		}
		defer res.Close()
		t := coord.PartSpec{NAccounts: spec.NAccounts}
		if err := t.ReadAccounts(res); err != nil {
			return nil, fmt.Errorf("the accounts table of run %s: %w", run, err)
		}
		w.accounts.run, w.accounts.tables = run, t
	}
	out := *spec
	out.Accounts, out.Names, out.Norms = w.accounts.tables.Accounts, w.accounts.tables.Names, w.accounts.tables.Norms
	return &out, nil
}

// evidenceDone is what a mapper tells the run of the evidence part it
// wrote.
type evidenceDone struct {
	Batch int            `json:"batch"`
	File  coord.PartFile `json:"file"`
}

// evidenceName is the name of map task b's part of evidence.csv.gz.
func evidenceName(b int) string { return fmt.Sprintf("evidence-%06d.csv.gz", b) }

// writeEvidence writes map task t's part of evidence.csv.gz into the
// parts store and tells the run.
func (w *Worker) writeEvidence(ctx context.Context, t *task) error {
	obs, err := w.Bus.partsStore(ctx)
	if err != nil {
		return err
	}
	ps, err := w.partSpec(ctx, obs, t.Run, &coord.PartSpec{NAccounts: t.Spec.Accounts})
	if err != nil {
		return err
	}
	name := evidenceName(t.Batch)
	var rows int64
	info, err := putStreaming(ctx, obs, t.Run+"/"+name, func(wr io.Writer) error {
		var err error
		rows, err = coord.EvidencePart(*t.Spec, ps.Accounts, ps.Names, t.RObjects, wr)
		return err
	})
	var sum string
	if err == nil {
		sum, err = objectSHA256(info)
	}
	if err != nil {
		return w.reportRefused(t.Run, fmt.Errorf("worker %s: evidence of task %d of run %s: %w%s", w.Name, t.Batch, t.Run, err, storageHint(partsStream, err)))
	}
	body, err := json.Marshal(evidenceDone{Batch: t.Batch, File: coord.PartFile{Name: name, Of: "evidence.csv.gz", Partition: t.Batch,
		Rows: rows, Bytes: int64(info.Size), SHA256: sum}})
	if err != nil {
		return err
	}
	return w.publish(ctx, partialsPrefix+t.Run+".ev", t.Run, body, t.Run+"/ev/"+strconv.Itoa(t.Batch), "evidence of task "+strconv.Itoa(t.Batch))
}

// writeParts writes partition R's parts of a partitioned run from its
// merged partials (mg) with the run's threshold, into the object store,
// tells the run, and acknowledges the reduce task. A putError leaves the
// task unacknowledged.
func (w *Worker) writeParts(ctx context.Context, m jetstream.Msg, rt *reduceTask, mg *coord.PartialMerger, threshold float64) error {
	fail := func(err error) error {
		err = fmt.Errorf("write partition %d of run %s: %w", rt.R, rt.Run, err)
		if perr := w.publish(ctx, partialsPrefix+rt.Run+".parts", rt.Run, append([]byte(failedMagic), err.Error()...), rt.Run+"/parts/"+strconv.Itoa(rt.R)+"/failed", "failure"); perr != nil {
			return perr
		}
		m.Term()
		return fmt.Errorf("worker %s: %w", w.Name, err)
	}
	obs, err := w.Bus.partsStore(ctx)
	if err != nil {
		return err // not acked: retried, here or elsewhere
	}
	ps, err := w.partSpec(ctx, obs, rt.Run, rt.Parts)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fail(err)
	}
	files := []string{"edges.csv"}
	if ps.Directed() {
		files = append(files, "edges_directed.csv")
	}
	putFailed := false
	var sinks []*objectPut
	var writers [2]io.Writer
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i, f := range files {
		s := startPut(wctx, obs, rt.Run+"/"+coord.PartName(f, rt.R, rt.Reduces), w.Log)
		sinks = append(sinks, s)
		writers[i] = &putWriter{w: s.pw, failed: &putFailed}
	}
	var graph *graphPart // with the graph on, the partition's edges for the graph step (partcomm.go)
	if ps.Params.Graph {
		s := startPut(wctx, obs, graphPartName(rt.Run, rt.R), w.Log)
		sinks = append(sinks, s)
		graph = newGraphPart(ps, threshold, &putWriter{w: s.pw, failed: &putFailed})
	}
	// closeAll ends the puts (with err: abandoned) and returns their
	// errors
	closeAll := func(err error) error {
		for i := range sinks {
			sinks[i].pw.CloseWithError(err)
		}
		var perr error
		for i := range sinks {
			perr = errors.Join(perr, <-sinks[i].done)
		}
		return perr
	}
	// failed ends the task on err: a put that failed (the store did not
	// take a chunk in time, its leader moved) is retried, the task left
	// unacknowledged; anything else cannot succeed
	failed := func(err error) error {
		perr := closeAll(err)
		if putFailed {
			return putError{fmt.Errorf("worker %s: write partition %d of run %s: the object store: %w%s", w.Name, rt.R, rt.Run, perr, storageHint(partsStream, perr))}
		}
		return fail(err)
	}
	pwr, err := ps.NewPartWriter(threshold, writers[0], writers[1])
	if err != nil {
		closeAll(err)
		return fail(err)
	}
	// the partition's merged partials, in account-pair order
	var addErr error
	if err := mg.Each(func(p *coord.EdgePartial) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := pwr.Add(p); err != nil {
			addErr = err
			return err
		}
		if err := graph.add(p); err != nil {
			addErr = err
			return err
		}
		return nil
	}); err != nil {
		if addErr != nil {
			return failed(addErr)
		}
		closeAll(err)
		if ctx.Err() != nil {
			return ctx.Err() // not acked: another reducer redoes it
		}
		return fmt.Errorf("worker %s: write partition %d of run %s: %w", w.Name, rt.R, rt.Run, err) // its disk: not acked, redone
	}
	if err := errors.Join(pwr.Close(), graph.flush()); err != nil {
		return failed(err)
	}
	if err := closeAll(nil); err != nil {
		return putError{fmt.Errorf("worker %s: write partition %d of run %s: the object store: %w%s", w.Name, rt.R, rt.Run, err, storageHint(partsStream, err))}
	}
	// the parts are in the store: the merged partials (and any runs of
	// them on disk) go before the run hears of it and ends
	mg.Close()
	d := partsDone{R: rt.R, Flagged: pwr.Flagged}
	rows := []int64{pwr.Rows, pwr.DirectedRows}
	for i, f := range files {
		sum, err := objectSHA256(sinks[i].info)
		if err != nil {
			return fail(err)
		}
		d.Files = append(d.Files, coord.PartFile{Name: coord.PartName(f, rt.R, rt.Reduces), Of: f, Partition: rt.R,
			Rows: rows[i], Bytes: int64(sinks[i].info.Size), SHA256: sum})
	}
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if err := w.publish(ctx, partialsPrefix+rt.Run+".parts", rt.Run, body, rt.Run+"/parts/"+strconv.Itoa(rt.R), "parts of partition "+strconv.Itoa(rt.R)); err != nil {
		return err
	}
	// the partition's partials are in its parts
	return w.finishPurge(ctx, m, -1-rt.R, partialsPrefix+rt.Run+"."+strconv.Itoa(rt.R))
}

// putWriter is a writer into an object store's put: it notes that a
// write failed (the put ended), which is the store's failure, not the
// task's.
type putWriter struct {
	w      io.Writer
	failed *bool
}

func (p *putWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil {
		*p.failed = true
	}
	return n, err
}
