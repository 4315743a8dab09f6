package coord

import (
	"bytes"
	"encoding/csv"
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
