package imagehash_test

import (
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/imagehash"
)

func randomHash(r *rand.Rand) imagehash.Hash {
	return imagehash.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
}

// flip returns h with n distinct random bits flipped.
func flip(r *rand.Rand, h imagehash.Hash, n int) imagehash.Hash {
	orig := h
	for imagehash.Distance(h, orig) < n {
		b := r.IntN(256)
		h[b/64] |= (orig[b/64] ^ ^uint64(0)) & (1 << (b % 64))
		h[b/64] &^= orig[b/64] & (1 << (b % 64))
	}
	return h
}

// TestIndexWithin: the multi-index finds exactly what a scan of every
// hash finds, at every radius, for clusters of near hashes among random
// ones.
func TestIndexWithin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := imagehash.NewIndex()
	var all []imagehash.Hash
	for range 300 {
		c := randomHash(r)
		for range 5 {
			h := flip(r, c, r.IntN(40))
			all = append(all, h)
			x.Add(h)
		}
	}
	for _, radius := range []int{0, 1, 5, 10, 15, 16, 20, 31, 32, 45} {
		for qi := range 200 {
			q := flip(r, all[qi*7%len(all)], r.IntN(20))
			var got, want []int
			x.Within(q, radius, func(id, d int) {
				if d != imagehash.Distance(q, all[id]) {
					t.Fatalf("Within: id %d at distance %d, really %d", id, d, imagehash.Distance(q, all[id]))
				}
				got = append(got, id)
			})
			for id, h := range all {
				if imagehash.Distance(q, h) <= radius {
					want = append(want, id)
				}
			}
			sort.Ints(got)
			if len(got) != len(want) {
				t.Fatalf("radius %d, query %d: Within found %d hashes, a scan %d", radius, qi, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("radius %d, query %d: Within found %v, a scan %v", radius, qi, got, want)
				}
			}
		}
	}
}

// TestIndexNearest: the nearest within the radius over several queries,
// the first added among equals.
func TestIndexNearest(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := randomHash(r)
	x := imagehash.NewIndex()
	far := x.Add(flip(r, base, 100))
	a := x.Add(flip(r, base, 6))
	b := x.Add(flip(r, base, 6))
	mirror := flip(r, base, 3) // another probe of the picture
	c := x.Add(mirror)
	if id, q, d, ok := x.Nearest([]imagehash.Hash{base}, 10); !ok || d != 3 || id != c || q != 0 {
		t.Errorf("Nearest(base) = %d, query %d, %d bits, %v; want %d (3 bits)", id, q, d, ok, c)
	}
	if id, q, d, ok := x.Nearest([]imagehash.Hash{flip(r, base, 50), mirror}, 10); !ok || d != 0 || id != c || q != 1 {
		t.Errorf("Nearest(two probes) = %d, query %d, %d bits, %v; want %d through the second probe", id, q, d, ok, c)
	}
	if _, _, _, ok := x.Nearest([]imagehash.Hash{flip(r, base, 60)}, 10); ok {
		t.Error("Nearest found a hash 54 or more bits away within 10")
	}
	_, _, _ = far, a, b
}

func BenchmarkSum(b *testing.B) {
	for _, f := range []string{"bridge-1-original.jpg", "q0122.jpg"} {
		data, err := os.ReadFile("testdata/threatexchange/" + f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := imagehash.Sum(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIndexNearest: one query's nine probes at the same-picture
// radius among 10⁵ and 10⁶ random hashes.
func BenchmarkIndexNearest(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		r := rand.New(rand.NewPCG(5, 6))
		x := imagehash.NewIndex()
		for range n {
			x.Add(randomHash(r))
		}
		probes := make([]imagehash.Hash, 9)
		for i := range probes {
			probes[i] = randomHash(r)
		}
		b.Run(itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Nearest(probes, imagehash.SameImage)
			}
		})
		b.Run(itoa(n)+"/variant", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x.Nearest(probes, imagehash.Variant)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestCluster: pictures linked directly or through another are one group,
// whatever their order; a low-quality picture stays alone.
func TestCluster(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	base := randomHash(r)
	a := flip(r, base, 4)
	b := flip(r, a, 8)   // 8 from a
	c := flip(r, b, 8)   // 8 from b, up to 16 from a: linked through b
	far := randomHash(r) // alone
	flat := flip(r, base, 2)
	h := func(x imagehash.Hash) imagehash.Hashes {
		var out imagehash.Hashes
		for i := range out.Dihedral {
			out.Dihedral[i] = x
		}
		return out
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 4, 0, 3, 1}} {
		pics := []imagehash.Hash{a, b, c, far, flat}
		quality := []int{90, 90, 90, 90, 10}
		var hs []imagehash.Hashes
		var qs []int
		for _, i := range order {
			hs = append(hs, h(pics[i]))
			qs = append(qs, quality[i])
		}
		g := imagehash.Cluster(hs, qs, imagehash.SameImage)
		group := map[int]int{} // picture -> its group's first picture (as picture)
		for pos, i := range order {
			group[i] = order[g[pos]]
		}
		if group[0] != group[1] || group[1] != group[2] || group[3] == group[0] || group[4] == group[0] || group[3] != 3 || group[4] != 4 {
			t.Errorf("order %v: groups %v; want a, b, c together, the far and the flat one alone", order, group)
		}
	}
}

// BenchmarkCluster: 100,000 pictures (TAHQIQ_BENCH_PICTURES) in groups of
// five copies (each within 8 bits of its group's first), clustered at the
// same-picture and the variant radius.
func BenchmarkCluster(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	n := 100_000
	if s := os.Getenv("TAHQIQ_BENCH_PICTURES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	hs := make([]imagehash.Hashes, n)
	qs := make([]int, n)
	var base imagehash.Hash
	for i := range hs {
		if i%5 == 0 {
			base = randomHash(r)
		}
		hs[i].Dihedral[0] = flip(r, base, r.IntN(9))
		for t := 1; t < 8; t++ {
			hs[i].Dihedral[t] = randomHash(r) // the turns of a picture are far from it
		}
		qs[i] = 100
	}
	for name, radius := range map[string]int{"same": imagehash.SameImage, "variant": imagehash.Variant} {
		b.Run(name, func(b *testing.B) {
			cpu0 := cputime.Seconds()
			for b.Loop() {
				g := imagehash.Cluster(hs, qs, radius)
				if g[4] != g[0] || g[5] == g[0] {
					b.Fatal("wrong groups")
				}
			}
			b.ReportMetric((cputime.Seconds()-cpu0)/float64(b.N), "cpu-s/op")
		})
	}
}
