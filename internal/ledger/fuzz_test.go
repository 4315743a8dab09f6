package ledger_test

import (
	"bytes"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ledger"
)

// FuzzDecodeEntry checks that any leaf either fails to decode or decodes
// to an entry whose canonical encoding is exactly the input.
func FuzzDecodeEntry(f *testing.F) {
	for _, e := range entries(f, 3) {
		f.Add(e)
	}
	f.Add([]byte(`{"index":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ledger.DecodeEntry(b)
		if err != nil {
			return
		}
		re, err := ledger.EncodeEntry(e)
		if err != nil || !bytes.Equal(re, b) {
			t.Fatalf("DecodeEntry(%q) accepted a non-canonical leaf (re-encodes to %q)", b, re)
		}
	})
}
