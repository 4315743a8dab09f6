package coord_test

import (
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
