package sqlstore

import (
	"bytes"
	"compress/flate"
)

// compressor compresses an import's blocks of raw records on a goroutine
// of its own, so that DEFLATE (about a tenth of an import's CPU) runs
// beside the store's inserts, on the other core, instead of before them.
// The import hands it a full block (send) and inserts the blocks it gets
// back (done), in any order: a block's row is keyed by its first record's
// id. At most inflight blocks are out at a time, which bounds its memory.
type compressor struct {
	in, out chan *blockJob
	free    []*blockJob // jobs back from insertion, their buffers kept
	sent    int         // jobs sent and not yet received
}

// blockJob is one block: its ids and file, its encoding, and its stored
// form once compressed (or the error compressing it).
type blockJob struct {
	first, last, file int64
	n                 int
	buf, sums         []byte // the records' fields and SHA-256s (blockWriter)
	z                 bytes.Buffer
	err               error
}

const inflight = 3

func newCompressor() *compressor {
	c := &compressor{in: make(chan *blockJob, inflight), out: make(chan *blockJob, inflight)}
	go func() {
		defer close(c.out)
		var zw *flate.Writer
		for j := range c.in {
			j.z.Reset()
			zw, j.err = compressBlock(&j.z, zw, j.n, j.sums, j.buf)
			c.out <- j
		}
	}()
	return c
}

// job returns a job to fill: one back from insertion, or a new one.
func (c *compressor) job() *blockJob {
	if n := len(c.free); n > 0 {
		j := c.free[n-1]
		c.free = c.free[:n-1]
		return j
	}
	return &blockJob{}
}

// send hands j to the goroutine. When inflight jobs are out already, it
// first waits for one and returns it (the caller inserts it and gives it
// back with release).
func (c *compressor) send(j *blockJob) *blockJob {
	var back *blockJob
	if c.sent == inflight {
		back = <-c.out
		c.sent--
	}
	c.in <- j
	c.sent++
	return back
}

// receive waits for a job sent and not yet received; nil when none is out.
func (c *compressor) receive() *blockJob {
	if c.sent == 0 {
		return nil
	}
	c.sent--
	return <-c.out
}

// release keeps j for a later block.
func (c *compressor) release(j *blockJob) {
	j.buf, j.sums = j.buf[:0], j.sums[:0]
	j.err = nil
	c.free = append(c.free, j)
}

// stop ends the goroutine once the jobs out are done (an import that
// fails drops them: its transaction rolls back).
func (c *compressor) stop() {
	close(c.in)
	for range c.out {
	}
}
