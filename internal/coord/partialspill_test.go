package coord_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestPartialMergerWithinBudget: the same partials (an account pair's
// spread over several tasks, arriving in any order) merged with no budget
// and with one that spills almost every Add give the same merged partials,
// byte for byte, in account-pair order; the spill files go with Close.
func TestPartialMergerWithinBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ps []coord.EdgePartial
	for obj := range int32(3000) {
		a := rng.Int32N(60)
		b := a + 1 + rng.Int32N(20)
		pa, pb := []int32{rng.Int32N(100)}, []int32{100 + rng.Int32N(100)}
		ps = append(ps, coord.EdgePartial{A: a, B: b, Pairs: 1, SumDt: int64(obj % 7), MinDt: int64(obj % 7), First: int64(obj), Last: int64(obj + 5),
			ByType: []int32{1, 0}, Terms: []coord.ObjTerm{{Obj: obj, K: 2 + obj%3, TF: float64(obj) / 7}}, PostsA: pa, PostsB: pb})
	}
	merged := func(mem int64, order []int) ([]byte, *coord.PartialMerger) {
		m := coord.NewPartialMerger(coord.Budget{Mem: mem, TempDir: t.TempDir()})
		for _, i := range order {
			p := ps[i]
			p.ByType, p.Terms, p.PostsA, p.PostsB = slices.Clone(p.ByType), slices.Clone(p.Terms), slices.Clone(p.PostsA), slices.Clone(p.PostsB)
			if err := m.Add(&p); err != nil {
				t.Fatal(err)
			}
		}
		var out []byte
		prev := uint64(0)
		n := 0
		if err := m.Each(func(p *coord.EdgePartial) error {
			if n > 0 && p.Key() <= prev {
				t.Fatalf("partial %d: key %x after %x", n, p.Key(), prev)
			}
			prev = p.Key()
			n++
			out, _ = p.AppendBinary(out)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out, m
	}
	order := make([]int, len(ps))
	for i := range order {
		order[i] = i
	}
	want, m0 := merged(0, order)
	defer m0.Close()
	if _, ok := m0.Sorted(); !ok || m0.Runs != 0 {
		t.Fatal("no budget: spilled")
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	got, m1 := merged(2000, order)
	if m1.Runs < 10 {
		t.Fatalf("%d runs spilled at a 2,000-byte budget", m1.Runs)
	}
	if _, ok := m1.Sorted(); ok {
		t.Fatal("spilled, yet Sorted answers from memory")
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("merged within the budget (%d runs, shuffled): %d bytes, want %d, or they differ", m1.Runs, len(got), len(want))
	}
	// Each again (a reducer's two passes) reads the runs again
	var again []byte
	if err := m1.Each(func(p *coord.EdgePartial) error { again, _ = p.AppendBinary(again); return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, again) {
		t.Fatal("the second Each differs")
	}
	m1.Close()
}

// TestPartialsInPasses: a task's partials folded in passes, each keeping
// some reduce partitions, are together Partials' (every attribute, the
// objects' account counts included); a limit below the task's partials
// gives up.
func TestPartialsInPasses(t *testing.T) {
	objs := reduceObjects(t)
	spec := coord.ReduceSpec{Kind: coord.Sliding, Window: 60, Types: 3}
	all, err := coord.Partials(spec, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 100 {
		t.Fatalf("%d partials: the test would prove little", len(all))
	}
	enc := func(ps []coord.EdgePartial) []string {
		var out []string
		for i := range ps {
			b, _ := ps[i].AppendBinary(nil)
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	want := enc(all)
	for _, passes := range []int{2, 3, 5} {
		var got []coord.EdgePartial
		for pass := range passes {
			ps, fits, err := coord.PartialsWithin(spec, objs, func(k uint64) bool { return int(k%7)%passes == pass }, 0)
			if err != nil || !fits {
				t.Fatal(fits, err)
			}
			for _, b := range ps {
				got = append(got, b...)
			}
		}
		if !slices.Equal(enc(got), want) {
			t.Fatalf("%d passes: %d partials, want %d, or they differ", passes, len(got), len(all))
		}
	}
	if ps, fits, err := coord.PartialsWithin(spec, objs, nil, len(all)-1); fits || ps != nil || err != nil {
		t.Fatalf("limit %d of %d partials: fits %v, %d partials, %v", len(all)-1, len(all), fits, len(ps), err)
	}
	if _, fits, _ := coord.PartialsWithin(spec, objs, nil, len(all)); !fits {
		t.Fatalf("limit %d of %d partials: did not fit", len(all), len(all))
	}
}

// TestPartialsOrCount: a fold that reaches its limit, given count, sweeps
// the task to its end folding the account pairs it holds, each whole
// (equal to Partials'), and hands count the key of every other account
// pair it would have kept (those of the keep given, none other); within
// its limit it is PartialsWithin, count never called.
func TestPartialsOrCount(t *testing.T) {
	objs := reduceObjects(t)
	spec := coord.ReduceSpec{Kind: coord.Sliding, Window: 60, Types: 3}
	keep := func(k uint64) bool { return k%3 != 1 }
	all, _, err := coord.PartialsWithin(spec, objs, keep, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]string{}
	for _, b := range all {
		for i := range b {
			enc, _ := b[i].AppendBinary(nil)
			want[b[i].Key()] = string(enc)
		}
	}
	if len(want) < 100 {
		t.Fatalf("%d partials: the test would prove little", len(want))
	}
	for _, limit := range []int{1, 10, len(want) - 1} {
		counted := map[uint64]bool{}
		ps, fits, err := coord.PartialsOrCount(spec, objs, keep, limit, func(k uint64) { counted[k] = true })
		if err != nil || fits {
			t.Fatalf("limit %d of %d: fits %v, %v", limit, len(want), fits, err)
		}
		held := 0
		for _, b := range ps {
			for i := range b {
				enc, _ := b[i].AppendBinary(nil)
				if w, ok := want[b[i].Key()]; !ok || w != string(enc) || counted[b[i].Key()] {
					t.Fatalf("limit %d: partial of %x held is not Partials', or was counted too", limit, b[i].Key())
				}
				held++
			}
		}
		if held != limit || held+len(counted) != len(want) {
			t.Fatalf("limit %d: %d held and %d counted, want %d in all", limit, held, len(counted), len(want))
		}
		for k := range counted {
			if _, ok := want[k]; !ok {
				t.Fatalf("limit %d: counted %x, not kept", limit, k)
			}
		}
	}
	called := false
	ps, fits, err := coord.PartialsOrCount(spec, objs, keep, len(want), func(uint64) { called = true })
	if err != nil || !fits || called {
		t.Fatalf("limit %d of %d: fits %v, count called %v, %v", len(want), len(want), fits, called, err)
	}
	if n := len(slices.Concat(ps...)); n != len(want) {
		t.Fatalf("%d partials, want %d", n, len(want))
	}
}

// reduceObjects are synthetic objects as a reduce task carries them:
// shares of 40 accounts on 30 objects, every row active and qualifying.
func reduceObjects(t *testing.T) []coord.ReduceObject {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	var objs []coord.ReduceObject
	post := int64(0)
	for o := range int32(30) {
		ro := coord.ReduceObject{Obj: o, Type: o % 3}
		tm := int64(0)
		for range 5 + rng.IntN(40) {
			tm += rng.Int64N(40)
			ro.Rows = append(ro.Rows, coord.ReduceRow{rng.Int64N(40), post, tm, coord.RowActive | coord.RowQualifies})
			post++
		}
		objs = append(objs, ro)
	}
	return objs
}
