package coord

import (
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestSpansEqualSweep: the sweep cut into spans (runs of objects, large
// objects cut into ranges of their rows) gives, span after span, the
// pairs of the sweep object by object, in its order, for every window
// kind and span size; and pairs made within a limit on 1 to 3 workers,
// the large objects' rows in spans, are the run's pairs, held within the
// limit, in runs that end where they end on one worker.
func TestSpansEqualSweep(t *testing.T) {
	defer func(n int64, m, f int) { spanMin, sortPartMin, runFillMin = n, m, f }(spanMin, sortPartMin, runFillMin)
	spanMin, sortPartMin, runFillMin = 1, 1, 1 // the runs sorted and written in parts too
	sets := map[string]*interned{
		"russian":   intern(parsetest.ReadEvents(t, "russian_coord_tweets.events.csv"), nil, false, nil),
		"synthetic": intern(synth.Generate(synth.Config{Posts: 20000, Seed: 3}).Shares, nil, false, nil),
	}
	for name, in := range sets {
		for _, kind := range []string{Sliding, Tumbling, FromFirst} {
			p := DefaultParams()
			p.MinParticipation, p.WindowKind = 1, kind
			var want []pairRef
			for o := range int32(len(in.objects)) {
				in.eachPair(o, kind, p.Window, nil, func(i, j int32) { want = append(want, pairRef{i, j}) })
			}
			if len(want) < 300 || kind == Sliding && len(want) < 1000 {
				t.Fatalf("%s, %s: %d pairs: proves nothing", name, kind, len(want))
			}
			bound := func(o int32) int64 { return in.windowPairs(o, p.Window) }
			for _, target := range []int64{1, 7, 100, 5000, 1 << 40} {
				spans := in.pairSpans(0, int32(len(in.objects)), bound, target, p.Window)
				var got []pairRef
				rowSpans := 0
				for _, s := range spans {
					if s.from < s.to {
						rowSpans++
					}
					in.eachSpan(s, kind, p.Window, nil, func(_ int32, i, j int32) { got = append(got, pairRef{i, j}) })
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s, %s, target %d: %d pairs from %d spans (first difference at %d), want %d", name, kind, target, len(got), len(spans), firstDiffPairs(got, want), len(want))
				}
				if target == 7 && rowSpans == 0 {
					t.Fatalf("%s, %s: no object cut into rows: the cut is not tested", name, kind)
				}
			}
			// the run's pairs under the min-participation rule, on 1
			// to 3 workers, spans of a pair or more: the rule's counts
			// made by the one-goroutine sweep (pairsStream), the pairs
			// object by object
			for _, m := range []int{1, 2, 3} {
				q := p
				q.MinParticipation = m
				active, keep, _ := in.participation(&q, in.pairsStream(&q))
				var ref []pairRef
				for o := range int32(len(in.objects)) {
					in.eachPair(o, kind, q.Window, active, func(i, j int32) {
						if keep(i, j) {
							ref = append(ref, pairRef{i, j})
						}
					})
				}
				for _, workers := range []int{1, 3} {
					q.Workers = workers
					if got := in.pairs(&q); !slices.Equal(got, ref) {
						t.Fatalf("%s, %s, min-participation %d, %d workers: %d pairs (first difference at %d), want %d", name, kind, m, workers, len(got), firstDiffPairs(got, ref), len(ref))
					}
				}
			}
			sorted := slices.Clone(want)
			slices.SortStableFunc(sorted, func(a, b pairRef) int { return in.cmpPairKey(a, b) })
			for _, limit := range []int64{256, 1000, int64(len(want)) / 3} {
				var runLen, perA []int64
				var runEdges int64
				for _, workers := range []int{1, 2, 3} {
					p.Workers = workers
					active, keep, _ := in.participation(&p, in.pairsOf(&p))
					sp, err := in.pairsWithin(&p, active, keep, limit, t.TempDir())
					if err != nil {
						t.Fatal(err)
					}
					if sp.held > limit {
						t.Errorf("%s, %s, limit %d, %d workers: held %d pairs at once", name, kind, limit, workers, sp.held)
					}
					got := readBackPairs(t, in, sp)
					if sp.n != int64(len(want)) || !slices.Equal(got, sorted) {
						t.Fatalf("%s, %s, limit %d, %d workers: %d pairs (%d read back), want %d", name, kind, limit, workers, sp.n, len(got), len(want))
					}
					if len(sp.runs) > 0 {
						// the pairs of each account A, counted as the runs
						// are written, are the merged pairs'
						n := make([]int64, len(in.accounts))
						for _, pr := range got {
							ra, _ := in.ends(pr)
							n[ra.acc]++
						}
						if !slices.Equal(sp.perA, n) {
							t.Fatalf("%s, %s, limit %d, %d workers: pairs per account A differ from the merged pairs'", name, kind, limit, workers)
						}
					}
					if workers == 1 {
						runLen, perA, runEdges = slices.Clone(sp.runLen), slices.Clone(sp.perA), sp.runEdges
					} else if !slices.Equal(sp.runLen, runLen) || !slices.Equal(sp.perA, perA) || sp.runEdges != runEdges {
						t.Fatalf("%s, %s, limit %d, %d workers: runs of %v pairs, %d edges at most; on one worker %v, %d", name, kind, limit, workers, sp.runLen, sp.runEdges, runLen, runEdges)
					}
				}
			}
		}
	}
}

// TestSortByAccountsParallel: the sort of pairs by account pair cut into
// 2 to 7 parts on goroutines of their own gives the keys and the order of
// a stable sort by key (slices.SortStableFunc), to the place, as the sort
// in one part does.
func TestSortByAccountsParallel(t *testing.T) {
	defer func(n int) { sortPartMin = n }(sortPartMin)
	in := intern(synth.Generate(synth.Config{Posts: 20000, Seed: 5}).Shares, nil, false, nil)
	p := DefaultParams()
	p.MinParticipation = 1
	pairs := in.pairs(&p)
	if len(pairs) < 10000 {
		t.Fatalf("%d pairs", len(pairs))
	}
	want := make([]int32, len(pairs))
	for i := range want {
		want[i] = int32(i)
	}
	slices.SortStableFunc(want, func(a, b int32) int {
		ka, kb := in.pairKey(pairs[a]), in.pairKey(pairs[b])
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	for _, workers := range []int{1, 2, 3, 7} {
		sortPartMin = 1
		keys, order := in.sortByAccounts(pairs, workers)
		if !slices.Equal(order, want) {
			t.Fatalf("%d parts: the order differs from a stable sort's (first at %d)", workers, firstDiffInt32(order, want))
		}
		for i, pr := range pairs {
			if keys[i] != in.pairKey(pr) {
				t.Fatalf("%d parts: key %d is %x, want %x", workers, i, keys[i], in.pairKey(pr))
			}
		}
	}
}

func firstDiffInt32(a, b []int32) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
