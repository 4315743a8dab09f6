package imagehash

// Index finds the hashes within a distance of a query among many: a
// multi-index over the sixteen 16-bit words of each hash. Two hashes
// within distance r ≤ 15 agree exactly on at least one word (sixteen
// words each differing would make 16 bits), and within r ≤ 31 at least
// one word differs in at most one bit, so a query looks up its own words
// (and for r > 15 their 16 one-bit neighbours each) and checks each
// candidate exactly. Beyond 31 it scans every hash.
//
// Each of the sixteen tables chains the hashes sharing a word value: heads
// holds the first (as id+1, 0 for none), next the following one of each
// hash in each table. 4 MiB of heads, allocated on the first Add, and 64
// bytes a hash.
type Index struct {
	hashes []Hash
	heads  *[16][1 << 16]int32
	next   []int32  // next[16*id+c]: the next hash (id+1) in its bucket of table c
	seen   []uint32 // seen[id] == gen: already checked in this query
	gen    uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Len is the number of hashes added.
func (x *Index) Len() int { return len(x.hashes) }

// Hash returns the hash of id.
func (x *Index) Hash(id int) Hash { return x.hashes[id] }

// Add adds h and returns its id, counted from 0 in the order added.
func (x *Index) Add(h Hash) int {
	if x.heads == nil {
		x.heads = new([16][1 << 16]int32)
	}
	id := int32(len(x.hashes))
	x.hashes = append(x.hashes, h)
	x.seen = append(x.seen, 0)
	for c := range x.heads {
		w := h.word(c)
		x.next = append(x.next, x.heads[c][w])
		x.heads[c][w] = id + 1
	}
	return int(id)
}

// Within calls fn for every hash within distance r of q, in no
// particular order, each once.
func (x *Index) Within(q Hash, r int, fn func(id, dist int)) {
	if r > 31 {
		for id, h := range x.hashes {
			if d := Distance(q, h); d <= r {
				fn(id, d)
			}
		}
		return
	}
	x.gen++
	if x.gen == 0 { // wrapped: forget every mark
		clear(x.seen)
		x.gen = 1
	}
	if x.heads == nil {
		return
	}
	check := func(c int, w uint16) {
		for e := x.heads[c][w]; e != 0; e = x.next[16*(e-1)+int32(c)] {
			id := e - 1
			if x.seen[id] == x.gen {
				continue
			}
			x.seen[id] = x.gen
			if d := Distance(q, x.hashes[id]); d <= r {
				fn(int(id), d)
			}
		}
	}
	for c := range 16 {
		w := q.word(c)
		check(c, w)
		if r > 15 {
			for b := range 16 {
				check(c, w^1<<b)
			}
		}
	}
}

// Nearest returns the id of the hash nearest to any of the queries
// within distance r (the smallest id among equally near ones), the query
// that found it and the distance; ok is false when none is within r.
func (x *Index) Nearest(queries []Hash, r int) (id, query, dist int, ok bool) {
	id, dist = -1, r+1
	for qi, q := range queries {
		x.Within(q, r, func(i, d int) {
			if d < dist || (d == dist && i < id) {
				id, query, dist = i, qi, d
			}
		})
	}
	return id, query, dist, id >= 0
}
