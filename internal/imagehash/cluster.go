package imagehash

import (
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
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
// among n indexed hashes (the probes): for k from 8 to 64 chunks (of
// 256/k bits, rounded: 32 bits at most, the width of a stored key), the
// radii r_t are d+1 shared out as evenly as possible less one each (a
// chunk whose share is 0 is not looked up), and the k whose expected
// work per lookup, Σ_t (keys looked up) × (1 + candidates per key), is
// least wins. ok is false when scanning every hash would be cheaper.
func planTables(d, n int) (plan []table, ok bool) {
	if d < 0 || d >= 256 || n == 0 {
		return nil, false
	}
	best := math.Inf(1)
	for k := 8; k <= 64; k++ {
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

// filterWords are the two 64-bit words of a hash that a table's slots
// keep beside the chunk, to reject a candidate without reading its
// picture: two hashes within d bits are within d bits on any 128 of
// them, and two unrelated ones are (1 in 10⁹) not within 31. They are
// the first two words the chunk does not overlap (a chunk of 32 bits at
// most overlaps two of the four).
func (t table) filterWords() (a, b int) {
	lo, hi := t.start>>6, (t.start+t.width-1)>>6
	var free []int
	for w := range 4 {
		if w < lo || w > hi {
			free = append(free, w)
		}
	}
	return free[0], free[1]
}

// flips are the masks of width bits with at most r bits set: a key's
// neighbours within r are the key xor each.
func flips(width, r int) []uint32 {
	var out []uint32
	neighbours(0, width, r, func(k uint64) { out = append(out, uint32(k)) })
	return out
}

// clusterTables links pictures through the multi-index plan, one table
// at a time:
//
//   - the pictures' probes (Hashes.Probes, nine at most) are bucketed by
//     the low bits of their chunk (a counting sort), each slot holding
//     the chunk, the probe's number and two other words of its hash
//     (filterWords), so that an unrelated candidate is rejected from the
//     slot alone, without reading its picture;
//   - the entries (Hashes.Entries, one or two a picture) are sorted by
//     the same bucket and look up the chunks within the table's radius
//     of their own in that order: consecutive entries' neighbours xor
//     the same masks, so they fall in the same few cache lines of the
//     buckets, and the lookups of a table stream through memory instead
//     of missing the cache at each (at 10⁶ pictures within 31 bits, about
//     3,000 lookups an entry a table);
//   - the sorted entries are shared among GOMAXPROCS workers in blocks;
//     each worker keeps its own union-find of the groups it has joined
//     in this table (on top of the groups before it), skips the
//     candidates already grouped, and reports the pairs it joined, which
//     are then joined into the groups.
//
// Indexing the probes and looking up the entries makes a ninth of the
// lookups the other way round would, for the same pairs (every probe of
// one picture against every entry of another). One table is held at a
// time: 28 bytes a probe, 4 a bucket, 8 an entry and 4 a picture a
// worker.
// slot is a probe in a table's buckets: its chunk (key), its number and
// two other words of its hash (a and b, filterWords), in one cache line
// or two.
type slot struct {
	a, b uint64
	id   int32
	key  uint32
}

// clusterBlock is the number of sorted entries a worker takes at a time;
// a worker is started for each block, up to GOMAXPROCS (tests lower it
// to run several workers on few pictures).
var clusterBlock = 1 << 12

func clusterTables(hs []Hashes, quality []int, maxDist int, plan []table) []int {
	u := newUnionFind(len(hs))
	// a probe's number: 9 × picture + slot (0-7 its turns and mirrors, 8
	// its framed-picture hash); an entry's: 2 × picture + slot (0 its own
	// hash, 1 its framed-picture hash)
	var probes, entries []int32
	for i, h := range hs {
		if quality[i] < MinQuality {
			continue
		}
		for s := range 8 {
			probes = append(probes, int32(9*i+s))
		}
		entries = append(entries, int32(2*i))
		if h.HasTrimmed {
			probes = append(probes, int32(9*i+8))
			entries = append(entries, int32(2*i+1))
		}
	}
	probeHash := func(id int32) *Hash {
		h := &hs[id/9]
		if s := id % 9; s < 8 {
			return &h.Dihedral[s]
		}
		return &h.Trimmed
	}
	entryHash := func(id int32) *Hash {
		if id&1 == 0 {
			return &hs[id>>1].Dihedral[Original]
		}
		return &hs[id>>1].Trimmed
	}
	n := len(probes)
	// a table looked up within a radius of 1 or more has 2^p buckets, two
	// to four a probe (at most 2^24, and the chunk when narrower): most of
	// its thousands of lookups an entry find an empty bucket by reading
	// one cache line, and where the bucket is the whole chunk, without
	// comparing keys. A table looked up exactly (one key an entry) has a
	// quarter as many buckets as probes, which keeps the counting sort
	// that builds it in the cache.
	bucketBits := func(t table) int {
		if t.radius == 0 {
			return min(max(bits.Len(uint(n))-2, 1), t.width)
		}
		return min(bits.Len(uint(n))+1, 24, t.width)
	}
	p := 1
	for _, t := range plan {
		p = max(p, bucketBits(t))
	}
	slots := make([]slot, n) // by bucket
	start := make([]int32, 1<<p+1)
	next := make([]int32, 1<<p)
	sorted := make([]int32, len(entries)) // entries by bucket
	root := make([]int32, len(hs))        // the groups before this table
	workers := min(runtime.GOMAXPROCS(0), max(1, len(entries)/clusterBlock))
	local := make([]unionFind, workers)
	for w := range local {
		local[w] = make(unionFind, len(hs))
	}
	for _, t := range plan {
		bp := bucketBits(t)
		mask := uint32(1)<<uint(bp) - 1
		exact := bp == t.width // a bucket holds one key
		// the slots keep two words of their hash when an entry meets more
		// than one candidate in this table, on average
		filtered := ball(t.width, t.radius)*float64(n)/math.Exp2(float64(t.width)) > 1
		fa, fb := t.filterWords()
		// bucket the probes
		clear(start[:1<<bp+1])
		for _, id := range probes {
			start[uint32(t.key(*probeHash(id)))&mask+1]++
		}
		for b := 1; b <= 1<<bp; b++ {
			start[b] += start[b-1]
		}
		copy(next, start[:1<<bp])
		for _, id := range probes {
			h := probeHash(id)
			k := uint32(t.key(*h))
			x := next[k&mask]
			next[k&mask]++
			sl := &slots[x]
			sl.id, sl.key = id, k
			if filtered {
				sl.a, sl.b = h[fa], h[fb]
			}
		}
		// sort the entries by bucket, when each looks up many keys
		order := entries
		if t.radius > 0 {
			clear(next[:1<<bp])
			for _, id := range entries {
				next[uint32(t.key(*entryHash(id)))&mask]++
			}
			sum := int32(0)
			for b, c := range next[:1<<bp] {
				next[b], sum = sum, sum+c
			}
			for _, id := range entries {
				b := uint32(t.key(*entryHash(id))) & mask
				sorted[next[b]] = id
				next[b]++
			}
			order = sorted
		}
		for i := range root {
			root[i] = u.find(int32(i))
		}
		masks := flips(t.width, t.radius)
		// look up, in blocks of sorted entries
		block := clusterBlock
		var cursor atomic.Int64
		found := make([][][2]int32, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lu := local[w]
				for i := range lu {
					lu[i] = int32(i)
				}
				var pairs [][2]int32
				for {
					from := int(cursor.Add(int64(block))) - block
					if from >= len(order) {
						break
					}
					for _, eid := range order[from:min(from+block, len(order))] {
						e := entryHash(eid)
						pi := eid >> 1
						k := uint32(t.key(*e))
						ea, eb := e[fa], e[fb]
						for _, f := range masks {
							kk := k ^ f
							b := kk & mask
							for x := start[b]; x < start[b+1]; x++ {
								sl := &slots[x]
								if !exact && sl.key != kk {
									continue
								}
								if filtered && bits.OnesCount64(sl.a^ea)+bits.OnesCount64(sl.b^eb) > maxDist {
									continue
								}
								id := sl.id
								j := id / 9
								ri, rj := lu.find(root[pi]), lu.find(root[j])
								if ri == rj {
									continue // the same picture, or already grouped
								}
								if Distance(*e, *probeHash(id)) <= maxDist {
									lu.union(ri, rj)
									pairs = append(pairs, [2]int32{pi, j})
								}
							}
						}
					}
				}
				found[w] = pairs
			}()
		}
		wg.Wait()
		for _, pairs := range found {
			for _, pr := range pairs {
				u.union(pr[0], pr[1])
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
