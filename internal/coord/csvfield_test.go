package coord

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// appendCSVField writes evidence.csv.gz's fields as encoding/csv did
// before: the same bytes for every kind of field that needs quotes.
func TestAppendCSVFieldAsEncodingCSV(t *testing.T) {
	fields := []string{"", "a", "a,b", `say "hi"`, "line\nbreak", "cr\rlf", " lead", "trail ", "\tlead", `\.`, `\.x`,
		"\u00a0nbsp", "اردو", `""`, "a\"b\"c", "https://x.example/p?a=1,2"}
	for _, f := range fields {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{f})
		w.Flush()
		want := buf.String()
		got := string(append(appendCSVField(nil, f), '\n'))
		if got != want {
			t.Errorf("field %q: got %q, encoding/csv writes %q", f, got, want)
		}
	}
}

// TestEdgeSize keeps the edge record at its budget: a run holds one per
// kept account pair, and memory per edge is what bounds a run's size
// (issue 18). A field added to Edge must fit in the padding or pay here.
func TestEdgeSize(t *testing.T) {
	if n := unsafe.Sizeof(Edge{}); n > 88 {
		t.Errorf("Edge is %d bytes, budget 88", n)
	}
}

func FuzzAppendCSVField(f *testing.F) {
	for _, s := range []string{"", "a", "a,b", `say "hi"`, "\u00a0x", "\u0085x", " x", "\v", `\.`, "اردو"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{s})
		w.Flush()
		if got := string(append(appendCSVField(nil, s), '\n')); got != buf.String() {
			t.Fatalf("field %q: got %q, encoding/csv writes %q", s, got, buf.String())
		}
	})
}

// failWriter fails every write after the first n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	if w.n -= len(b); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

// The evidence compressor writes the blocks it is sent in order, and
// stops taking blocks (send returns nil) once a write failed, with the
// error.
func TestEvidenceCompressor(t *testing.T) {
	var out bytes.Buffer
	c := newEvidenceCompressor(&out)
	var want []byte
	b := c.block()
	for i := range 50 {
		line := []byte(strings.Repeat(string(rune('a'+i%26)), 1000+i) + "\n")
		want = append(want, line...)
		b = append(b, line...)
		if i%7 == 6 {
			b = c.send(b)
		}
	}
	c.send(b)
	if err := c.wait(); err != nil || !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("wrote %d bytes (err %v), want the %d sent", out.Len(), err, len(want))
	}
	c = newEvidenceCompressor(&failWriter{n: 10})
	b = c.block()
	sent := 0
	for b != nil && sent < 100 {
		b = c.send(append(b, "some line\n"...))
		sent++
	}
	if err := c.wait(); err == nil || err.Error() != "disk full" || sent == 100 {
		t.Fatalf("after %d blocks to a failing writer: %v", sent, err)
	}
}
