package sqlstore

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
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
	f.Add(encodeBlockV1(f, 3, []blockRecord{blockRec(3, "a"), blockRec(4, "bc")}))
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

// encodeBlockV1 is the stored form of version 1 (stores written before
// the branch importq): the DEFLATE of a version byte and each record's
// fields with its SHA-256 among them, line and offset as they are.
func encodeBlockV1(t testing.TB, block int64, recs []blockRecord) []byte {
	t.Helper()
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zw.Write(fieldsV1(nil, block, recs))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// fieldsV1 appends the encoding of version 1, before DEFLATE, to b.
func fieldsV1(b []byte, block int64, recs []blockRecord) []byte {
	b = append(b, blockVersion)
	prev := block
	for _, x := range recs {
		r := &x.rec
		b = binary.AppendUvarint(b, uint64(x.id-prev))
		prev = x.id
		b = binary.AppendVarint(b, r.Line)
		b = binary.AppendVarint(b, r.Offset)
		b = appendBytes(b, r.Locator)
		b = appendBytes(b, string(r.Kind))
		b = append(b, r.SHA256[:]...)
		if r.CollectedAt.IsZero() {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, 1)
			b = binary.AppendVarint(b, r.CollectedAt.Unix())
		}
		b = binary.AppendUvarint(b, uint64(len(r.Raw)))
		b = append(b, r.Raw...)
	}
	return b
}

// TestBlockVersions: a block is written in version 2, its SHA-256s
// outside DEFLATE (found as they are in the stored bytes), and blocks of
// version 1, which stores made before hold, read the same records.
func TestBlockVersions(t *testing.T) {
	recs := []blockRecord{blockRec(10, "first"), blockRec(12, "second, \x00 bytes"), blockRec(13, strings.Repeat("y", 5000))}
	recs[1].rec.Line, recs[1].rec.Offset = 3, -1 // lines and offsets need not grow
	recs[2].rec.CollectedAt = time.Unix(1700000000, 0).UTC()
	v2, err := encodeBlockFrom(10, recs)
	if err != nil {
		t.Fatal(err)
	}
	if v2[0] != blockMark {
		t.Fatalf("first byte %#x, want the version 2 mark %#x", v2[0], blockMark)
	}
	for _, r := range recs {
		if !bytes.Contains(v2, r.rec.SHA256[:]) {
			t.Errorf("record %d: its SHA-256 is not in the stored block as it is", r.id)
		}
	}
	decode := func(data []byte, lo, hi int64) []blockRecord {
		var got []blockRecord
		if err := decodeBlockRange(10, data, lo, hi, func(id int64, r *tahqiq.RawRecord) error {
			got = append(got, blockRecord{id, *r})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	v1 := encodeBlockV1(t, 10, recs)
	for _, rg := range [][2]int64{{0, 99}, {12, 13}, {13, 13}} {
		a, b := decode(v1, rg[0], rg[1]), decode(v2, rg[0], rg[1])
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Errorf("records %d-%d: version 1 gives %+v, version 2 %+v", rg[0], rg[1], a, b)
		}
	}
	if got := decode(v2, 0, 99); !reflect.DeepEqual(got, recs) {
		t.Errorf("version 2 round trip: %+v, want %+v", got, recs)
	}
}

// TestBlockDamageV2: a version 2 block whose count, SHA-256s or fields
// were damaged is an error naming it.
func TestBlockDamageV2(t *testing.T) {
	recs := []blockRecord{blockRec(1, "evidence"), blockRec(2, "more")}
	good, err := encodeBlockFrom(1, recs)
	if err != nil {
		t.Fatal(err)
	}
	damaged := func(edit func(b []byte) []byte) []byte { return edit(bytes.Clone(good)) }
	for name, data := range map[string][]byte{
		"hash flipped":     damaged(func(b []byte) []byte { b[2+32] ^= 1; return b }),
		"count too high":   damaged(func(b []byte) []byte { b[1] = 3; return b }),
		"count too low":    damaged(func(b []byte) []byte { return append([]byte{blockMark, 1}, b[2+32:]...) }),
		"hashes cut":       good[:40],
		"mark alone":       {blockMark},
		"fields cut short": good[:len(good)-3],
	} {
		err := decodeBlock(1, data, func(int64, *tahqiq.RawRecord) error { return nil })
		if !errors.Is(err, errBlock) || !strings.Contains(err.Error(), "block 1") {
			t.Errorf("%s: %v, want a damaged-block error naming block 1", name, err)
		}
	}
}

// BenchmarkBlockCompress compresses blocks of the lines of a real events
// CSV (coord/german_elections_2021.events.csv, 157,569 rows) as an import
// does, in both stored forms: version 1 (each SHA-256 inside DEFLATE) and
// version 2 (the SHA-256s beside it). It reports the stored bytes a record.
func BenchmarkBlockCompress(b *testing.B) {
	base := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(base); err != nil {
		base = filepath.Join("..", "..", "..", "..", "shared", "data")
	}
	data, err := os.ReadFile(filepath.Join(base, "coord", "german_elections_2021.events.csv"))
	if err != nil {
		b.Skipf("no real events CSV (shared/data beside the repository): %v", err)
	}
	var blocks [][]blockRecord
	var off int64
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		raw := bytes.TrimSuffix(line, []byte("\n"))
		id := int64(i + 1)
		if len(blocks) == 0 || len(blocks[len(blocks)-1]) == blockRecords {
			blocks = append(blocks, nil)
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], blockRecord{id: id, rec: tahqiq.RawRecord{
			Line: id, Offset: off, Kind: tahqiq.RecordPost, Raw: raw, SHA256: sha256.Sum256(raw)}})
		off += int64(len(line))
	}
	nrec := len(bytes.Split(bytes.TrimSpace(data), []byte("\n")))
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestSpeed)
	var buf []byte
	var w blockWriter
	for _, v := range []struct {
		name   string
		encode func(first int64, recs []blockRecord) []byte
	}{
		{"v1", func(first int64, recs []blockRecord) []byte { // as the import of main did: one writer
			buf = fieldsV1(buf[:0], first, recs)
			z.Reset()
			zw.Reset(&z)
			zw.Write(buf)
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			return z.Bytes()
		}},
		{"v2", func(first int64, recs []blockRecord) []byte {
			w.reset()
			w.begin(first)
			for i := range recs {
				w.add(recs[i].id, &recs[i].rec)
			}
			z, err := w.compressed()
			if err != nil {
				b.Fatal(err)
			}
			return z
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			var stored int
			for i := 0; i < b.N; i++ {
				stored = 0
				for _, blk := range blocks {
					stored += len(v.encode(blk[0].id, blk))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nrec), "ns/record")
			b.ReportMetric(float64(stored)/float64(nrec), "bytes/record")
		})
	}
}
