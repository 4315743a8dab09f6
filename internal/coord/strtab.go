package coord

import "hash/maphash"

// strtab interns strings to dense ids 0, 1, … in the order they come: an
// open-addressing table of 8-byte slots (32 bits of the hash, the id plus
// one) over the names, each kept once in an arena. A lookup that misses
// remembers where the name would go, so that adding it next costs no
// second probe. It holds 8 bytes a slot, 1.4 to 2.9 slots a name, and
// the name (16 bytes and its bytes); a map[string]int32 and a slice of
// the names hold about 45 bytes a name beside its bytes.
type strtab struct {
	seed  maphash.Seed
	slots []uint64
	names []string
	arena arena

	// the last lookup that missed: its name's hash and free slot
	missName string
	missHash uint64
	missSlot int
}

func newStrtab(seed maphash.Seed) *strtab {
	return &strtab{seed: seed, slots: make([]uint64, 1024), missSlot: -1}
}

// find returns the id of s, or false (then add(s) adds it).
func (t *strtab) find(s string) (int32, bool) {
	h := maphash.String(t.seed, s)
	mask := len(t.slots) - 1
	tag := h >> 32
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := t.slots[i]
		if v == 0 {
			t.missName, t.missHash, t.missSlot = s, h, i
			return 0, false
		}
		if v>>32 == tag {
			if id := int32(uint32(v)) - 1; t.names[id] == s {
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
	if len(t.names)*10 >= len(t.slots)*7 { // at most 70 % full
		t.grow()
	}
	if t.missSlot < 0 || t.missName != s {
		if _, ok := t.find(s); ok {
			panic("coord: strtab.add of a name it holds")
		}
	}
	id := int32(len(t.names))
	t.slots[t.missSlot] = t.missHash>>32<<32 | uint64(id+1)
	t.names = append(t.names, t.arena.str(s))
	t.missName, t.missSlot = "", -1
	return id
}

// grow doubles the slots and places every name again.
func (t *strtab) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	mask := len(t.slots) - 1
	for id, s := range t.names {
		h := maphash.String(t.seed, s)
		i := int(h) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h>>32<<32 | uint64(id+1)
	}
	t.missName, t.missSlot = "", -1
}
