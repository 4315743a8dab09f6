package coord

import (
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestPairsWithinHoldLimit: pairs made under a limit never hold more than
// it in memory (objects batched by their in-window pairs, an object whose
// pairs alone pass it spilled as its pairs come), and spilled and merged
// they are the pairs made without one, in the same order: on the Russian
// co-retweet table (a few objects of thousands of shares) and a synthetic
// set, at limits from 256 pairs to more than the run has.
func TestPairsWithinHoldLimit(t *testing.T) {
	sets := map[string]*interned{
		"russian":   intern(parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"), nil, false, nil),
		"synthetic": intern(synth.Generate(synth.Config{Posts: 20000, Seed: 3}).Shares, nil, false, nil),
	}
	for name, in := range sets {
		p := DefaultParams()
		p.MinParticipation = 1
		want := in.pairs(&p)
		if len(want) < 1000 {
			t.Fatalf("%s: %d pairs: the limits prove nothing", name, len(want))
		}
		slices.SortStableFunc(want, func(a, b pairRef) int { return in.cmpPairKey(a, b) })
		for _, limit := range []int64{256, 1000, int64(len(want)) / 3, int64(len(want)) * 2} {
			active, keep, _ := in.participation(&p, in.pairsOf(&p))
			sp, err := in.pairsWithin(&p, active, keep, limit, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if sp.held > limit {
				t.Errorf("%s, limit %d: held %d pairs at once", name, limit, sp.held)
			}
			got := readBackPairs(t, in, sp)
			if sp.n != int64(len(want)) || !slices.Equal(got, want) {
				t.Fatalf("%s, limit %d: %d pairs (%d read back), want %d", name, limit, sp.n, len(got), len(want))
			}
		}
	}
}

// cmpPairKey orders pairs by account pair, then rows (the merge's order).
func (in *interned) cmpPairKey(a, b pairRef) int {
	ka, kb := in.pairKey(a), in.pairKey(b)
	switch {
	case ka != kb:
		if ka < kb {
			return -1
		}
		return 1
	case a.i != b.i:
		return int(a.i - b.i)
	}
	return int(a.j - b.j)
}

func (in *interned) pairKey(pr pairRef) uint64 {
	ra, rb := in.ends(pr)
	return uint64(uint32(ra.acc))<<32 | uint64(uint32(rb.acc))
}

// readBackPairs returns the pairs sp holds in the order the aggregate
// reads them (by account pair): its runs merged, or those it held sorted
// when it wrote none; sp is closed.
func readBackPairs(t *testing.T, in *interned, sp *spilledPairs) []pairRef {
	t.Helper()
	var got []pairRef
	if len(sp.runs) == 0 {
		got = slices.Clone(sp.pairs)
		slices.SortStableFunc(got, func(a, b pairRef) int { return in.cmpPairKey(a, b) })
	} else if err := sp.merge(in, func(pr *pairRows) bool { got = append(got, pr.pr); return true }); err != nil {
		t.Fatal(err)
	}
	sp.close()
	return got
}
