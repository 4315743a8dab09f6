package coord

import (
	"math"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// intern is internShares for tests whose shares' times fit a run.
func intern(shares []tahqiq.Share, types []tahqiq.ObjectType, keepLoops bool, m *progress.Meter) *interned {
	in, err := internShares(shares, types, keepLoops, m)
	if err != nil {
		panic(err)
	}
	return in
}

// TestRowSize: a share's row is 16 bytes (it was 24 with an int64 time):
// what the run holds of its input, sorts and sweeps.
func TestRowSize(t *testing.T) {
	if rowBytes != 16 {
		t.Fatalf("a row is %d bytes", rowBytes)
	}
}

// FuzzTimeOffsets: rows made of any times as the read makes them (their
// low 32 bits, the span counted) get, when the span holds, offsets that
// give every time back and keep their order; else an error, and no rows.
func FuzzTimeOffsets(f *testing.F) {
	f.Add(int64(1704731321), int64(60), int64(-5), int64(1<<31))
	f.Add(int64(1<<32-3), int64(7), int64(1<<32), int64(0))
	f.Add(int64(-62135596800), int64(1<<32-1), int64(0), int64(1))
	f.Add(int64(math.MaxInt64), int64(math.MinInt64), int64(0), int64(-1))
	f.Fuzz(func(t *testing.T, base, a, b, c int64) {
		times := []int64{base, base + a, base + b, base + c, base + a/2, base + b - c}
		var span timeSpan
		in := &interned{}
		for k, tm := range times {
			in.rows = append(in.rows, row{obj: int32(k), t: span.add(tm)})
		}
		lo, hi := slices.Min(times), slices.Max(times)
		err := in.offsetRows(span)
		fits := hi-lo >= 0 && hi-lo <= maxSpan // hi - lo overflows past 2^63
		if !fits {
			if err == nil || in.rows != nil {
				t.Fatalf("times %v: no error (%v) or rows left", times, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("times %v: %v", times, err)
		}
		if in.t0 != lo {
			t.Fatalf("times %v: t0 %d, want %d", times, in.t0, lo)
		}
		for k := range in.rows {
			if got := in.time(&in.rows[k]); got != times[k] {
				t.Fatalf("times %v: row %d is at %d", times, k, got)
			}
			for j := range in.rows {
				if (in.rows[k].t < in.rows[j].t) != (times[k] < times[j]) {
					t.Fatalf("times %v: rows %d and %d out of order", times, k, j)
				}
			}
		}
	})
}
