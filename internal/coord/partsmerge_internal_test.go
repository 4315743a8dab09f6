package coord

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// FuzzCSVField: the merge's key reader gives back the first two fields of
// any record encoding/csv writes (the parts' writer), quoting and all.
func FuzzCSVField(f *testing.F) {
	f.Add("x:1", "x:2", "rest")
	f.Add(`a,"b`, "c\nd", "")
	f.Add(" lead", `""`, "e,f")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{a, b, c}); err != nil {
			t.Skip()
		}
		w.Flush()
		rec := buf.Bytes()
		ga, rest, err := csvField(rec)
		if err != nil {
			t.Fatalf("%q: %v", rec, err)
		}
		gb, _, err := csvField(rest)
		if err != nil {
			t.Fatalf("%q: second field: %v", rec, err)
		}
		// encoding/csv writes \r\n inside a quoted field as \n only when
		// UseCRLF is off: the fields come back as written
		if ga != a || gb != b {
			t.Fatalf("%q: got %q, %q; want %q, %q", rec, ga, gb, a, b)
		}
	})
}
