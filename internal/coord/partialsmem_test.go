package coord_test

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestPartialsWithinMemory: what a mapper's fold allocates per partial it
// makes (every byte it allocates, an upper bound of what it holds at its
// peak) stays within the cost a worker budgets for it
// (natsbus.partialCost, PartialsCost here). Copying the blocks of
// partials into one slice at the end held them twice at the peak: 415
// bytes a partial allocated, over the 300 budgeted; a worker under --mem
// 1GB peaked at 1.7 GB at 3M posts with two reduce partitions.
func TestPartialsWithinMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var objs []coord.ReduceObject
	post := int64(0)
	for o := range int32(300) {
		ro := coord.ReduceObject{Obj: o, Type: o % 3}
		tm := int64(0)
		for range 40 {
			tm += rng.Int64N(2)
			ro.Rows = append(ro.Rows, coord.ReduceRow{rng.Int64N(50000), post, tm, coord.RowActive | coord.RowQualifies})
			post++
		}
		objs = append(objs, ro)
	}
	spec := coord.ReduceSpec{Kind: coord.Sliding, Window: 60, Types: 3, Accounts: 50000}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	blocks, fits, err := coord.PartialsWithin(spec, objs, nil, 0)
	runtime.ReadMemStats(&after)
	if err != nil || !fits {
		t.Fatal(fits, err)
	}
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	if n < 100000 {
		t.Fatalf("%d partials: too few to measure", n)
	}
	per := float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	t.Logf("%d partials, %.0f bytes allocated a partial", n, per)
	if per > coord.PartialsCost {
		t.Fatalf("the fold allocated %.0f bytes a partial, over the %d a worker budgets", per, coord.PartialsCost)
	}
}

// TestPartialsWithinStops: a fold whose ReduceSpec.Stop says stop makes
// nothing more and gives up (ErrFoldStopped), asked mid-sweep, within
// one object of 2,000 rows that all pair (about 2 million pairs), and
// before the next object; without Stop the same fold makes its partials.
// A worker stopped mid-fold used to leave the fold folding on to its end
// in a goroutine (the kernel's sweep of one object has no way out).
func TestPartialsWithinStops(t *testing.T) {
	o := coord.ReduceObject{Obj: 0, Type: 0}
	for i := range 2000 {
		o.Rows = append(o.Rows, coord.ReduceRow{int64(i % 40), int64(i), int64(i), coord.RowActive | coord.RowQualifies})
	}
	second := o
	second.Obj = 1
	objs := []coord.ReduceObject{o, second}
	spec := coord.ReduceSpec{Kind: coord.Sliding, Window: 1 << 30, Types: 1, Accounts: 40}
	all, fits, err := coord.PartialsWithin(spec, objs, nil, 0)
	if err != nil || !fits || len(all) == 0 {
		t.Fatalf("without Stop: %d blocks, fits %v, %v", len(all), fits, err)
	}
	for _, tc := range []struct {
		name  string
		after int // Stop says true from its after-th call on
		asked int // calls expected in all
	}{
		{"mid-sweep of the first object", 2, 2}, // before the object, then once within it
		{"before the second object", 32, 32},    // 30 times within the first (2M pairs / 65,536), then before the second
		{"before anything", 1, 1},
	} {
		asked := 0
		spec.Stop = func() bool { asked++; return asked >= tc.after }
		ps, fits, err := coord.PartialsWithin(spec, objs, nil, 0)
		if !errors.Is(err, coord.ErrFoldStopped) || ps != nil || fits {
			t.Errorf("%s: %d blocks, fits %v, %v; want ErrFoldStopped and nothing", tc.name, len(ps), fits, err)
		}
		if asked != tc.asked {
			t.Errorf("%s: Stop asked %d times, want %d", tc.name, asked, tc.asked)
		}
	}
}
