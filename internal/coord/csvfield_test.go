package coord

import (
	"bytes"
	"encoding/csv"
	"testing"
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
