// Package progress shows how far a command's long work is, on a terminal:
// one line on stderr with the work's phase, its counts and rate and, where
// the total is known, the share done and an estimate of the time left,
// redrawn at most every Meter.Every and cleared when the work ends.
//
// The packages that do the work (ingest, coord, audit, ...) report to the
// Meter their context carries (Start, FromContext); the command line
// decides once, in internal/cli, whether there is one: only on a terminal,
// and not with --quiet. Without one, Start returns a nil *Phase, whose
// methods do nothing: the work pays one nil check per report. With one, a
// report is an atomic addition; the drawing is a separate goroutine's, so
// no report ever reads the clock or writes.
//
// Progress is for people watching a terminal: nothing of it goes to stdout,
// into a file or into a pipe, and a command prints no summary because of it.
package progress

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// A Meter draws the line of one command's progress on W, a terminal. Its
// fields are set before its first use; New sets the defaults. A nil *Meter
// shows nothing.
type Meter struct {
	W     io.Writer
	Label string           // the command, e.g. "coord"
	Every time.Duration    // at most one redraw per interval; default 200 ms; negative: only Draw draws
	Width int              // columns of the terminal (default 80); lines are cut to Width-1
	Now   func() time.Time // the clock; default time.Now
	Eager bool             // also draw each phase as it starts (tests: every phase shows)

	mu      sync.Mutex
	start   time.Time
	phase   *Phase
	drawn   int  // columns of the line now shown; 0: none
	closed  bool // no more drawing
	ticking bool
	stop    chan struct{}
	stopped chan struct{}
}

// New returns a meter drawing on w for the command label, or nil when w is
// nil.
func New(w io.Writer, label string) *Meter {
	if w == nil {
		return nil
	}
	return &Meter{W: w, Label: label}
}

func (m *Meter) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// A Phase is one stretch of a command's work: reading the input, sorting
// the shares, pairing, writing a file. Its counts may be added to from
// several goroutines.
type Phase struct {
	m         *Meter
	name      string
	unit      string // "bytes" is shown in MB
	start     time.Time
	n         atomic.Int64
	total     atomic.Int64
	items     atomic.Int64
	itemsUnit string // what Items counts beside the units (e.g. records, of bytes read)
}

// Phase starts a phase of the work named name, counting unit (e.g.
// "shares", "bytes"; empty: no count) of total (0: not known), and makes it
// the one the line shows. It returns nil for a nil Meter.
func (m *Meter) Phase(name, unit string, total int64) *Phase {
	if m == nil {
		return nil
	}
	p := &Phase{m: m, name: name, unit: unit}
	p.total.Store(total)
	m.mu.Lock()
	defer m.mu.Unlock()
	p.start = m.now()
	if m.closed {
		return p
	}
	if m.start.IsZero() {
		m.start = p.start
	}
	m.phase = p
	if m.Eager {
		m.draw()
	}
	if !m.ticking && m.Every >= 0 {
		m.ticking = true
		m.stop, m.stopped = make(chan struct{}), make(chan struct{})
		go m.tick(m.every())
	}
	return p
}

func (m *Meter) every() time.Duration {
	if m.Every == 0 {
		return 200 * time.Millisecond
	}
	return m.Every
}

func (m *Meter) tick(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	defer close(m.stopped)
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.Draw()
		}
	}
}

// Add counts n more units done.
func (p *Phase) Add(n int64) {
	if p != nil {
		p.n.Add(n)
	}
}

// Items makes the phase also count items of unit (AddItems) beside its
// units: records of a file read by the byte. It returns p.
func (p *Phase) Items(unit string) *Phase {
	if p != nil {
		m := p.m
		m.mu.Lock()
		p.itemsUnit = unit
		if m.Eager && m.phase == p {
			m.draw()
		}
		m.mu.Unlock()
	}
	return p
}

// AddItems counts n more items (see Items).
func (p *Phase) AddItems(n int64) {
	if p != nil {
		p.items.Add(n)
	}
}

// SetItems sets the items counted (see Items).
func (p *Phase) SetItems(n int64) {
	if p != nil {
		p.items.Store(n)
	}
}

// AddTotal adds n units to the phase's total (a file found to be larger,
// standard input once spooled).
func (p *Phase) AddTotal(n int64) {
	if p != nil {
		p.total.Add(n)
	}
}

// Set sets the units done.
func (p *Phase) Set(n int64) {
	if p != nil {
		p.n.Store(n)
	}
}

// SetTotal sets the units of the whole phase (0: not known).
func (p *Phase) SetTotal(n int64) {
	if p != nil {
		p.total.Store(n)
	}
}

// Count returns the units done so far.
func (p *Phase) Count() int64 {
	if p == nil {
		return 0
	}
	return p.n.Load()
}

// Done ends the phase: the line stops showing it (until the next phase).
func (p *Phase) Done() {
	if p == nil {
		return
	}
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.phase == p {
		m.phase = nil
		m.clear()
	}
}

// Draw redraws the line now (the meter's goroutine calls it every
// interval).
func (m *Meter) Draw() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.draw()
}

// draw draws the line of the current phase (m.mu held).
func (m *Meter) draw() {
	if m.closed || m.phase == nil {
		return
	}
	width := m.Width
	if width <= 0 {
		width = 80
	}
	line := m.line(m.phase, m.now(), width-1) // the last column would wrap on some terminals
	n := utf8.RuneCountInString(line)
	pad := ""
	if m.drawn > n {
		pad = strings.Repeat(" ", m.drawn-n)
	}
	fmt.Fprintf(m.W, "\r%s%s\r", line, pad)
	m.drawn = n
	// the cursor is left at the start of the line: anything written
	// through Write next overwrites it after clearing
}

// clear blanks the line drawn, if any (m.mu held).
func (m *Meter) clear() {
	if m.drawn > 0 {
		fmt.Fprintf(m.W, "\r%s\r", strings.Repeat(" ", m.drawn))
		m.drawn = 0
	}
}

// Writer returns a writer to w that clears the line before each write, so
// that messages (warnings, rejects, logs) and results can go to the
// terminal the line is on; the next interval draws the line again, below
// them. For a nil Meter it returns w.
func (m *Meter) Writer(w io.Writer) io.Writer {
	if m == nil {
		return w
	}
	return clearing{m, w}
}

type clearing struct {
	m *Meter
	w io.Writer
}

func (c clearing) Write(p []byte) (int, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.m.clear()
	return c.w.Write(p)
}

// Close stops drawing and clears the line. The meter shows nothing
// afterwards.
func (m *Meter) Close() {
	if m == nil {
		return
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	m.clear()
	ticking := m.ticking
	m.mu.Unlock()
	if ticking {
		close(m.stop)
		<-m.stopped
	}
}

// line is the text of the line for phase p at time now, at most width
// runes, e.g.
//
//	coord 0:21  pairs: 412,311/1,203,555 objects 34%  98,120/s  0:08 left
//
// Where it does not fit, the rate goes first, then the items counted
// beside the units; then the line is cut.
func (m *Meter) line(p *Phase, now time.Time, width int) string {
	head := m.Label + " " + clock(now.Sub(m.start)) + "  " + p.name
	n, total := p.n.Load(), p.total.Load()
	el := now.Sub(p.start)
	if p.unit == "" {
		if el >= time.Second {
			head += " " + clock(el)
		}
		return cut(head, width)
	}
	count := ": " + amount(n, p.unit)
	if total > 0 {
		count += "/" + amount(total, p.unit)
	}
	if p.unit == "bytes" {
		count += " MB"
	} else {
		count += " " + p.unit
	}
	if total > 0 {
		count += fmt.Sprintf(" %d%%", min(100, n*100/total))
	}
	var items, rate, left string
	if p.itemsUnit != "" {
		items = ", " + group(p.items.Load()) + " " + p.itemsUnit
	}
	if el >= time.Second && n > 0 {
		r := float64(n) / el.Seconds()
		if p.unit == "bytes" {
			rate = fmt.Sprintf("  %.1f MB/s", r/1e6)
		} else {
			rate = "  " + group(int64(r)) + "/s"
		}
		if total > n {
			left = "  " + clock(time.Duration(float64(total-n)/r*float64(time.Second))) + " left"
		}
	}
	for _, l := range []string{head + count + items + rate + left, head + count + items + left, head + count + left} {
		if utf8.RuneCountInString(l) <= width {
			return l
		}
	}
	return cut(head+count+left, width)
}

// amount is n units as shown: bytes in MB, counts with thousands grouped.
func amount(n int64, unit string) string {
	if unit == "bytes" {
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64)
	}
	return group(n)
}

// group writes n with a comma between thousands: 1,203,555.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// clock is d as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// cut returns s cut to at most n runes.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

type ctxKey struct{}

// NewContext returns ctx carrying m: the work done with it reports to m.
func NewContext(ctx context.Context, m *Meter) context.Context {
	if m == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, m)
}

// FromContext returns the meter ctx carries, or nil.
func FromContext(ctx context.Context) *Meter {
	m, _ := ctx.Value(ctxKey{}).(*Meter)
	return m
}

// Start starts a phase on the meter ctx carries (see Meter.Phase); nil
// when it carries none.
func Start(ctx context.Context, name, unit string, total int64) *Phase {
	return FromContext(ctx).Phase(name, unit, total)
}
