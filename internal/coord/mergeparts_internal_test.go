package coord

import (
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestMergePartsEqualMerge: the spilled pairs' merge cut into parts by
// account A (1 to 7 of them, each merged on its own) gives, part after
// part, the pairs of the one merge, in its order; the parts are as many
// as asked for, each a range of accounts of its own, and of about equal
// pairs.
func TestMergePartsEqualMerge(t *testing.T) {
	defer SetFoldPartMin(1)()
	sets := map[string]*interned{
		"russian":   intern(parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"), nil, false, nil),
		"synthetic": intern(synth.Generate(synth.Config{Posts: 20000, Seed: 3}).Shares, nil, false, nil),
	}
	for name, in := range sets {
		p := DefaultParams()
		p.MinParticipation = 1
		active, keep, _ := in.participation(&p, in.pairsOf(&p))
		all := in.pairs(&p)
		sp, err := in.pairsWithin(&p, active, keep, int64(len(all))/5, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if len(sp.runs) < 3 {
			t.Fatalf("%s: %d runs: the merge is not tested", name, len(sp.runs))
		}
		var want []pairRef
		if err := sp.merge(in, func(pr *pairRows) bool { want = append(want, pr.pr); return true }); err != nil {
			t.Fatal(err)
		}
		for _, parts := range []int{1, 2, 3, 7} {
			secs, err := sp.mergeParts(in, parts)
			if err != nil {
				t.Fatal(err)
			}
			if len(secs) != parts {
				t.Fatalf("%s: %d parts, want %d", name, len(secs), parts)
			}
			var got []pairRef
			lastA := int32(-1)
			for k := range secs {
				var part []pairRef
				if err := sp.mergeSections(in, secs[k], func(pr *pairRows) bool { part = append(part, pr.pr); return true }); err != nil {
					t.Fatal(err)
				}
				if len(part) == 0 {
					t.Fatalf("%s, %d parts: part %d is empty", name, parts, k)
				}
				if a, _ := in.ends(part[0]); a.acc <= lastA {
					t.Fatalf("%s, %d parts: part %d starts at account %d, the last part ended at %d", name, parts, k, a.acc, lastA)
				}
				a, _ := in.ends(part[len(part)-1])
				lastA = a.acc
				if parts <= 3 && len(part) > 2*len(want)/parts {
					t.Errorf("%s, %d parts: part %d holds %d of %d pairs", name, parts, k, len(part), len(want))
				}
				got = append(got, part...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s, %d parts: %d pairs merged (first difference at %d), want %d", name, parts, len(got), firstDiffPairs(got, want), len(want))
			}
		}
		sp.close()
	}
}

func firstDiffPairs(a, b []pairRef) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestCursorBlock: the cursors of the merges running at once hold no
// more than the pairs held while the runs were made (pairBytes each: a
// cursor's pair costs cursorPairBytes, with or without its rows carried),
// within runBlock and minRunBlock.
func TestCursorBlock(t *testing.T) {
	for _, tc := range []struct {
		held          int64
		cursors, mers int
		carry         bool
		want          int
	}{
		{held: 16_000_000, cursors: 16, mers: 2, want: runBlock},                          // few runs: whole blocks
		{held: 1 << 20, cursors: 64, mers: 2, want: 1 << 20 * 24 / 57 / 128},              // 2^20 pairs of 24 bytes, 57 a cursor's
		{held: 1 << 20, cursors: 64, mers: 2, carry: true, want: 1 << 20 * 24 / 77 / 128}, // 77 bytes a carried pair
		{held: 1 << 20, cursors: 512, mers: 2, want: 1 << 20 * 24 / 57 / 1024},            // shared
		{held: 85_000, cursors: 1031, mers: 2, want: minRunBlock},                         // 10M under 300MB: the floor
		{held: 85_000, cursors: 1031, mers: 0, want: minRunBlock},                         // one merge
		{held: 20_000_000, cursors: 1000, mers: 0, want: 4096},                            // one merge, room
		{held: 20_000_000, cursors: 1000, mers: 4, want: 20_000_000 * 24 / 57 / 4000},     // four parts share it
		{held: 0, cursors: 3, mers: 1, want: minRunBlock},                                 // nothing held: the floor
		{held: 1 << 30, cursors: 0, mers: 1, want: runBlock},                              // no cursor
	} {
		s := &spilledPairs{held: tc.held, mergers: tc.mers, carry: tc.carry}
		got := s.cursorBlock(tc.cursors)
		if got != tc.want {
			t.Errorf("held %d, %d cursors, %d merges, carry %v: block %d, want %d", tc.held, tc.cursors, tc.mers, tc.carry, got, tc.want)
		}
		if tc.cursors > 0 && got > minRunBlock && int64(got)*int64(tc.cursors)*int64(max(tc.mers, 1))*cursorPairBytes(s.rec()) > tc.held*pairBytes {
			t.Errorf("held %d, %d cursors, %d merges: block %d holds more than the pairs held", tc.held, tc.cursors, tc.mers, got)
		}
	}
}
