package sqlstore

// postCache is an import's cache of the posts it wrote or read: each
// post's id, author and packed shares under the hash of its UID (the
// import's filter's hash, computed once a post), with no pointer for the
// garbage collector to follow. A map of strings to structs of strings and
// slices held the same for up to 2^20 posts with three pointers each, and
// marking them took a third of an import's CPU past half a million posts
// (docs/benchmarks.md, branch importrate); this map and its chunks of
// bytes are scanned by nobody.
//
// The table is Go's map made by hand for this use: a post is only ever
// added (or replaced in place), and dropped only by halve, which keeps the
// posts cached last and builds the table again.
//
// Two UIDs of one hash (a 64-bit hash: about one import in 10^7 of a
// million posts) cannot both stay: put reports the one it replaces, which
// the import writes and treats as evicted.
type postCache struct {
	table  []postEntry // open addressing with linear probing: at most half full, its length a power of 2
	slots  slotPages   // the posts, in the order cached; table entries name them
	chunks [][]byte    // UIDs, authors and packed shares, appended; never written over
}

// postEntry is a position of the cache's table: a post's hash and 1 + its
// slot (0: empty). Sixteen bytes, four to a cache line: a lookup of a
// post not cached reads one line where Go's map read a group's control
// word and then its slots (docs/benchmarks.md, branch importfast).
type postEntry struct {
	h    uint64
	slot uint32
}

// postSlot is a cached post: its ids, and where its UID, author UID and
// packed shares are in the chunks (one after the other).
type postSlot struct {
	id, account                int64
	chunk, off                 uint32
	uidLen, authorLen, sharesN uint32
	rows                       bool // read from the database: share rows of it may be there too
}

// slotPages holds the slots in pages of 1<<slotPageLog: growing never
// copies them (a slice of a million slots grown by append held the old
// and the new array at once, 40 MB and 50).
type slotPages struct {
	pages [][]postSlot
	n     int
}

const slotPageLog = 14

func (s *slotPages) at(i uint32) *postSlot {
	return &s.pages[i>>slotPageLog][i&(1<<slotPageLog-1)]
}

func (s *slotPages) add(v postSlot) {
	if s.n>>slotPageLog == len(s.pages) {
		s.pages = append(s.pages, make([]postSlot, 1<<slotPageLog))
	}
	s.pages[s.n>>slotPageLog][s.n&(1<<slotPageLog-1)] = v
	s.n++
}

// postChunk is the size of a chunk of the cache's bytes.
const postChunk = 1 << 20

// postTableMin is the table's first length.
const postTableMin = 1 << 10

func newPostCache() *postCache { return &postCache{table: make([]postEntry, postTableMin)} }

func (c *postCache) len() int { return c.slots.n }

// bytes returns the bytes of s, in a chunk.
func (c *postCache) bytes(s postSlot) []byte {
	n := s.uidLen + s.authorLen + s.sharesN
	return c.chunks[s.chunk][s.off : s.off+n : s.off+n]
}

// find returns the table position of hash h, or of the empty position
// where it would go.
func (c *postCache) find(h uint64) int {
	mask := len(c.table) - 1
	i := int(h) & mask
	for c.table[i].slot != 0 && c.table[i].h != h {
		i = (i + 1) & mask
	}
	return i
}

// get returns the post of UID uid whose hash is h.
func (c *postCache) get(h uint64, uid string) (postRef, bool) {
	p, ok, _ := c.lookup(h, uid)
	return p, ok
}

// lookup is get, and reports too whether a post of hash h is cached
// (taken): when it is not, putNew may cache the post of that hash.
func (c *postCache) lookup(h uint64, uid string) (p postRef, ok, taken bool) {
	e := c.table[c.find(h)]
	if e.slot == 0 {
		return postRef{}, false, false
	}
	s := *c.slots.at(e.slot - 1)
	b := c.bytes(s)
	if string(b[:s.uidLen]) != uid {
		return postRef{}, false, true // another UID of the same hash
	}
	return postRef{id: s.id, account: s.account, author: string(b[s.uidLen : s.uidLen+s.authorLen]),
		shares: b[s.uidLen+s.authorLen:], rows: s.rows}, true, true
}

// put caches p as the post of UID uid whose hash is h, and returns the
// UID of another post of the same hash that it replaced ("" when none).
func (c *postCache) put(h uint64, uid string, p postRef) string {
	i := c.find(h)
	if e := c.table[i]; e.slot != 0 {
		var other string
		s := c.slots.at(e.slot - 1)
		if b := c.bytes(*s); string(b[:s.uidLen]) != uid {
			other = string(b[:s.uidLen])
		}
		*s = c.slot(uid, p) // in place: the old bytes stay in their chunk
		return other
	}
	c.insert(i, h, uid, p)
	return ""
}

// putNew is put of a post whose hash no cached post has (lookup said so,
// or the import's filter of written keys): the position it probes is
// the one lookup read, in the cache's lines already.
func (c *postCache) putNew(h uint64, uid string, p postRef) {
	c.insert(c.find(h), h, uid, p)
}

// insert caches the post at table position i, empty, growing the table
// when it would be more than half full.
func (c *postCache) insert(i int, h uint64, uid string, p postRef) {
	if e := c.table[i]; e.slot != 0 { // taken after all: replaced in place, as put does
		*c.slots.at(e.slot - 1) = c.slot(uid, p)
		return
	}
	c.slots.add(c.slot(uid, p))
	c.table[i] = postEntry{h: h, slot: uint32(c.slots.n)}
	if 2*c.slots.n > len(c.table) {
		c.rehash(2 * len(c.table))
	}
}

// slot appends the bytes of post uid to the chunks and returns its slot.
func (c *postCache) slot(uid string, p postRef) postSlot {
	n := len(uid) + len(p.author) + len(p.shares)
	last := len(c.chunks) - 1
	if last < 0 || cap(c.chunks[last])-len(c.chunks[last]) < n {
		c.chunks = append(c.chunks, make([]byte, 0, max(postChunk, n)))
		last++
	}
	b := c.chunks[last]
	off := len(b)
	b = append(b, uid...)
	b = append(b, p.author...)
	b = append(b, p.shares...)
	c.chunks[last] = b
	return postSlot{id: p.id, account: p.account, chunk: uint32(last), off: uint32(off),
		uidLen: uint32(len(uid)), authorLen: uint32(len(p.author)), sharesN: uint32(len(p.shares)), rows: p.rows}
}

// rehash makes the table n positions long and enters every slot again.
func (c *postCache) rehash(n int) {
	old := c.table
	c.table = make([]postEntry, n)
	for _, e := range old {
		if e.slot != 0 {
			c.table[c.find(e.h)] = e
		}
	}
}

// halve drops the older half of the posts (those cached first) when
// there are more than a quarter of cacheLimit, calling dropped with the
// hash of each, and copies the rest into new chunks (the bytes of dropped
// posts and of replaced shares are freed).
func (c *postCache) halve(dropped func(h uint64)) {
	if c.slots.n <= cacheLimit/4 {
		return
	}
	drop := uint32(c.slots.n / 2)
	kept := make([]postEntry, 0, c.slots.n-int(drop))
	for _, e := range c.table {
		switch {
		case e.slot == 0:
		case e.slot <= drop:
			dropped(e.h)
		default:
			kept = append(kept, postEntry{h: e.h, slot: e.slot - drop})
		}
	}
	old, oldChunks := c.slots, c.chunks
	c.slots, c.chunks = slotPages{}, nil
	for i := drop; i < uint32(old.n); i++ {
		s := *old.at(i)
		b := oldChunks[s.chunk][s.off : s.off+s.uidLen+s.authorLen+s.sharesN]
		last := len(c.chunks) - 1
		if last < 0 || cap(c.chunks[last])-len(c.chunks[last]) < len(b) {
			c.chunks = append(c.chunks, make([]byte, 0, max(postChunk, len(b))))
			last++
		}
		s.chunk, s.off = uint32(last), uint32(len(c.chunks[last]))
		c.chunks[last] = append(c.chunks[last], b...)
		c.slots.add(s)
	}
	n := postTableMin
	for n < 4*c.slots.n {
		n *= 2
	}
	c.table = make([]postEntry, n)
	for _, e := range kept {
		c.table[c.find(e.h)] = e
	}
}

// reset empties the cache.
func (c *postCache) reset() {
	*c = *newPostCache()
}
