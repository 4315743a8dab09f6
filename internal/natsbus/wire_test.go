package natsbus

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
)

func samplePartials() []coord.EdgePartial {
	return []coord.EdgePartial{
		{A: 0, B: 1, Pairs: 1, SumDt: 0, MinDt: 0, First: -5, Last: -5, ByType: []int32{1}, Terms: []coord.ObjTerm{{Obj: 7, K: 2}}, PostsA: []int32{3}, PostsB: []int32{4}},
		{A: 2, B: math.MaxInt32, Pairs: 1 << 40, SumDt: 1 << 50, MinDt: math.MaxInt64, First: math.MinInt64, Last: math.MaxInt64, Fast: 12,
			ByType: []int32{0, 5, 0}, Terms: []coord.ObjTerm{{Obj: 1, K: 9, TF: 0.1 + 0.2}, {Obj: math.MaxInt32, K: 1, TF: math.Inf(1)}},
			PostsA: []int32{0, 1, 1000, math.MaxInt32}, PostsB: []int32{}},
		{A: 3, B: 4, ByType: []int32{}, Terms: []coord.ObjTerm{}, PostsA: []int32{}, PostsB: []int32{}},
	}
}

// TestPartialsRoundTrip: every field, extreme values included, survives
// the binary encoding, whatever the chunk size.
func TestPartialsRoundTrip(t *testing.T) {
	want := samplePartials()
	for _, limit := range []int{0, 10, 1 << 20} {
		chunks := encodePartials(5, want, limit)
		if limit == 0 && len(chunks) != len(want) || limit == 1<<20 && len(chunks) != 1 {
			t.Fatalf("limit %d: %d chunks", limit, len(chunks))
		}
		var got []coord.EdgePartial
		for c, b := range chunks {
			pm, err := decodePartials(b)
			if err != nil {
				t.Fatalf("limit %d chunk %d: %v", limit, c, err)
			}
			if pm.Batch != 5 || pm.Chunk != c || pm.Chunks != len(chunks) {
				t.Fatalf("limit %d chunk %d: header %d %d %d", limit, c, pm.Batch, pm.Chunk, pm.Chunks)
			}
			got = append(got, pm.Partials...)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) { // (nil and empty lists alike)
			t.Fatalf("limit %d:\n got %+v\nwant %+v", limit, got, want)
		}
	}
	// no partials: one empty message
	chunks := encodePartials(0, nil, 100)
	pm, err := decodePartials(chunks[0])
	if len(chunks) != 1 || err != nil || len(pm.Partials) != 0 || pm.Chunks != 1 {
		t.Fatalf("empty: %d chunks, %v, %+v", len(chunks), err, pm)
	}
}

// TestPartialsDamaged: every truncation and a few corruptions are errors.
func TestPartialsDamaged(t *testing.T) {
	good := encodePartials(1, samplePartials(), 1<<20)[0]
	for n := range len(good) {
		if _, err := decodePartials(good[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"not ours", []byte(`{"batch":1}`)},
		{"trailing bytes", append(append([]byte(nil), good...), 0)},
		{"chunk beyond chunks", append([]byte("TQP1"), 1, 3, 2, 0)},
		{"huge count", append([]byte("TQP1"), 1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f)},
		{"posts not increasing", encodeRaw(func(b []byte) []byte { return append(b, 2, 10, 0) })}, // 5, then 5 again
	} {
		if _, err := decodePartials(tc.b); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// the raw builder itself makes a valid message (5, 6)
	pm, err := decodePartials(encodeRaw(func(b []byte) []byte { return append(b, 2, 10, 2) }))
	if err != nil || len(pm.Partials) != 1 || !reflect.DeepEqual(pm.Partials[0].PostsA, []int32{5, 6}) {
		t.Fatalf("raw message: %v %+v", err, pm)
	}
}

// encodeRaw builds a message of one partial whose posts lists fn writes.
func encodeRaw(fn func([]byte) []byte) []byte {
	b := append([]byte("TQP1"), 0, 0, 1, 1)
	b = append(b, 0, 2, 2, 0, 0, 0, 0, 0) // A 0, B 1, pairs 1, …
	b = append(b, 0, 0)                   // no ByType, no terms
	b = fn(b)                             // PostsA
	return append(b, 0)                   // PostsB
}

func FuzzDecodePartials(f *testing.F) {
	for _, b := range encodePartials(3, samplePartials(), 40) {
		f.Add(b)
	}
	f.Add([]byte("TQP1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pm, err := decodePartials(b)
		if err != nil {
			return
		}
		// what decodes encodes back to what decodes the same
		again := encodePartials(pm.Batch, pm.Partials, 1<<30)
		if len(again) != 1 {
			t.Fatalf("%d chunks", len(again))
		}
		pm2, err := decodePartials(again[0])
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		// (compared as canonical bytes: a NaN is not equal to itself)
		if again2 := encodePartials(pm2.Batch, pm2.Partials, 1<<30); string(again2[0]) != string(again[0]) {
			t.Fatalf("re-encoded differently:\n%+v\n%+v", pm.Partials, pm2.Partials)
		}
	})
}
