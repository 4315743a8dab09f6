package natsbus

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// A map task whose partials outgrow the mapper's share of its budget (a
// hashtag everyone used: at 10M posts millions of account pairs) is
// folded in sub-passes, each keeping a slice of the task's account pairs
// (by a hash of the key, across every reduce partition) within the
// share. The first sweep of the task, the one that finds it does not
// fit, goes on to its end folding the account pairs it holds already
// and counting the others (a sketch, not a set: 4 KiB); what it folded
// is the first sub-pass, and the others are as many as the account
// pairs left need: the task is swept about (its partials / the share)
// times, and each account pair folded once. (It used
// to be folded in passes of whole reduce partitions, 1, 2, 4... of them
// tried from the start each time, then each partition that still did
// not fit in 2, 4... sub-passes of its own, every sub-pass sweeping the
// whole task again: at 10M posts a task was swept dozens of times, and
// the workers spent 45 % more CPU.) The encoded partials wait in a
// temporary file until the last sub-pass, so that each partition's go
// out as the one set of chunks per task and partition the reducer counts
// (the chunks' number is in each header).

// maxSubPasses bounds the slicing: a slice that still does not fit once
// the task is cut in this many is folded whole (an account pair is one
// partial: they cannot outgrow the budget for ever).
const maxSubPasses = 1 << 12

// subPassMargin is the room the sub-passes leave for the sketch's error
// (about 1.6 %) and the slices' unevenness: each is planned to hold the
// share / subPassMargin. A slice over the share is cut in two. (A
// variable for the tests: a margin below 1 plans slices that do not fit.)
var subPassMargin = 1.15

// mix is a 64-bit finalizer (SplitMix64's): the account pairs' keys are
// far from random (A in the high half), their hashes must be.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// keySketch estimates how many distinct account pairs a sweep hands it
// (HyperLogLog, 2^12 registers: a standard error of about 1.6 %).
type keySketch [1 << 12]uint8

func (s *keySketch) add(key uint64) {
	h := mix(key ^ 0x6a09e667f3bcc909)
	r := uint8(bits.LeadingZeros64(h<<12|1<<11)) + 1
	if i := h >> 52; r > s[i] {
		s[i] = r
	}
}

// estimate is the number of distinct keys added, about.
func (s *keySketch) estimate() float64 {
	const m = float64(len(s))
	sum, zeros := 0.0, 0
	for _, r := range s {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // few keys: linear counting
	}
	return e
}

// subPasses is the number of sub-passes for about est partials, limit at
// a time: at least 1.
func subPasses(est float64, limit int) int {
	n := int(math.Ceil(est * subPassMargin / float64(limit)))
	return min(max(n, 1), maxSubPasses)
}

// heldKeyCost is what a mapper's set of the account pairs its first sweep
// folded costs it a key, in the sub-passes after it (a Go map of uint64:
// about 16 bytes a key at its load, a tenth of PartialsCost), taken off
// their share.
const heldKeyCost = 32

// A slice of a task's account pairs: those whose key's hash is rem
// modulo mod. Slice (m, r) is the union of (2m, r) and (2m, r+m).
type slice struct{ mod, rem uint64 }

func (s slice) has(key uint64) bool { return mix(key)%s.mod == s.rem }

// foldError is a task's fold that failed (a malformed task): the task
// is ended, not redone.
type foldError struct{ error }

func (e foldError) Unwrap() error { return e.error }

// foldSweep, when set (tests), hears of every sweep of a map task's
// objects by its fold.
var foldSweep func()

// foldStats says how a map task was folded: sub-passes (0: at once),
// the sweeps of its objects, and the account pairs the first sweep
// counted (about; when it did not fit).
type foldStats struct {
	subPasses, sweeps int
	estimate          float64
}

// foldTask folds map task t into partials, at most limit at a time (0:
// no limit), and publishes them by reduce partition.
func (w *Worker) foldTask(ctx context.Context, t *task, limit int) (foldStats, error) {
	var sketch keySketch
	ps, fits, err := partialsOrStop(ctx, *t.Spec, t.RObjects, nil, limit, sketch.add)
	st := foldStats{sweeps: 1}
	if ctx.Err() != nil {
		return st, ctx.Err() // not acked: redone, here or elsewhere
	}
	if err != nil {
		return st, foldError{err}
	}
	if fits {
		byPart := make([][]*coord.EdgePartial, t.Reduces)
		for _, block := range ps {
			for i := range block {
				k := int(block[i].Key() % uint64(t.Reduces))
				byPart[k] = append(byPart[k], &block[i])
			}
		}
		for k, part := range byPart {
			subject := partialsPrefix + t.Run + "." + strconv.Itoa(k)
			if err := w.publishPartials(ctx, subject, t.Run, t.Run+"/m/"+strconv.Itoa(t.Batch)+"/"+strconv.Itoa(k), t.Batch, part); err != nil {
				return st, err
			}
		}
		return st, nil
	}
	return st, w.foldSubPasses(ctx, t, limit, ps, sketch.estimate(), &st)
}

// chunkRef is where a chunk of encoded partials waits in the temporary
// file: its offset and length, and the partials in it.
type chunkRef struct {
	off   int64
	size  int
	count int
}

// foldSubPasses folds task t in sub-passes: first holds the partials of
// the account pairs its first sweep folded (each whole), est about how
// many others there are; those are folded in slices of about limit
// partials, a slice over the limit cut in two. Each reduce partition's
// partials are published once every slice is folded.
func (w *Worker) foldSubPasses(ctx context.Context, t *task, limit int, first [][]coord.EdgePartial, est float64, st *foldStats) error {
	f, err := os.CreateTemp(w.TempDir, "tahqiq-map-*.chunks")
	if err != nil {
		return localError{fmt.Errorf("worker %s: task %d of run %s: its partials over the memory budget (--mem): %w", w.Name, t.Batch, t.Run, err)}
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	maxBytes := batchBytes(w.Bus.JS.Conn())
	refs := make([][]chunkRef, t.Reduces) // by reduce partition
	var off int64
	var cur []byte
	write := func(k, n int) {
		bw.Write(cur)
		refs[k] = append(refs[k], chunkRef{off: off, size: len(cur), count: n})
		off += int64(len(cur))
		cur = cur[:0]
	}
	byPart := make([][]*coord.EdgePartial, t.Reduces)
	put := func(ps [][]coord.EdgePartial) {
		for _, block := range ps {
			for i := range block {
				k := int(block[i].Key() % uint64(t.Reduces))
				byPart[k] = append(byPart[k], &block[i])
			}
		}
		for k, part := range byPart {
			n := 0
			for _, p := range part {
				if n > 0 && len(cur) > maxBytes {
					write(k, n)
					n = 0
				}
				cur, _ = p.AppendBinary(cur)
				n++
			}
			if n > 0 {
				write(k, n)
			}
		}
		clear(byPart) // the partials go with ps
	}
	// the first sweep's partials, kept: the sub-passes leave their
	// account pairs out
	held := make(map[uint64]struct{}, limit)
	for _, block := range first {
		for i := range block {
			held[block[i].Key()] = struct{}{}
		}
	}
	put(first)
	first = nil
	st.subPasses, st.estimate = 1, est+float64(len(held))
	limit = max(limit-len(held)*heldKeyCost/coord.PartialsCost, 1<<10)
	n := subPasses(est, limit)
	todo := make([]slice, n)
	for i := range todo {
		todo[i] = slice{uint64(n), uint64(i)}
	}
	for len(todo) > 0 {
		s := todo[0]
		todo = todo[1:]
		most := limit
		if s.mod >= maxSubPasses {
			most = 0
		}
		keep := func(key uint64) bool {
			if !s.has(key) {
				return false
			}
			_, ok := held[key]
			return !ok
		}
		ps, fits, err := partialsOrStop(ctx, *t.Spec, t.RObjects, keep, most, nil)
		st.sweeps++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return foldError{err}
		}
		if !fits {
			// the sketch's error, or an uneven slice: cut in two
			todo = append([]slice{{2 * s.mod, s.rem}, {2 * s.mod, s.rem + s.mod}}, todo...)
			continue
		}
		st.subPasses++
		put(ps)
	}
	if err := bw.Flush(); err != nil {
		return localError{fmt.Errorf("worker %s: task %d of run %s: writing its partials to %s: %w", w.Name, t.Batch, t.Run, f.Name(), err)}
	}
	for k, chunks := range refs {
		if len(chunks) == 0 {
			chunks = []chunkRef{{}} // one message, empty: the partition has no partial here
		}
		subject := partialsPrefix + t.Run + "." + strconv.Itoa(k)
		prefix := t.Run + "/m/" + strconv.Itoa(t.Batch) + "/" + strconv.Itoa(k)
		for c, ref := range chunks {
			// as encodePartialPtrs makes chunk c of len(chunks)
			body := slices.Clone(partialsMagic)
			body = binary.AppendUvarint(body, uint64(t.Batch))
			body = binary.AppendUvarint(body, uint64(c))
			body = binary.AppendUvarint(body, uint64(len(chunks)))
			body = binary.AppendUvarint(body, uint64(ref.count))
			at := len(body)
			body = append(body, make([]byte, ref.size)...)
			if _, err := f.ReadAt(body[at:], ref.off); err != nil {
				return localError{fmt.Errorf("worker %s: task %d of run %s: reading back its partials from %s: %w", w.Name, t.Batch, t.Run, f.Name(), err)}
			}
			if err := w.publish(ctx, subject, t.Run, body, prefix+"/"+strconv.Itoa(c), "partials of "+prefix); err != nil {
				return err
			}
		}
	}
	return nil
}
