package natsbus

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// A map task whose partials for one reduce partition alone outgrow the
// mapper's share of its budget (a hashtag everyone used, at 10M posts
// millions of account pairs) used to be folded whole, whatever the
// budget: a worker under --mem 1GB held 650 MB of one task's partials
// and peaked at 1.3-1.7 GB. Such a partition is folded in sub-passes, an
// account pair's by a hash of its key, each within the share; the
// encoded partials wait in a temporary file until every sub-pass is done,
// so that they go out as the one set of chunks per task and partition
// the reducer counts (the chunks' number is in each header).

// maxSubPasses bounds the sub-passes of one partition: past it, the
// last try folds each sub-pass whole (an account pair is one partial:
// they cannot outgrow the budget for ever).
const maxSubPasses = 1 << 12

// subPass is the sub-pass of the account pair of key among sub, for a
// run of reduces partitions: a hash of the key's quotient, so that the
// pairs of a partition spread evenly.
func subPass(key uint64, reduces, sub int) int {
	x := key / uint64(reduces)
	x ^= x >> 31
	x *= 0x9e3779b97f4a7c15
	x ^= x >> 29
	return int(x % uint64(sub))
}

// foldError is a task's fold that failed (a malformed task): the task
// is ended, not redone.
type foldError struct{ error }

func (e foldError) Unwrap() error { return e.error }

// foldFine folds reduce partition k of task t in sub-passes of at most
// limit partials each and publishes the partition's partials to subject
// with ids prefix/chunk, as publishPartials does for a partition folded
// at once. It returns the number of sub-passes.
func (w *Worker) foldFine(ctx context.Context, t *task, k, limit int, subject, prefix string) (int, error) {
	for sub := 2; ; sub *= 2 {
		most := limit
		if sub >= maxSubPasses {
			most = 0
		}
		ok, err := w.foldSubPasses(ctx, t, k, sub, most, subject, prefix)
		if err != nil || ok {
			return sub, err
		}
	}
}

// foldSubPasses is one try of foldFine with sub sub-passes: false when a
// sub-pass did not fit (nothing is published then).
func (w *Worker) foldSubPasses(ctx context.Context, t *task, k, sub, limit int, subject, prefix string) (bool, error) {
	f, err := os.CreateTemp(w.TempDir, "tahqiq-map-*.chunks")
	if err != nil {
		return false, localError{fmt.Errorf("worker %s: task %d of run %s: the partials of reduce partition %d over the memory budget (--mem): %w", w.Name, t.Batch, t.Run, k, err)}
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	maxBytes := batchBytes(w.Bus.JS.Conn())
	// each chunk in the file: its records' count and length (uvarints),
	// then the records (EdgePartial.AppendBinary)
	var cur, h []byte
	n, chunks := 0, 0
	flush := func() {
		h = binary.AppendUvarint(h[:0], uint64(n))
		h = binary.AppendUvarint(h, uint64(len(cur)))
		bw.Write(h)
		bw.Write(cur)
		cur, n = cur[:0], 0
		chunks++
	}
	for j := range sub {
		keep := func(key uint64) bool {
			return int(key%uint64(t.Reduces)) == k && subPass(key, t.Reduces, sub) == j
		}
		ps, fits, err := partialsOrStop(ctx, *t.Spec, t.RObjects, keep, limit)
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil {
			return false, foldError{err}
		}
		if !fits {
			return false, nil
		}
		for _, block := range ps {
			for i := range block {
				if n > 0 && len(cur) > maxBytes {
					flush()
				}
				cur, _ = block[i].AppendBinary(cur)
				n++
			}
		}
	}
	if n > 0 || chunks == 0 {
		flush() // at least one message, empty when the partition has no partial
	}
	if err := bw.Flush(); err != nil {
		return false, localError{err}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, localError{err}
	}
	br := bufio.NewReaderSize(f, 1<<16)
	for c := range chunks {
		count, err1 := binary.ReadUvarint(br)
		size, err2 := binary.ReadUvarint(br)
		if err1 != nil || err2 != nil || size > 1<<32 {
			return false, localError{fmt.Errorf("worker %s: task %d of run %s: reading back its partials from %s: chunk %d damaged", w.Name, t.Batch, t.Run, f.Name(), c)}
		}
		body := slices.Clone(partialsMagic)
		body = binary.AppendUvarint(body, uint64(t.Batch))
		body = binary.AppendUvarint(body, uint64(c))
		body = binary.AppendUvarint(body, uint64(chunks))
		body = binary.AppendUvarint(body, count)
		at := len(body)
		body = append(body, make([]byte, size)...)
		if _, err := io.ReadFull(br, body[at:]); err != nil {
			return false, localError{fmt.Errorf("worker %s: task %d of run %s: reading back its partials from %s: %w", w.Name, t.Batch, t.Run, f.Name(), err)}
		}
		if err := w.publish(ctx, subject, t.Run, body, prefix+"/"+strconv.Itoa(c), "partials of "+prefix); err != nil {
			return false, err
		}
	}
	return true, nil
}
