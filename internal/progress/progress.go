// Package progress reports the advance of long-running work on a terminal
// stream: periodic counts with their rate, at most once per interval, and a
// final line. It is safe for use by several goroutines.
package progress

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Counter counts units of work and prints "label: N unit (R unit/s)" to W
// at most once per Every. A nil *Counter or one with a nil W does nothing
// but count.
type Counter struct {
	W     io.Writer
	Label string
	Unit  string
	Every time.Duration // default 1s
	Now   func() time.Time

	n     atomic.Int64
	bytes atomic.Int64
	mu    sync.Mutex
	start time.Time
	last  time.Time
}

// New returns a counter writing to w (nil for silence).
func New(w io.Writer, label, unit string) *Counter {
	return &Counter{W: w, Label: label, Unit: unit}
}

func (c *Counter) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Add counts n more units and b more bytes, printing if an interval passed.
func (c *Counter) Add(n, b int64) {
	if c == nil {
		return
	}
	c.n.Add(n)
	c.bytes.Add(b)
	if c.W == nil {
		return
	}
	// Cheap check first: only every 4096th call looks at the clock.
	if c.n.Load()&4095 != 0 && n == 1 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.start.IsZero() {
		c.start, c.last = now, now
		return
	}
	every := c.Every
	if every == 0 {
		every = time.Second
	}
	if now.Sub(c.last) < every {
		return
	}
	c.last = now
	c.print(now, false)
}

// Count returns the units counted so far.
func (c *Counter) Count() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

// Done prints the final line (if anything was ever printed or the work took
// more than one interval).
func (c *Counter) Done() {
	if c == nil || c.W == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.start.IsZero() || c.last.Equal(c.start) {
		return // finished within the first interval: stay quiet
	}
	c.print(c.now(), true)
}

func (c *Counter) print(now time.Time, final bool) {
	el := now.Sub(c.start).Seconds()
	if el <= 0 {
		el = 1e-9
	}
	n := c.n.Load()
	b := c.bytes.Load()
	end := ""
	if final {
		end = ", done"
	}
	if b > 0 {
		fmt.Fprintf(c.W, "%s: %d %s (%.0f/s), %.1f MB (%.1f MB/s)%s\n", c.Label, n, c.Unit, float64(n)/el, float64(b)/1e6, float64(b)/1e6/el, end)
		return
	}
	fmt.Fprintf(c.W, "%s: %d %s (%.0f/s)%s\n", c.Label, n, c.Unit, float64(n)/el, end)
}
