package coord

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestHitCounterWithinBudget: a participation reducer's hits counted
// within a budget small enough to spill them in many sorted runs give
// exactly QualifiedAccounts over all of them, repeats across runs
// included; Close removes the runs.
func TestHitCounterWithinBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	spec := ParticipationSpec{Accounts: 50, Scopes: 3, Types: 3, Min: 4}
	var hits []PostHit
	for range 5000 {
		h := PostHit{Acc: rng.Int32N(50), Scope: rng.Int32N(3), Post: rng.Int32N(40), Rows: 1 + rng.Int32N(2)}
		hits = append(hits, h)
		if rng.IntN(3) == 0 {
			hits = append(hits, h) // the same post in pairs of another object
		}
	}
	want := QualifiedAccounts(spec, slices.Clone(hits))
	if len(want) == 0 {
		t.Fatal("no account qualifies: the test would prove nothing")
	}
	for _, tc := range []struct {
		mem      int64
		wantRuns bool
	}{{0, false}, {1 << 30, false}, {64, true}, {4 << 10, true}} {
		dir := t.TempDir()
		c := NewHitCounter(spec, Budget{Mem: tc.mem, TempDir: dir})
		for _, h := range hits {
			if err := c.Add(h); err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.Qualified()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("budget %d (%d runs): %d accounts qualify, want %d", tc.mem, c.Runs, len(got), len(want))
		}
		if (c.Runs > 0) != tc.wantRuns {
			t.Fatalf("budget %d: %d runs", tc.mem, c.Runs)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatalf("budget %d: %d files left after Close", tc.mem, len(left))
		}
	}
}
