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
// Two UIDs of one hash (a 64-bit hash: about one import in 10^7 of a
// million posts) cannot both stay: put reports the one it replaces, which
// the import writes and treats as evicted.
type postCache struct {
	m      map[uint64]postSlot
	chunks [][]byte // UIDs, authors and packed shares, appended; never written over
}

// postSlot is a cached post: its ids, and where its UID, author UID and
// packed shares are in the chunks (one after the other).
type postSlot struct {
	id, account                int64
	chunk, off                 uint32
	uidLen, authorLen, sharesN uint32
	rows                       bool // read from the database: share rows of it may be there too
}

// postChunk is the size of a chunk of the cache's bytes.
const postChunk = 1 << 20

func newPostCache() *postCache { return &postCache{m: map[uint64]postSlot{}} }

func (c *postCache) len() int { return len(c.m) }

// bytes returns the bytes of s, in a chunk.
func (c *postCache) bytes(s postSlot) []byte {
	n := s.uidLen + s.authorLen + s.sharesN
	return c.chunks[s.chunk][s.off : s.off+n : s.off+n]
}

// get returns the post of UID uid whose hash is h.
func (c *postCache) get(h uint64, uid string) (postRef, bool) {
	s, ok := c.m[h]
	if !ok {
		return postRef{}, false
	}
	b := c.bytes(s)
	if string(b[:s.uidLen]) != uid {
		return postRef{}, false // another UID of the same hash
	}
	return postRef{id: s.id, account: s.account, author: string(b[s.uidLen : s.uidLen+s.authorLen]),
		shares: b[s.uidLen+s.authorLen:], rows: s.rows}, true
}

// put caches p as the post of UID uid whose hash is h, and returns the
// UID of another post of the same hash that it replaced ("" when none).
func (c *postCache) put(h uint64, uid string, p postRef) string {
	var other string
	if s, ok := c.m[h]; ok {
		if b := c.bytes(s); string(b[:s.uidLen]) != uid {
			other = string(b[:s.uidLen])
		}
	}
	c.putNew(h, uid, p)
	return other
}

// putNew is put of a post whose hash no cached post has (the import's
// filter of written keys said so): without looking the hash up first,
// which was a map miss, about a fifth of the import's time in the cache.
func (c *postCache) putNew(h uint64, uid string, p postRef) {
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
	c.m[h] = postSlot{id: p.id, account: p.account, chunk: uint32(last), off: uint32(off),
		uidLen: uint32(len(uid)), authorLen: uint32(len(p.author)), sharesN: uint32(len(p.shares)), rows: p.rows}
}

// halve drops half the posts when there are more than a quarter of
// cacheLimit, calling dropped with the hash of each, and copies the rest
// into new chunks (the bytes of dropped posts and of replaced shares are
// freed).
func (c *postCache) halve(dropped func(h uint64)) {
	if len(c.m) <= cacheLimit/4 {
		return
	}
	drop := len(c.m) / 2
	for h := range c.m {
		if drop == 0 {
			break
		}
		delete(c.m, h)
		dropped(h)
		drop--
	}
	old := c.chunks
	c.chunks = nil
	for h, s := range c.m {
		b := old[s.chunk][s.off : s.off+s.uidLen+s.authorLen+s.sharesN]
		last := len(c.chunks) - 1
		if last < 0 || cap(c.chunks[last])-len(c.chunks[last]) < len(b) {
			c.chunks = append(c.chunks, make([]byte, 0, max(postChunk, len(b))))
			last++
		}
		s.chunk, s.off = uint32(last), uint32(len(c.chunks[last]))
		c.chunks[last] = append(c.chunks[last], b...)
		c.m[h] = s
	}
}

// reset empties the cache.
func (c *postCache) reset() {
	clear(c.m)
	c.chunks = nil
}
