package coord

import (
	"hash/maphash"
	"unsafe"
)

// strtab interns strings to dense ids 0, 1, … in the order they come: an
// open-addressing table of 8-byte slots (32 bits of the hash, the id plus
// one) over the names, each kept once in an arena and found by an 8-byte
// reference to it (refArena). A lookup that misses remembers where the
// name would go, so that adding it next costs no second probe. It holds
// 8 bytes a slot, 1.4 to 2.1 slots a name, and the name (8 bytes and its
// bytes); a map[string]int32 and a slice of the names hold about 45 bytes
// a name beside its bytes. The table grows by half when it is 70 % full
// (not doubles: while it grows it holds the old slots and the new, 2.5
// times the old instead of 3; a post table's last growth was the peak of
// a 3M-post read under a small budget). A name's first slot is its tag
// (the high 32 bits of its hash) scaled to the slots, so that growing
// places every name again from its slot alone: no name is read or hashed
// again (they were, from the arena: a tenth of a 1M-post read's strand).
// A tag that matches another name's costs one comparison of names: the
// names probed beside a name's first slot have tags close to its own,
// so a false match comes with a chance of about slots/2^32 a probe
// (1/400 at 10M posts), against 1/2^32 when the slot came from other bits.
//
// A wide table (newWideStrtab: the accounts' and objects', whose lookups
// mostly find a name) holds each name's reference in its slot too, 16
// bytes a slot: a lookup that finds a name reads the slot, then the
// name, where a narrow one reads the slot, the reference (refs, by id)
// and then the name, three dependent reads, each a cache miss in a table
// larger than the cache (the accounts' lookup was the largest cost of the
// read's strand: 0.36 of its 0.84 s CPU at 1M posts). The posts' table,
// whose lookups mostly miss (a new post: the slot alone says so), stays
// narrow.
type strtab struct {
	seed  maphash.Seed
	slots []uint64 // wide: pairs of (tag and id, reference)
	wide  bool
	refs  []uint64
	arena refArena

	// the last lookup that missed: its name's hash and free slot
	missName string
	missHash uint64
	missSlot int
}

func newStrtab(seed maphash.Seed) *strtab {
	return &strtab{seed: seed, slots: make([]uint64, 1024), missSlot: -1}
}

// newWideStrtab returns an empty wide table (the references in the
// slots).
func newWideStrtab(seed maphash.Seed) *strtab {
	return &strtab{seed: seed, slots: make([]uint64, 2*1024), wide: true, missSlot: -1}
}

// slotCount is the number of t's slots.
func (t *strtab) slotCount() int {
	if t.wide {
		return len(t.slots) / 2
	}
	return len(t.slots)
}

// find returns the id of s, or false (then add(s) adds it).
func (t *strtab) find(s string) (int32, bool) {
	h := maphash.String(t.seed, s)
	tag := h >> 32
	if t.wide {
		n := len(t.slots) / 2
		for i := home(h, n); ; i = next(i, n) {
			v := t.slots[2*i]
			if v == 0 {
				t.missName, t.missHash, t.missSlot = s, h, i
				return 0, false
			}
			if v>>32 == tag && t.arena.str(t.slots[2*i+1]) == s {
				return int32(uint32(v)) - 1, true
			}
		}
	}
	n := len(t.slots)
	for i := home(h, n); ; i = next(i, n) {
		v := t.slots[i]
		if v == 0 {
			t.missName, t.missHash, t.missSlot = s, h, i
			return 0, false
		}
		if v>>32 == tag {
			if id := int32(uint32(v)) - 1; t.name(id) == s {
				return id, true
			}
		}
	}
}

// id returns the id of s, adding it if new, and whether it was.
func (t *strtab) id(s string) (int32, bool) {
	if id, ok := t.find(s); ok {
		return id, false
	}
	return t.add(s), true
}

// add adds s, which find just missed (or which is absent), and returns
// its id.
func (t *strtab) add(s string) int32 {
	if len(t.refs)*10 >= t.slotCount()*7 { // at most 70 % full
		t.grow()
	}
	if t.missSlot < 0 || t.missName != s {
		if _, ok := t.find(s); ok {
			panic("coord: strtab.add of a name it holds")
		}
	}
	id := int32(len(t.refs))
	ref := t.arena.add(s)
	if t.wide {
		t.slots[2*t.missSlot] = t.missHash>>32<<32 | uint64(id+1)
		t.slots[2*t.missSlot+1] = ref
	} else {
		t.slots[t.missSlot] = t.missHash>>32<<32 | uint64(id+1)
	}
	t.refs = append(t.refs, ref)
	t.missName, t.missSlot = "", -1
	return id
}

// grow makes the slots half as many again and places every name again.
func (t *strtab) grow() {
	old := t.slots
	if t.wide {
		n := len(old)/2 + len(old)/4
		t.slots = make([]uint64, 2*n)
		for j := 0; j < len(old); j += 2 {
			if old[j] == 0 {
				continue
			}
			i := home(old[j], n)
			for t.slots[2*i] != 0 {
				i = next(i, n)
			}
			t.slots[2*i], t.slots[2*i+1] = old[j], old[j+1]
		}
		t.missName, t.missSlot = "", -1
		return
	}
	t.slots = make([]uint64, len(old)+len(old)/2)
	n := len(t.slots)
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := home(v, n)
		for t.slots[i] != 0 {
			i = next(i, n)
		}
		t.slots[i] = v
	}
	t.missName, t.missSlot = "", -1
}

// home is the first slot of hash h among n (fewer than 2^32): its tag,
// the high 32 bits, scaled to n. A slot holds the tag of its name in its
// high 32 bits too, so home(slot, n) is its name's first slot.
func home(h uint64, n int) int { return int(h >> 32 * uint64(n) >> 32) }

// next is the slot after i among n.
func next(i, n int) int {
	if i++; i == n {
		return 0
	}
	return i
}

// len returns the number of names.
func (t *strtab) len() int { return len(t.refs) }

// name returns name id (a string in the arena: it lives as long as the
// arena's block does).
func (t *strtab) name(id int32) string { return t.arena.str(t.refs[id]) }

// refArena keeps strings in blocks of a megabyte (one allocation per
// megabyte of names, not one per name), each found by a reference of 8
// bytes instead of a string header of 16: its block (24 bits), its offset
// (20 bits) and its length plus one (20 bits); a string longer than a
// sixteenth of a block has a block of its own, and the length 0.
type refArena struct {
	blocks [][]byte
	total  int64 // bytes allocated
}

const (
	arenaBlock = 1 << 20
	refBits    = 20
	refMask    = 1<<refBits - 1
)

// add keeps a copy of s and returns its reference.
func (a *refArena) add(s string) uint64 {
	if len(s) > arenaBlock/16 {
		a.blocks = append(a.blocks, []byte(s))
		a.total += int64(len(s))
		return uint64(len(a.blocks)-1) << (2 * refBits)
	}
	n := len(a.blocks)
	if n == 0 || len(s) > cap(a.blocks[n-1])-len(a.blocks[n-1]) || cap(a.blocks[n-1]) != arenaBlock {
		a.blocks = append(a.blocks, make([]byte, 0, arenaBlock))
		a.total += arenaBlock
		n++
	}
	b := &a.blocks[n-1]
	off := len(*b)
	*b = append(*b, s...)
	return uint64(n-1)<<(2*refBits) | uint64(off)<<refBits | uint64(len(s)+1)
}

// str returns the string of reference r.
func (a *refArena) str(r uint64) string {
	b := a.blocks[r>>(2*refBits)]
	n := int(r & refMask)
	if n == 0 {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	if n == 1 {
		return ""
	}
	off := int(r >> refBits & refMask)
	return unsafe.String(&b[off], n-1)
}
