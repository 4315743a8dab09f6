package imagehash

// Index finds the hashes within a distance of a query among many: a
// multi-index over the sixteen 16-bit words of each hash. Two hashes
// within distance r ≤ 15 agree exactly on at least one word (sixteen
// words each differing would make 16 bits), and within r ≤ 31 at least
// one word differs in at most one bit, so a query looks up its own words
// (and for r > 15 their 16 one-bit neighbours each) and checks each
// candidate exactly. Beyond 31 it scans every hash.
type Index struct {
	hashes []Hash
	tables [16]map[uint16][]int32
	seen   []uint32 // seen[id] == gen: already checked in this query
	gen    uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{}
	for i := range x.tables {
		x.tables[i] = map[uint16][]int32{}
	}
	return x
}

// Len is the number of hashes added.
func (x *Index) Len() int { return len(x.hashes) }

// Hash returns the hash of id.
func (x *Index) Hash(id int) Hash { return x.hashes[id] }

// Add adds h and returns its id, counted from 0 in the order added.
func (x *Index) Add(h Hash) int {
	id := int32(len(x.hashes))
	x.hashes = append(x.hashes, h)
	x.seen = append(x.seen, 0)
	for c := range x.tables {
		w := h.word(c)
		x.tables[c][w] = append(x.tables[c][w], id)
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
	check := func(ids []int32) {
		for _, id := range ids {
			if x.seen[id] == x.gen {
				continue
			}
			x.seen[id] = x.gen
			if d := Distance(q, x.hashes[id]); d <= r {
				fn(int(id), d)
			}
		}
	}
	for c := range x.tables {
		w := q.word(c)
		check(x.tables[c][w])
		if r > 15 {
			for b := range 16 {
				check(x.tables[c][w^1<<b])
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
