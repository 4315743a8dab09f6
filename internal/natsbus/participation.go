package natsbus

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/decompress"
)

// Participation rounds (coord.ParticipationReducer): min-participation's
// counts reduced by account on the workers. The run publishes its
// objects, with their rows' active flags and post counts, as map tasks
// of mode "participation" (the same work queue and the same tasks as the
// reduce path's); a mapper sweeps each object's pairs among active rows
// (coord.ParticipationHits) and publishes the posts in pairs to
// tahqiq.partials.RUN.K, K = account mod the reduce partitions; reducer K
// counts each post once per scope (coord.QualifiedAccounts) and publishes
// its qualifying accounts to tahqiq.partials.RUN.out. The run then sets
// the row flags and goes on to the reduce path. A round's RUN is the
// run's id with "p" (or "f" for the fast layer's round) after it. Failover
// as on the reduce path: a task redone publishes the same messages under
// the same ids, a reducer's chunks seen twice count once.

const modeParticipation = "participation"

var (
	hitsMagic      = []byte("TQH1") // a mapper's posts in pairs for one account partition
	qualifiedMagic = []byte("TQQ1") // a reducer's qualifying accounts
)

// Participation runs one participation round on the bus.
func (r *Reducer) Participation(ctx context.Context, spec coord.ParticipationSpec, objs coord.ReduceObjects) (_ []int64, err error) {
	run := r.Run
	if run == "" {
		var b [8]byte
		rand.Read(b[:])
		run = hex.EncodeToString(b[:])
	}
	if spec.FastWindow > 0 {
		run += "f"
	} else {
		run += "p"
	}
	ctx, unwatch := r.Bus.watchRun(ctx, run) // a worker's report that the run cannot complete ends it
	defer func() { err = runErr(ctx, run, err); unwatch() }()
	nred := r.reduces()
	out, err := follow(ctx, r.Bus.JS, PartialsStream, partialsPrefix+run+".out")
	if err != nil {
		return nil, err
	}
	defer out.stop()
	defer r.Bus.purgeRun(run, map[string]string{PartialsStream: partialsPrefix + run + ".>"})
	batches, err := r.publishRun(ctx, run, coord.ReduceSpec{}, objs, nred, nil, &spec)
	if err != nil {
		return nil, err
	}
	g := newGatherer(nred)
	var qual []int64
	var last time.Time
	for !g.complete() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.progress(ctx, batches, &last)
		msgs, err := out.next(ctx, 16, 100*time.Millisecond, r.Log)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			data, err := r.Bus.receive(ctx, m.Data())
			if err == nil {
				if msg, ok := strings.CutPrefix(string(data), failedMagic); ok {
					err = errors.New(msg)
				}
			}
			var h recordsHeader
			var body []byte
			if err == nil {
				h, body, err = decodeRecordsHeader(qualifiedMagic, data, 1)
			}
			fresh := false
			if err == nil {
				fresh, err = g.mark(h.batch, h.chunk, h.chunks)
			}
			if err == nil && fresh {
				qual, err = decodeQualified(qual, body, h.n)
			}
			if err != nil {
				return nil, fmt.Errorf("natsbus: run %s: participation counts: %w", run, err)
			}
		}
	}
	return qual, nil
}

// handleParticipation sweeps a participation task's objects and
// publishes their posts in pairs by account partition.
func (w *Worker) handleParticipation(ctx context.Context, m jetstream.Msg, t *task) error {
	if t.Reduces <= 0 {
		m.Term()
		return fmt.Errorf("worker %s: malformed participation task on %s: %d reduce partitions", w.Name, m.Subject(), t.Reduces)
	}
	hits, err := coord.ParticipationHits(*t.PSpec, t.RObjects)
	if err != nil {
		m.Term()
		return fmt.Errorf("worker %s: task %d of run %s: %v", w.Name, t.Batch, t.Run, err)
	}
	byPart := make([][]coord.PostHit, t.Reduces)
	for _, h := range hits {
		k := int(uint32(h.Acc) % uint32(t.Reduces))
		byPart[k] = append(byPart[k], h)
	}
	limit := batchBytes(w.Bus.JS.Conn())
	for k, part := range byPart {
		prefix := t.Run + "/m/" + strconv.Itoa(t.Batch) + "/" + strconv.Itoa(k)
		for c, body := range encodeRecords(hitsMagic, t.Batch, len(part), limit, func(b []byte, i int) []byte {
			h := &part[i]
			b = binary.AppendUvarint(b, uint64(uint32(h.Acc)))
			b = binary.AppendUvarint(b, uint64(uint32(h.Scope)))
			b = binary.AppendUvarint(b, uint64(uint32(h.Post)))
			return binary.AppendUvarint(b, uint64(uint32(h.Rows)))
		}) {
			if err := w.publish(ctx, partialsPrefix+t.Run+"."+strconv.Itoa(k), t.Run, body, prefix+"/"+strconv.Itoa(c), "posts in pairs of "+prefix); err != nil {
				return err
			}
		}
	}
	return w.finish(ctx, m, t.Batch)
}

// reduceParticipation counts partition rt.R's accounts' posts in pairs
// and publishes the accounts that qualify.
func (w *Worker) reduceParticipation(ctx context.Context, m jetstream.Msg, rt *reduceTask) error {
	// within the reducer's budget: beyond it the hits go to disk in
	// sorted runs (a record of 16 bytes per post of its accounts in pairs)
	hc := coord.NewHitCounter(*rt.Participation, w.reduceBudget())
	defer hc.Close()
	var hits []coord.PostHit
	g := newGatherer(rt.Batches)
	done, err := w.gatherPartition(ctx, m, rt, g, func(data []byte) error {
		h, body, err := decodeRecordsHeader(hitsMagic, data, 4)
		if err != nil {
			return err
		}
		if fresh, err := g.mark(h.batch, h.chunk, h.chunks); !fresh || err != nil {
			return err
		}
		if hits, err = decodeHits(hits[:0], body, h.n); err != nil {
			return err
		}
		for _, x := range hits {
			if err := hc.Add(x); err != nil {
				return localError{err}
			}
		}
		return nil
	})
	if done || err != nil {
		return err
	}
	qual, err := hc.Qualified()
	hc.Close() // its runs on disk go before the run hears the answer
	if err != nil {
		return fmt.Errorf("worker %s: participation partition %d of run %s: %w", w.Name, rt.R, rt.Run, err) // its disk: not acked, redone
	}
	if hc.Runs > 0 && w.Log != nil {
		w.Log("worker %s: participation partition %d of run %s: over the memory budget (--mem %s): %.1f MiB of posts in pairs spilled to disk (%d sorted runs, merged)", w.Name, rt.R, rt.Run, decompress.Bytes(w.Mem), float64(hc.Spilled)/(1<<20), hc.Runs)
	}
	for c, body := range encodeRecords(qualifiedMagic, rt.R, len(qual), batchBytes(w.Bus.JS.Conn()), func(b []byte, i int) []byte {
		return binary.AppendUvarint(b, uint64(qual[i]))
	}) {
		if err := w.publish(ctx, partialsPrefix+rt.Run+".out", rt.Run, body, rt.Run+"/out/"+strconv.Itoa(rt.R)+"/"+strconv.Itoa(c), "qualifying accounts of partition "+strconv.Itoa(rt.R)); err != nil {
			return err
		}
	}
	return w.finishPurge(ctx, m, -1-rt.R, partialsPrefix+rt.Run+"."+strconv.Itoa(rt.R))
}

// decodeHits appends the n hits of body to hits.
func decodeHits(hits []coord.PostHit, body []byte, n int) ([]coord.PostHit, error) {
	for range n {
		var x [4]uint64
		for i := range x {
			v, k := binary.Uvarint(body)
			if k <= 0 || v > math.MaxInt32 {
				return hits, errors.New("posts in pairs: a damaged record")
			}
			x[i], body = v, body[k:]
		}
		hits = append(hits, coord.PostHit{Acc: int32(x[0]), Scope: int32(x[1]), Post: int32(x[2]), Rows: int32(x[3])})
	}
	if len(body) != 0 {
		return hits, fmt.Errorf("posts in pairs: %d bytes after the last record", len(body))
	}
	return hits, nil
}

// decodeQualified appends the n accounts of body to qual.
func decodeQualified(qual []int64, body []byte, n int) ([]int64, error) {
	for range n {
		v, k := binary.Uvarint(body)
		if k <= 0 || v > math.MaxInt64 {
			return qual, errors.New("qualifying accounts: a damaged record")
		}
		body = body[k:]
		qual = append(qual, int64(v))
	}
	if len(body) != 0 {
		return qual, fmt.Errorf("qualifying accounts: %d bytes after the last record", len(body))
	}
	return qual, nil
}
