package sqlstore

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// filter is a scalable Bloom filter: a set of keys that answers "never
// added" exactly and "maybe added" with a small false-positive rate,
// in about 1.5-2 bytes per key whatever their size, growing with the
// number of keys (Almeida, Baquero, Preguiça, Hutchison, "Scalable Bloom
// Filters", 2007). An import adds to it every post, account and share it
// writes, so that a key missing from its bounded caches and never added
// needs no database lookup.
//
// It is a series of plain Bloom filters, each twice the capacity of
// the one before and with a false-positive rate 0.8 times as large, so
// that the rate of the whole stays below filterRate; keys go to the
// newest one until it holds its capacity.
type filter struct {
	seeds [tagAccount + 1]maphash.Seed // a seed a tag (hashUID)
	parts []bloom
	n     int // keys added
}

const (
	filterRate    = 0.02    // bound on the false-positive rate of the whole filter
	filterTighten = 0.8     // each part's rate is this times the one before
	filterGrow    = 2       // each part's capacity is this times the one before
	filterFirst   = 1 << 14 // capacity of the first part
)

// bloom is one Bloom filter of m bits and k probes, sized for capacity
// keys.
type bloom struct {
	bits     []uint64
	m        uint64
	k        uint32
	n        int
	capacity int
}

func newFilter() *filter {
	f := &filter{}
	for i := range f.seeds {
		f.seeds[i] = maphash.MakeSeed()
	}
	return f
}

// newBloom sizes a Bloom filter for capacity keys at false-positive rate
// p: m = -n ln p / ln² 2 bits, k = log2(1/p) probes (rounded).
func newBloom(capacity int, p float64) bloom {
	m := uint64(math.Ceil(-float64(capacity) * math.Log(p) / (math.Ln2 * math.Ln2)))
	m = (m + 63) &^ 63
	k := uint32(math.Round(-math.Log2(p)))
	return bloom{bits: make([]uint64, m/64), m: m, k: k, capacity: capacity}
}

// bit maps a hash to a bit of b (Lemire's multiply-shift reduction).
func (b *bloom) bit(x uint64) uint64 {
	hi, _ := bits.Mul64(x, b.m)
	return hi
}

// probes returns the two hashes of Kirsch and Mitzenmacher's double
// hashing, the second odd so that it steps through every bit.
func probes(h uint64) (uint64, uint64) {
	return h, (h>>32 | h<<32) | 1
}

func (b *bloom) add(h uint64) {
	h1, h2 := probes(h)
	for i := uint32(0); i < b.k; i++ {
		x := b.bit(h1)
		b.bits[x>>6] |= 1 << (x & 63)
		h1 += h2
	}
	b.n++
}

func (b *bloom) has(h uint64) bool {
	h1, h2 := probes(h)
	for i := uint32(0); i < b.k; i++ {
		x := b.bit(h1)
		if b.bits[x>>6]&(1<<(x&63)) == 0 {
			return false
		}
		h1 += h2
	}
	return true
}

// add adds the key of hash h.
func (f *filter) add(h uint64) {
	if len(f.parts) == 0 || f.parts[len(f.parts)-1].n >= f.parts[len(f.parts)-1].capacity {
		capacity, p := filterFirst, filterRate*(1-filterTighten)
		for range f.parts {
			capacity *= filterGrow
			p *= filterTighten
		}
		f.parts = append(f.parts, newBloom(capacity, p))
	}
	f.parts[len(f.parts)-1].add(h)
	f.n++
}

// has reports whether the key of hash h may have been added: false is
// certain, true is wrong at a rate below filterRate.
func (f *filter) has(h uint64) bool {
	for i := len(f.parts) - 1; i >= 0; i-- { // the newest part holds most keys
		if f.parts[i].has(h) {
			return true
		}
	}
	return false
}

// bytes returns the memory the filter's bits take.
func (f *filter) bytes() int {
	n := 0
	for _, p := range f.parts {
		n += len(p.bits) * 8
	}
	return n
}

// The keys of an import's filter: one filter holds posts and accounts
// (a post's shares are known with the post: packed.go), each hashed with
// its tag's seed so that a post and an account of the same UID are
// unrelated keys.
const (
	tagPost byte = iota + 1
	tagAccount
)

// hashUID hashes uid with the seed of tag: maphash.String, which hashes
// the string where it is (a maphash.Hash copied it into its buffer first,
// a tenth of the import's cost of a post's hash in a profile).
func (f *filter) hashUID(tag byte, uid string) uint64 {
	return maphash.String(f.seeds[tag], uid)
}
