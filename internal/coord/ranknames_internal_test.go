package coord

import (
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// TestRankNames: ranking by keys gives the ranks and order of ranking by
// strings.Compare (rankUsed), for names that share a prefix, tie in the
// eight bytes after it, end inside them, hold zero bytes, are empty, and
// ids left unused.
func TestRankNames(t *testing.T) {
	defer func(n int) { radixMin = n }(radixMin)
	radixMin = 1 // radixKeys on every set, the one-name set too
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "\x00\x01ab9z\xff"
	sets := map[string][]string{
		"one":         {"only"},
		"prefix ends": {"p", "p\x00", "p\x00\x00", "pa", "p\x00a", ""},
		"eight":       {"x:12345678a", "x:12345678", "x:12345678\x00", "x:12345677zzzz", "x:1234567", "x:123456789"},
	}
	for _, prefix := range []string{"", "synth:p", "twitter:"} {
		var names []string
		seen := map[string]bool{}
		for len(names) < 3000 {
			var b strings.Builder
			b.WriteString(prefix)
			for range rng.IntN(14) {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
			if s := b.String(); !seen[s] {
				seen[s] = true
				names = append(names, s)
			}
		}
		sets["random "+prefix] = names
	}
	for name, names := range sets {
		t.Run(name, func(t *testing.T) {
			for _, every := range []int{1, 2, 3} {
				tab := newStrtab(maphash.MakeSeed())
				var used bitset
				for i, s := range names {
					tab.add(s)
					if i%every == 0 {
						used.set(int32(i))
					}
				}
				wantTo, wantOrder := rankUsed(tab.len(), used, func(a, b int32) int { return strings.Compare(tab.name(a), tab.name(b)) })
				for _, radix := range []bool{false, true} {
					to, order := rankNames(tab, used, radix)
					if !slices.Equal(order, wantOrder) {
						t.Fatalf("every %d, radix %v: order %v, want %v", every, radix, order, wantOrder)
					}
					for i := range names {
						if used.has(int32(i)) && to[i] != wantTo[i] {
							t.Fatalf("every %d, radix %v: %q ranked %d, want %d", every, radix, names[i], to[i], wantTo[i])
						}
					}
				}
			}
		})
	}
}

// TestRankObjects: ranking each type's table by its names' keys, the
// tables in type order (rankObjects), gives the ranks and order of
// sorting every object by cmpObj (rankUsed), for types whose objects
// come interleaved, values shared between types, empty and prefixed
// values.
func TestRankObjects(t *testing.T) {
	defer func(n int) { radixMin = n }(radixMin)
	radixMin = 100
	rng := rand.New(rand.NewPCG(5, 6))
	types := []tahqiq.ObjectType{"url", "hashtag", "retweet", "a", "url2"}
	alphabet := "\x00ab9z\xff"
	c := NewCollector(DefaultParams())
	for range 5000 {
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("https://x.example/")
		}
		for range rng.IntN(12) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		c.object(types[rng.IntN(len(types))], b.String())
	}
	n := len(c.objects)
	var all bitset
	for i := range n {
		all.set(int32(i))
	}
	wantTo, wantOrder := rankUsed(n, all, func(a, b int32) int { return cmpObj(c.objKey(a), c.objKey(b)) })
	for _, radix := range []bool{false, true} {
		c.budget.Mem = 0 // no budget: keys copied
		if !radix {
			c.budget.Mem = 1 // no room for the keys' copy
		}
		to, order := c.rankObjects()
		if !slices.Equal(order, wantOrder) {
			t.Fatalf("radix %v: order differs from cmpObj's (%d objects)", radix, n)
		}
		if !slices.Equal(to, wantTo) {
			t.Fatalf("radix %v: ranks differ from cmpObj's (%d objects)", radix, n)
		}
	}
	if len(c.objList) != len(types) {
		t.Fatalf("%d tables, want %d", len(c.objList), len(types))
	}
}

// TestRadixFits: the keys are copied (radixKeys) only where the read
// spilled nothing and the keys and their copy take at most an eighth of
// the budget: the 1M synthetic posts under their default budget (256
// MiB), not the 3M under theirs (679 MiB: four times their 178 MB).
func TestRadixFits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		mem   int64
		spill bool
		want  bool
	}{
		{"no budget", 10_000_000, 0, false, true},
		{"1M, 256 MiB", 1_000_000, 256 << 20, false, true},
		{"3M, 679 MiB", 3_000_000, 4 * 177_880_892, false, false},
		{"spilled rows", 1000, 256 << 20, true, false},
	} {
		c := NewCollector(DefaultParams())
		c.budget.Mem = tc.mem
		if tc.spill {
			c.spill = &rowSpill{}
		}
		if got := c.radixFits(tc.n); got != tc.want {
			t.Errorf("%s: radixFits(%d) = %v, want %v", tc.name, tc.n, got, tc.want)
		}
	}
}
