package progress_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// screen is a fake terminal: it keeps what a terminal would show on the
// line the cursor is on (a carriage return moves back to its start), and
// every byte written.
type screen struct {
	mu   sync.Mutex
	raw  bytes.Buffer
	line []rune
	col  int
	done []string // lines ended by a newline
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(p)
	for _, r := range string(p) {
		switch r {
		case '\r':
			s.col = 0
		case '\n':
			s.done = append(s.done, strings.TrimRight(string(s.line), " "))
			s.line, s.col = nil, 0
		default:
			if s.col < len(s.line) {
				s.line[s.col] = r
			} else {
				s.line = append(s.line, r)
			}
			s.col++
		}
	}
	return len(p), nil
}

// shown is the text on the current line, trailing blanks cut.
func (s *screen) shown() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimRight(string(s.line), " ")
}

func manual(w *screen, now *time.Time) *progress.Meter {
	m := progress.New(w, "coord")
	m.Every = -1 // no goroutine: the test draws
	m.Now = func() time.Time { return *now }
	return m
}

func TestLine(t *testing.T) {
	now := time.Unix(1000, 0)
	var s screen
	m := manual(&s, &now)
	p := m.Phase("pairs", "objects", 1_203_555)
	m.Draw()
	if got, want := s.shown(), "coord 0:00  pairs: 0/1,203,555 objects 0%"; got != want {
		t.Errorf("at the start: %q, want %q", got, want)
	}
	now = now.Add(4 * time.Second)
	p.Add(401_185)
	m.Draw()
	if got, want := s.shown(), "coord 0:04  pairs: 401,185/1,203,555 objects 33%  100,296/s  0:08 left"; got != want {
		t.Errorf("after 4 s: %q, want %q", got, want)
	}
	// a phase of unknown size: counts and rate, no share and no estimate
	now = now.Add(time.Second)
	q := m.Phase("read", "records", 0)
	now = now.Add(2 * time.Second)
	q.Add(90_000)
	m.Draw()
	if got, want := s.shown(), "coord 0:07  read: 90,000 records  45,000/s"; got != want {
		t.Errorf("unknown total: %q, want %q (the longer line before must be blanked)", got, want)
	}
	// bytes in MB, with the records read
	r := m.Phase("reading", "bytes", 500_000_000).Items("records")
	r.AddTotal(12_000_000)
	now = now.Add(10 * time.Second)
	r.Add(128_000_000)
	r.AddItems(1_204_332)
	m.Draw()
	if got, want := s.shown(), "coord 0:17  reading: 128.0/512.0 MB 25%, 1,204,332 records  0:30 left"; got != want {
		t.Errorf("bytes: %q, want %q (no rate: the line would not fit in 80 columns)", got, want)
	}
	m.Width = 100
	m.Draw()
	if got, want := s.shown(), "coord 0:17  reading: 128.0/512.0 MB 25%, 1,204,332 records  12.8 MB/s  0:30 left"; got != want {
		t.Errorf("bytes, 100 columns: %q, want %q", got, want)
	}
	m.Width = 0
	// a phase without a count: its name and, after a second, its time
	m.Phase("communities (louvain)", "", 0)
	now = now.Add(65 * time.Second)
	m.Draw()
	if got, want := s.shown(), "coord 1:22  communities (louvain) 1:05"; got != want {
		t.Errorf("no count: %q, want %q", got, want)
	}
	m.Close()
	if got := s.shown(); got != "" {
		t.Errorf("after Close the line shows %q, want it blank", got)
	}
	if len(s.done) != 0 {
		t.Errorf("the meter ended lines: %q", s.done)
	}
	m.Draw() // closed: nothing more
	if got := s.shown(); got != "" {
		t.Errorf("drawn after Close: %q", got)
	}
}

func TestLineCutToWidth(t *testing.T) {
	now := time.Unix(0, 0)
	var s screen
	m := manual(&s, &now)
	m.Width = 30
	m.Phase("writing evidence.csv.gz", "pairs", 3_100_000)
	m.Draw()
	if got := s.shown(); len([]rune(got)) != 29 || !strings.HasPrefix(got, "coord 0:00  writing evidence") {
		t.Errorf("line %q (%d columns), want the first 29 columns", got, len([]rune(got)))
	}
}

func TestDoneClears(t *testing.T) {
	now := time.Unix(0, 0)
	var s screen
	m := manual(&s, &now)
	p := m.Phase("sorting shares", "", 0)
	m.Draw()
	p.Done()
	if got := s.shown(); got != "" {
		t.Errorf("after Done: %q", got)
	}
	m.Draw() // no phase: nothing drawn
	if got := s.shown(); got != "" {
		t.Errorf("drawn without a phase: %q", got)
	}
}

// TestWriterClearsTheLine: a message written through the meter's writer
// is not mixed with the line; the line comes back below it.
func TestWriterClearsTheLine(t *testing.T) {
	now := time.Unix(0, 0)
	var s screen
	m := manual(&s, &now)
	m.Phase("import", "records", 0).Add(12)
	m.Draw()
	w := m.Writer(&s)
	w.Write([]byte("tahqiq: rejected a.csv:3: no account\n"))
	if len(s.done) != 1 || s.done[0] != "tahqiq: rejected a.csv:3: no account" {
		t.Fatalf("lines %q", s.done)
	}
	m.Draw()
	if got := s.shown(); !strings.HasPrefix(got, "coord 0:00  import: 12 records") {
		t.Errorf("line after the message: %q", got)
	}
	m.Close()
	if len(s.done) != 1 || s.shown() != "" {
		t.Errorf("after Close: lines %q, line %q", s.done, s.shown())
	}
}

func TestEager(t *testing.T) {
	now := time.Unix(0, 0)
	var s screen
	m := manual(&s, &now)
	m.Eager = true
	m.Phase("intern", "shares", 10)
	if got := s.shown(); got != "coord 0:00  intern: 0/10 shares 0%" {
		t.Errorf("an eager meter drew %q", got)
	}
}

// TestTicks: the meter's goroutine draws without being asked, and Close
// stops it and clears the line.
func TestTicks(t *testing.T) {
	var s screen
	m := progress.New(&s, "import")
	m.Every = time.Millisecond
	p := m.Phase("reading", "bytes", 100_000_000)
	p.Add(1_000_000)
	for !strings.Contains(s.shown(), "reading: 1.0/100.0 MB 1%") {
		time.Sleep(time.Millisecond)
	}
	m.Close()
	if got := s.shown(); got != "" {
		t.Errorf("after Close: %q", got)
	}
	n := s.raw.Len()
	time.Sleep(5 * time.Millisecond)
	if s.raw.Len() != n {
		t.Error("drawn after Close")
	}
}

func TestNilMeter(t *testing.T) {
	var m *progress.Meter
	p := m.Phase("x", "y", 1)
	p.Add(1)
	p.Set(2)
	p.SetTotal(3)
	p.Done()
	m.Draw()
	m.Close()
	if p != nil || p.Count() != 0 {
		t.Fatal("a nil meter made a phase")
	}
	var b bytes.Buffer
	if m.Writer(&b) != &b {
		t.Error("a nil meter's writer is not the writer")
	}
	if progress.New(nil, "x") != nil {
		t.Error("New(nil) is not nil")
	}
	ctx := context.Background()
	if progress.Start(ctx, "x", "", 0) != nil || progress.FromContext(progress.NewContext(ctx, nil)) != nil {
		t.Error("a context without a meter gave a phase")
	}
}

func TestContext(t *testing.T) {
	now := time.Unix(0, 0)
	var s screen
	m := manual(&s, &now)
	ctx := progress.NewContext(context.Background(), m)
	p := progress.Start(ctx, "pairs", "objects", 4)
	p.Add(2)
	m.Draw()
	if got := s.shown(); got != "coord 0:00  pairs: 2/4 objects 50%" {
		t.Errorf("line %q", got)
	}
}

func TestNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, out := range map[string]any{"pipe": w, "file": f, "buffer": &bytes.Buffer{}} {
		if _, ok := progress.Terminal(out.(interface{ Write([]byte) (int, error) })); ok {
			t.Errorf("a %s is taken for a terminal", name)
		}
	}
}

// BenchmarkAdd is the cost of a report to a meter (its goroutine drawing)
// and to no meter, from one goroutine and from all.
func BenchmarkAdd(b *testing.B) {
	var s screen
	m := progress.New(&s, "bench")
	defer m.Close()
	for name, p := range map[string]*progress.Phase{"meter": m.Phase("add", "units", 0), "none": nil} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p.Add(1)
			}
		})
		b.Run(name+"-parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p.Add(1)
				}
			})
		})
	}
}

// BenchmarkDraw is the cost of one redraw of the line (the meter's
// goroutine does five a second).
func BenchmarkDraw(b *testing.B) {
	m := progress.New(io.Discard, "coord")
	m.Every = -1
	p := m.Phase("folding pairs into edges", "pairs", 3_148_989)
	p.Add(1_376_256)
	b.ReportAllocs()
	for b.Loop() {
		m.Draw()
	}
}
