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
	slabs        alloc         // the posts of recs
	rows         []leanRow     // a lean parse's records, in short (see leanRow)
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
// from one reader; so does a cancellation. At most 2*workers+4 chunks are
// in memory (2*workers+2 queued, one filling, one emitting).
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
			return &chunk{data: make([]byte, 0, chunkSize)}
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
	emitted := order
	if rp.ahead != nil && rp.lean {
		// the accounts ahead: each chunk, once read, in the input's
		// order, gives its records' accounts to rp.ahead before the
		// calling goroutine emits it
		ready := make(chan *chunk, inFlight)
		emitted = ready
		wg.Go(func() {
			defer close(ready)
			for c := range order {
				if c.err == nil && c.claimed.CompareAndSwap(false, true) {
					rp.read(r, c)
					close(c.done)
				} else {
					<-c.done
				}
				if c.err == nil {
					for i := range c.rows {
						if lr := &c.rows[i]; lr.reject == "" {
							rp.ahead.Account(lr.line, lr.uids[lr.n:])
						}
					}
					rp.ahead.Flush()
				}
				select {
				case ready <- c:
				case <-quit:
					return
				}
			}
		})
	}
	n := 0
	var one tahqiq.Parsed          // lean: every record's, made from its row
	slabs := alloc{reuse: rp.lean} // and its post
	for c := range emitted {
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
		for i := range c.rows {
			if n&1023 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			n++
			rp.expand(&one, &c.rows[i], &slabs)
			if err := emit(&one); err != nil {
				return err
			}
		}
		// emitted: the chunk's bytes and rows can be reused (its records
		// are the receiver's now)
		c.data, c.rows = c.data[:0], c.rows[:0]
		c.recs, c.slabs = nil, alloc{}
		select {
		case free <- c:
		default:
		}
	}
	return nil
}

// read turns the rows of c into its records, or for a lean parse into
// leanRows.
func (rp *rows) read(r *csvrow.Reader, c *chunk) {
	cr := r.Chunk(c.data, c.offset, c.line)
	n := len(c.data)/48 + 16 // rows of the synthetic tables: 58 bytes
	if rp.lean && c.rows == nil {
		c.rows = make([]leanRow, 0, n)
	}
	if !rp.lean {
		c.recs = make([]tahqiq.Parsed, 0, n)
	}
	for {
		row, err := cr.Next()
		if err != nil {
			if err != io.EOF { // a chunk is bytes in memory: never
				c.err = err
			}
			return
		}
		if rp.lean {
			c.rows = append(c.rows, leanRow{})
			rp.short(&c.rows[len(c.rows)-1], row)
			continue
		}
		c.recs = append(c.recs, tahqiq.Parsed{})
		rp.record(&c.recs[len(c.recs)-1], row, &c.slabs)
	}
}

// leanRow is a row of a lean parse in short: what its record and post
// are made of, checked and converted, but not yet the record, so that
// the goroutine that emits it (and the reader of the record after it)
// reads about 150 bytes a row made on another core instead of the
// record and its post (700): it makes them in memory it reuses.
type leanRow struct {
	line, offset int64
	reject       string
	raw          []byte // a reject's (rows the reader takes have none in a lean parse)
	uids         string // the post's UID, its first n bytes, and the account's
	n            int
	post, ts     string
	val          string
	sec          int64
	typ          tahqiq.ObjectType
}

// short sets *lr to row's, as record would make its record.
func (rp *rows) short(lr *leanRow, row *csvrow.Row) {
	*lr = leanRow{line: row.Line, offset: row.Offset, raw: row.Raw}
	if row.Reject != "" {
		lr.reject = row.Reject
		return
	}
	f := row.Fields
	typ, why := rp.rowType(f, row.Line)
	if why != "" {
		lr.reject = why
		return
	}
	acc, post, ts, val := f[rp.iAcc], f[rp.iPost], f[rp.iTime], f[rp.iVal]
	sec, why := checkRow(rp.names, acc, post, ts, typ, val, row.Line)
	if why != "" {
		lr.reject = why
		return
	}
	lr.uids, lr.n = joinUIDs(rp.prefix, post, acc)
	lr.post, lr.ts, lr.val, lr.sec, lr.typ = post, ts, val, sec, typ
}

// expand sets *p to the record of lr, its post from slabs: the record
// record gives a lean parse.
func (rp *rows) expand(p *tahqiq.Parsed, lr *leanRow, slabs *alloc) {
	*p = tahqiq.Parsed{Record: tahqiq.RawRecord{Format: rp.format, SourceFile: rp.name, Line: lr.line, Offset: lr.offset, Raw: lr.raw}}
	if lr.reject != "" {
		p.Reject = lr.reject
		return
	}
	setPost(p, slabs, rp.platform, lr.post, lr.ts, lr.sec, lr.typ, lr.val, lr.uids, lr.n)
	p.Record.Kind = tahqiq.RecordPost
}
