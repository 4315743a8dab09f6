package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
)

func blockRec(id int64, raw string) blockRecord {
	return blockRecord{id: id, rec: tahqiq.RawRecord{Line: id + 1, Offset: id * 100, Locator: "L" + raw, Kind: tahqiq.RecordPost,
		Raw: []byte(raw), SHA256: sha256.Sum256([]byte(raw))}}
}

func TestBlockRoundTrip(t *testing.T) {
	recs := []blockRecord{blockRec(10, "first"), blockRec(11, ""), blockRec(15, strings.Repeat("x", 70000)), blockRec(16, "ünïcode \x00 bytes")}
	recs[1].rec.Kind = tahqiq.RecordHeader
	recs[2].rec.CollectedAt = time.Unix(1700000000, 0).UTC()
	recs[3].rec.Offset = -1
	for _, first := range []int64{10, 7} { // a block whose first record was dropped starts before it
		data, err := encodeBlockFrom(first, recs)
		if err != nil {
			t.Fatal(err)
		}
		var got []blockRecord
		if err := decodeBlock(first, data, func(id int64, r *tahqiq.RawRecord) error {
			got = append(got, blockRecord{id, *r})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) {
			t.Fatalf("decoded %d records, want %d", len(got), len(recs))
		}
		for i := range got {
			g, w := got[i], recs[i]
			if g.id != w.id || !bytes.Equal(g.rec.Raw, w.rec.Raw) || g.rec.SHA256 != w.rec.SHA256 || g.rec.Line != w.rec.Line ||
				g.rec.Offset != w.rec.Offset || g.rec.Locator != w.rec.Locator || g.rec.Kind != w.rec.Kind || !g.rec.CollectedAt.Equal(w.rec.CollectedAt) {
				t.Errorf("record %d: got %+v, want %+v", i, g, w)
			}
		}
	}
	// the writer of imports: full at blockRecords
	var w blockWriter
	for i := int64(1); !w.full(); i++ {
		r := blockRec(i, "r")
		w.add(i, &r.rec)
	}
	if w.n != blockRecords || w.first != 1 || w.prev != blockRecords {
		t.Errorf("full block: %d records, ids %d-%d; want %d, 1-%d", w.n, w.first, w.prev, blockRecords, blockRecords)
	}
}

// TestBlockDamage: a block whose bytes changed is an error naming it,
// never other bytes.
func TestBlockDamage(t *testing.T) {
	r := blockRec(1, "evidence")
	wrong := r
	wrong.rec.SHA256[0] ^= 1 // the raw bytes no longer match their hash
	data, _ := encodeBlockFrom(1, []blockRecord{wrong})
	good, _ := encodeBlockFrom(1, []blockRecord{r})
	for name, data := range map[string][]byte{
		"hash mismatch": data,
		"cut short":     good[:len(good)-3],
		"not deflate":   []byte("plain bytes"),
		"empty":         nil,
	} {
		err := decodeBlock(1, data, func(int64, *tahqiq.RawRecord) error { return nil })
		if !errors.Is(err, errBlock) || !strings.Contains(err.Error(), "block 1") {
			t.Errorf("%s: %v, want a damaged-block error naming block 1", name, err)
		}
	}
}

func FuzzDecodeBlock(f *testing.F) {
	good, _ := encodeBlockFrom(3, []blockRecord{blockRec(3, "a"), blockRec(4, "bc")})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeBlock(1, data, func(id int64, r *tahqiq.RawRecord) error {
			if sha256.Sum256(r.Raw) != r.SHA256 {
				t.Fatalf("record %d given with a hash that is not its raw bytes'", id)
			}
			return nil
		})
	})
}

// TestBlockRange: a range of a block gives exactly its records, the first
// and the last of the block included.
func TestBlockRange(t *testing.T) {
	recs := []blockRecord{blockRec(10, "a"), blockRec(11, "b"), blockRec(13, "c"), blockRec(14, "d")}
	data, err := encodeBlockFrom(10, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lo, hi int64
		want   string
	}{{10, 10, "a"}, {14, 14, "d"}, {11, 13, "bc"}, {12, 12, ""}, {0, 99, "abcd"}, {15, 20, ""}} {
		var got string
		if err := decodeBlockRange(10, data, tc.lo, tc.hi, func(id int64, r *tahqiq.RawRecord) error {
			got += string(r.Raw)
			return nil
		}); err != nil || got != tc.want {
			t.Errorf("records %d-%d = %q, %v; want %q", tc.lo, tc.hi, got, err, tc.want)
		}
	}
}
