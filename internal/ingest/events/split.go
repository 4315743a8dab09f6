package events

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
)

// ParseEventsSplit is ParseEvents on workers cores: the same records, the
// same rejects, the same errors, in the same order (see split).
func ParseEventsSplit(workers int) tahqiq.ParseFunc {
	return func(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
		return parse(ctx, src, FormatEvents, false, workers, emit)
	}
}

// ParseEventsLeanSplit is ParseEventsLean on workers cores. A record and
// the slices it holds are valid until emit returns, as ParseEventsLean's.
func ParseEventsLeanSplit(workers int) tahqiq.ParseFunc {
	return func(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
		return parse(ctx, src, FormatEvents, true, workers, emit)
	}
}

// ParseCooRTweetSplit is ParseCooRTweet on workers cores (the long
// layout; the wide one is read on one).
func ParseCooRTweetSplit(workers int) tahqiq.ParseFunc {
	return func(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
		return parse(ctx, src, FormatCooRTweet, false, workers, emit)
	}
}

// chunkSize is how many bytes of the input a chunk holds (more when one
// record is longer).
var chunkSize = 64 << 10

// chunk is a run of whole records of the input and, once a worker has
// read it, their records.
type chunk struct {
	data         []byte
	offset, line int64 // of data's first byte
	recs         []tahqiq.Parsed
	slabs        alloc         // the posts of recs (grow: a lean chunk's, reused)
	err          error         // of the input, after the records before it
	claimed      atomic.Bool   // by the worker or the emitter that reads it
	done         chan struct{} // closed when a worker has read it
}

// split reads the rows after r's header on several goroutines: one reads
// the input and cuts it into chunks of whole records where the reader
// would end them (csvrow.Splitter: a newline inside quotes does not end
// a record), workers goroutines turn each chunk's rows into records
// (csvrow.Reader.Chunk: the lines, offsets and rejects of one reader),
// and the calling goroutine emits the records in the input's order,
// reading a chunk itself when no worker has taken it yet (rather than
// wait for one to be woken on a busy machine).
// An error of the input comes after every record before it, as it would
// from one reader; so does a cancellation. At most 2*workers+2 chunks are
// in memory.
func (rp *rows) split(ctx context.Context, r *csvrow.Reader, workers int, emit func(*tahqiq.Parsed) error) error {
	rest, offset, line := r.Rest()
	inFlight := 2*workers + 2
	order := make(chan *chunk, inFlight) // in the input's order, to emit
	jobs := make(chan *chunk, inFlight)  // to read
	free := make(chan *chunk, inFlight+2)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(quit)
		wg.Wait()
	}()
	get := func() *chunk {
		select {
		case c := <-free:
			c.err = nil
			return c
		default:
			return &chunk{data: make([]byte, 0, chunkSize), slabs: alloc{grow: rp.lean}}
		}
	}
	send := func(c *chunk) bool {
		c.done = make(chan struct{})
		c.claimed.Store(false)
		select {
		case order <- c:
		case <-quit:
			return false
		}
		if c.err != nil {
			close(c.done)
			return true
		}
		select {
		case jobs <- c:
			return true
		case <-quit:
			return false
		}
	}
	wg.Go(func() { // the input, cut into chunks
		defer close(order)
		defer close(jobs)
		var sp csvrow.Splitter
		c := get()
		c.offset, c.line = offset, line
		for {
			if len(c.data) == cap(c.data) { // one record longer than a chunk
				c.data = append(c.data, 0)[:len(c.data)]
			}
			n, err := rest.Read(c.data[len(c.data):cap(c.data)])
			c.data = c.data[:len(c.data)+n]
			end := sp.Scan(c.data)
			if err == io.EOF {
				end = len(c.data) // the last record, even without its line end
			} else if err != nil {
				err = fmt.Errorf("csvrow: read %s: %w", rp.name, err) // as the reader says it
			}
			if end > 0 && (len(c.data) == cap(c.data) || err != nil) {
				next := get()
				next.data = append(next.data[:0], c.data[end:]...)
				next.offset, next.line = c.offset+int64(end), c.line+int64(bytes.Count(c.data[:end], []byte{'\n'}))
				c.data = c.data[:end]
				sp.Cut(end)
				if !send(c) {
					return
				}
				c = next
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				c.err = err
				send(c)
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for {
				select {
				case c, ok := <-jobs:
					if !ok {
						return
					}
					if c.claimed.CompareAndSwap(false, true) {
						rp.read(r, c)
						close(c.done)
					}
				case <-quit:
					return
				}
			}
		})
	}
	n := 0
	for c := range order {
		if c.err == nil && c.claimed.CompareAndSwap(false, true) {
			rp.read(r, c)
		} else {
			<-c.done
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.err != nil {
			return c.err
		}
		for i := range c.recs {
			if n&1023 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			n++
			if err := emit(&c.recs[i]); err != nil {
				return err
			}
		}
		// emitted: the chunk's bytes can be reused, and a lean chunk's
		// records (the others' are the receiver's now)
		c.data, c.recs = c.data[:0], c.recs[:0]
		c.slabs.posts, c.slabs.objs = c.slabs.posts[:0], c.slabs.objs[:0]
		if !rp.lean {
			c.recs, c.slabs = nil, alloc{}
		}
		select {
		case free <- c:
		default:
		}
	}
	return nil
}

// read turns the rows of c into its records.
func (rp *rows) read(r *csvrow.Reader, c *chunk) {
	cr := r.Chunk(c.data, c.offset, c.line)
	if c.recs == nil {
		n := len(c.data)/48 + 16 // rows of the synthetic tables: 58 bytes
		c.recs = make([]tahqiq.Parsed, 0, n)
		if c.slabs.grow {
			c.slabs.posts, c.slabs.objs = make([]tahqiq.Post, 0, n), make([]tahqiq.Object, 0, n)
		}
	}
	for {
		row, err := cr.Next()
		if err != nil {
			if err != io.EOF { // a chunk is bytes in memory: never
				c.err = err
			}
			return
		}
		c.recs = append(c.recs, tahqiq.Parsed{})
		rp.record(&c.recs[len(c.recs)-1], row, &c.slabs)
	}
}
