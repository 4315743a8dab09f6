package natsbus

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
)

func sampleTask() *task {
	return &task{Run: "r1", Batch: 7, Mode: modeReduce, Reduces: 4,
		Spec: &coord.ReduceSpec{Kind: "messages", Window: 60, FastWindow: 10, Types: 3, TFIDF: true, Accounts: 99, Evidence: true},
		RObjects: []coord.ReduceObject{
			{Obj: 0, Type: 2, Rows: []coord.ReduceRow{{0, 1, 1700000000, 3}, {5, 2, 1699999000, 0}, {math.MaxInt32, 9, math.MinInt64, 7}, {1, 1, math.MaxInt64, 1}},
				TypeName: "hashtag", Value: "élection", Posts: []string{"p1", "", "p\x00q", "p4"}},
			{Obj: math.MaxInt32, Type: 0, Rows: []coord.ReduceRow{{2, 3, -5, 1}, {4, 6, 5, 1}}, Jaccard: 0.7,
				Tokens: [][]uint64{{1, 2, math.MaxUint64}, {}}},
			{Obj: -1, Type: math.MinInt32},
		}}
}

// TestTaskRoundTrip: a reduce-path task (extreme values, near-text tokens,
// evidence's names and posts) comes back as it went, and as the JSON it
// replaces would have brought it.
func TestTaskRoundTrip(t *testing.T) {
	for _, want := range []*task{sampleTask(), {Run: "p", Batch: 0, Mode: modeParticipation, Reduces: 1,
		PSpec: &coord.ParticipationSpec{Kind: "collab", Window: 5, Types: 2, Scopes: 2, Accounts: 3, Min: 2, FastWindow: 1}}} {
		b, err := encodeTask(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeTask(b)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(want)
		var viaJSON task
		if err := json.Unmarshal(j, &viaJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, &viaJSON) {
			t.Fatalf("binary:\n%+v\nJSON:\n%+v", got, &viaJSON)
		}
		if len(b) >= len(j) {
			t.Errorf("binary task of %d bytes, JSON %d", len(b), len(j))
		}
	}
}

// TestTaskDamaged: every truncation, and bytes after the end, are errors.
func TestTaskDamaged(t *testing.T) {
	good, err := encodeTask(sampleTask())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(good) {
		if _, err := decodeTask(good[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
	if _, err := decodeTask(append(good, 0)); err == nil {
		t.Fatal("a byte after the end: no error")
	}
	// a count larger than the bytes left (a row count of 2^40)
	bad := append([]byte(nil), good[:len(taskMagic)]...)
	bad = append(bad, 2, '{', '}', 1, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20)
	if _, err := decodeTask(bad); err == nil {
		t.Fatal("2^40 rows in a few bytes: no error")
	}
}

func FuzzDecodeTask(f *testing.F) {
	good, _ := encodeTask(sampleTask())
	f.Add(good)
	f.Add([]byte("TQT1\x02{}\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tk, err := decodeTask(b)
		if err != nil {
			return
		}
		// what decodes encodes back to what decodes the same
		again, err := encodeTask(tk)
		if err != nil {
			t.Fatal(err)
		}
		tk2, err := decodeTask(again)
		if err != nil {
			t.Fatalf("re-encoded task does not decode: %v", err)
		}
		if again2, _ := encodeTask(tk2); string(again2) != string(again) {
			t.Fatalf("re-encoded differently:\n%+v\n%+v", tk, tk2)
		}
	})
}

// TestMapTasksBinary: the reduce path's map tasks go on the stream in
// binary (JSON took a worker more time to read than to pair them).
func TestMapTasksBinary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, js := embeddedJS(t)
	bus := &Bus{JS: js, Partitions: 2}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	r := &Reducer{Bus: bus, Reduces: 2}
	st := sampleTask()
	n, err := r.publishRun(ctx, "bin", *st.Spec, coord.ReduceObjectList(st.RObjects), 2, nil, nil)
	if err != nil || n == 0 {
		t.Fatalf("%d tasks, %v", n, err)
	}
	s, err := js.Stream(ctx, ObjectsStream)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for seq := uint64(1); seen < n; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		tk, err := decodeTask(m.Data)
		if err != nil {
			t.Fatalf("message %d on %s: %v (%.20q)", seq, m.Subject, err, m.Data)
		}
		if tk.Run != "bin" || tk.Mode != modeReduce || tk.Reduces != 2 {
			t.Fatalf("task %+v", tk)
		}
		seen++
	}
}
