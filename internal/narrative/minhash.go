package narrative

import (
	"context"
	"slices"

	"github.com/tahqiq/tahqiq/internal/progress"
)

// shingles returns the distinct hashes of a text's k-character shingles
// (a text shorter than k is one shingle), sorted.
func shingles(s string, k int) []uint32 {
	if s == "" {
		return nil
	}
	starts := make([]int, 0, len(s)+1) // byte offset of every rune, and the end
	for i := range s {
		starts = append(starts, i)
	}
	starts = append(starts, len(s))
	runes := len(starts) - 1
	if runes <= k {
		return []uint32{fnv32(s)}
	}
	out := make([]uint32, 0, runes-k+1)
	for i := 0; i+k <= runes; i++ {
		out = append(out, fnv32(s[starts[i]:starts[i+k]]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fnv32 is FNV-1a over the bytes of s.
func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// mix is the splitmix64 finaliser: the i-th MinHash value of a shingle x is
// mix(x ^ seeds[i]), a fixed family of hash functions (no random source).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

var seeds = func() []uint64 {
	s := make([]uint64, 512)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range s {
		x += 0x9e3779b97f4a7c15
		s[i] = mix(x)
	}
	return s
}()

// minhashBands returns the LSH band hashes of a shingle set: bands x rows
// MinHash values, each band's rows hashed into one value. Two sets of
// Jaccard similarity s share at least one band with probability
// 1 - (1 - s^rows)^bands.
func minhashBands(sh []uint32, bands, rows int) []uint64 {
	out := make([]uint64, bands)
	if len(sh) == 0 {
		return out
	}
	for b := 0; b < bands; b++ {
		acc := uint64(0xcbf29ce484222325) ^ uint64(b)
		for r := 0; r < rows; r++ {
			seed := seeds[b*rows+r]
			m := ^uint64(0)
			for _, x := range sh {
				if v := mix(uint64(x) ^ seed); v < m {
					m = v
				}
			}
			acc = mix(acc ^ m)
		}
		out[b] = acc
	}
	return out
}

// jaccard of two sorted sets.
func jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	i, j, inter := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// joinNearCopies unions exact families whose shingle sets have a Jaccard
// similarity of at least p.Jaccard. Candidates are the families that share
// an LSH band bucket: each family is checked against the bucket's first
// family and the one before it in the bucket (in time order), so a bucket
// of k families costs at most 2k checks. It returns the checks made.
func joinNearCopies(ctx context.Context, reps []rep, uf *unionFind, p Params) (int64, error) {
	type bucket struct{ first, prev int32 }
	var checks int64
	sh := func(k int32) []uint32 { return reps[k].shingles }
	check := func(a, b int32) {
		if uf.find(a) == uf.find(b) {
			return
		}
		checks++
		if jaccard(sh(a), sh(b)) >= p.Jaccard {
			uf.union(a, b)
		}
	}
	prog := progress.Start(ctx, "near copies", "bands", int64(p.Bands))
	defer prog.Done()
	for band := 0; band < p.Bands; band++ {
		if err := ctx.Err(); err != nil {
			return checks, err
		}
		prog.Set(int64(band))
		buckets := make(map[uint64]bucket, len(reps))
		for k := range reps {
			if reps[k].content == "" {
				continue
			}
			h := reps[k].bands[band]
			bk, ok := buckets[h]
			if !ok {
				buckets[h] = bucket{int32(k), int32(k)}
				continue
			}
			check(int32(k), bk.first)
			if bk.prev != bk.first {
				check(int32(k), bk.prev)
			}
			bk.prev = int32(k)
			buckets[h] = bk
		}
	}
	return checks, nil
}
