package imagehash

import (
	"math"
	"math/bits"
)

// Cluster groups pictures that are alike: two pictures are linked when
// Compare finds them within maxDist bits (every turn and mirror, with and
// without a frame), and a group is every picture linked to another of it,
// directly or through others (single linkage), so the groups do not
// depend on the order of the pictures. A picture whose quality is under
// MinQuality links to none (its hash is noise). It returns each picture's
// group: the index of the group's first picture (the smallest index of
// the group).
//
// The links are found exactly, without comparing every pair, by
// multi-index hashing (Norouzi, Punjani and Fleet, "Fast search in
// Hamming space with multi-index hashing", CVPR 2012): the 256 bits are
// split into k chunks and chunk t is given a radius r_t such that the
// r_t+1 add up to maxDist+1. Two hashes within maxDist bits then differ
// in at most r_t bits in some chunk t (were every chunk r_t+1 bits or
// more apart, the hashes would be maxDist+1 bits or more apart), so the
// hashes a probe can link to are among those whose chunk t is within r_t
// bits of the probe's, for some t; each such candidate is compared on all
// 256 bits. k, the chunks' widths and radii are chosen for the number of
// pictures (planTables): at the same-picture radius (10) and 10⁶
// pictures, eleven chunks of 23 or 24 bits, each looked up exactly.
func Cluster(hs []Hashes, quality []int, maxDist int) []int {
	probes := 0
	for i, h := range hs {
		if quality[i] >= MinQuality {
			probes += 8
			if h.HasTrimmed {
				probes++
			}
		}
	}
	plan, ok := planTables(maxDist, probes)
	if !ok {
		return clusterScan(hs, quality, maxDist)
	}
	return clusterTables(hs, quality, maxDist, plan)
}

// unionFind joins pictures into groups; a group's root is its smallest
// index.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(i int32) int32 {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	switch {
	case ra < rb:
		u[rb] = ra
	case rb < ra:
		u[ra] = rb
	}
}

func (u unionFind) labels() []int {
	out := make([]int, len(u))
	for i := range u {
		out[i] = int(u.find(int32(i)))
	}
	return out
}

// clusterScan links pictures by comparing every pair (for radii no
// multi-index helps with, and as the reference of the tests).
func clusterScan(hs []Hashes, quality []int, maxDist int) []int {
	u := newUnionFind(len(hs))
	for i := range hs {
		if quality[i] < MinQuality {
			continue
		}
		for j := i + 1; j < len(hs); j++ {
			if quality[j] < MinQuality || u.find(int32(i)) == u.find(int32(j)) {
				continue
			}
			if Compare(hs[i], hs[j]).Distance <= maxDist {
				u.union(int32(i), int32(j))
			}
		}
	}
	return u.labels()
}

// table is one chunk of the multi-index: bits [start, start+width) of a
// hash (bit b is bit b%64 of word b/64), looked up within radius bits.
type table struct{ start, width, radius int }

// key returns the chunk of h that t indexes.
func (t table) key(h Hash) uint64 {
	w, off := t.start>>6, uint(t.start&63)
	v := h[w] >> off
	if int(off)+t.width > 64 {
		v |= h[w+1] << (64 - off)
	}
	if t.width < 64 {
		v &= 1<<uint(t.width) - 1
	}
	return v
}

// ball is the number of keys of width bits within r bits of one.
func ball(width, r int) float64 {
	n, c := 0.0, 1.0
	for i := 0; i <= r; i++ {
		n += c
		c = c * float64(width-i) / float64(i+1)
	}
	return n
}

// planTables chooses the chunks for finding every pair within d bits
// among n indexed hashes (the probes): for k from 4 to 64 chunks (of 256/k bits,
// rounded), the radii r_t are d+1 shared out as evenly as possible less
// one each (a chunk whose share is 0 is not looked up), and the k whose
// expected work per lookup, Σ_t (keys looked up) × (1 + candidates per
// key), is least wins. ok is false when scanning every hash would be
// cheaper.
func planTables(d, n int) (plan []table, ok bool) {
	if d < 0 || d >= 256 || n == 0 {
		return nil, false
	}
	best := math.Inf(1)
	for k := 4; k <= 64; k++ {
		var p []table
		cost := 0.0
		start := 0
		q, rem := (d+1)/k, (d+1)%k
		for t := range k {
			width := 256 / k
			if t < 256%k {
				width++
			}
			r := q - 1
			if t < rem {
				r = q
			}
			if r >= 0 {
				p = append(p, table{start: start, width: width, radius: r})
				keys := ball(width, r)
				cost += keys * (1 + float64(n)/math.Exp2(float64(width)))
			}
			start += width
		}
		if cost < best {
			best, plan = cost, p
		}
	}
	// a scan compares every hash; a lookup costs about as much as a
	// comparison
	return plan, best < float64(n)
}

// clusterTables links pictures through the multi-index plan. For each
// table in turn, the pictures' probes (Hashes.Probes, nine at most) are
// bucketed by their chunk (a counting sort: keys and probe numbers laid
// out bucket by bucket, a bucket's keys in one or two cache lines), and
// each entry (Hashes.Entries, one or two) of each picture looks up the
// chunks within the table's radius of its own, comparing each probe
// found on all 256 bits unless the two pictures were already grouped
// before this table. Indexing the probes and looking up the entries
// makes a ninth of the lookups the other way round would, for the same
// pairs (every probe of one picture against every entry of another). One
// table is held at a time: 16 bytes a probe and 4 a bucket.
func clusterTables(hs []Hashes, quality []int, maxDist int, plan []table) []int {
	u := newUnionFind(len(hs))
	// a probe's number: 9 × picture + slot (0-7 its turns and mirrors, 8
	// its framed-picture hash)
	var probes []int32
	for i, h := range hs {
		if quality[i] < MinQuality {
			continue
		}
		for s := range 8 {
			probes = append(probes, int32(9*i+s))
		}
		if h.HasTrimmed {
			probes = append(probes, int32(9*i+8))
		}
	}
	probeHash := func(id int32) *Hash {
		h := &hs[id/9]
		if s := id % 9; s < 8 {
			return &h.Dihedral[s]
		}
		return &h.Trimmed
	}
	n := len(probes)
	p := max(bits.Len(uint(n))-2, 1) // 2^p buckets: about four probes a bucket
	bucketOf := make([]uint64, n)
	keys := make([]uint64, n) // by bucket
	ids := make([]int32, n)   // by bucket
	start := make([]int32, 1<<p+1)
	next := make([]int32, 1<<p)
	root := make([]int32, len(hs)) // the groups before this table
	for _, t := range plan {
		bp := min(p, t.width)
		mask := uint64(1)<<uint(bp) - 1
		clear(start)
		for x, id := range probes {
			k := t.key(*probeHash(id))
			bucketOf[x] = k
			start[k&mask+1]++
		}
		for b := 1; b < len(start); b++ {
			start[b] += start[b-1]
		}
		copy(next, start)
		for x, id := range probes {
			k := bucketOf[x]
			b := k & mask
			keys[next[b]], ids[next[b]] = k, id
			next[b]++
		}
		for i := range root {
			root[i] = u.find(int32(i))
		}
		for i, h := range hs {
			if quality[i] < MinQuality {
				continue
			}
			pi := int32(i)
			for n, e := range [2]Hash{h.Dihedral[Original], h.Trimmed} {
				if n == 1 && !h.HasTrimmed {
					break
				}
				neighbours(t.key(e), t.width, t.radius, func(k uint64) {
					b := k & mask
					lo, hi := start[b], start[b+1]
					for x := lo; x < hi; x++ {
						if keys[x] != k {
							continue
						}
						id := ids[x]
						j := id / 9
						if root[j] == root[pi] {
							continue // the same picture, or already grouped
						}
						if Distance(e, *probeHash(id)) <= maxDist {
							u.union(pi, j)
						}
					}
				})
			}
		}
	}
	return u.labels()
}

// neighbours calls fn with every key of width bits within r bits of k.
func neighbours(k uint64, width, r int, fn func(uint64)) {
	fn(k)
	if r == 0 {
		return
	}
	var flip func(k uint64, from, left int)
	flip = func(k uint64, from, left int) {
		for b := from; b < width; b++ {
			x := k ^ 1<<uint(b)
			fn(x)
			if left > 1 {
				flip(x, b+1, left-1)
			}
		}
	}
	flip(k, 0, r)
}
