package sqlstore

import (
	"fmt"
	"testing"
)

// TestPostCache: posts read back as cached (put, or putNew for a hash
// not cached), shares replaced, a second UID
// of one hash reported and then the one found, halving keeps half of the
// posts intact (their bytes moved to new chunks) and names each it drops.
func TestPostCache(t *testing.T) {
	defer func(old int) { cacheLimit = old }(cacheLimit)
	cacheLimit = 1000
	c := newPostCache()
	want := map[uint64]postRef{}
	for i := range 900 {
		p := postRef{id: int64(i + 1), account: int64(i % 7), author: fmt.Sprintf("other:a%d", i%7), shares: []byte(fmt.Sprintf("s%d", i)), rows: i%3 == 0}
		if i == 5 {
			p.author, p.shares = "", nil
		}
		if i%2 == 1 { // a hash the cache has not seen: putNew, as the import after its filter said new
			c.putNew(uint64(i), fmt.Sprintf("other:p%d", i), p)
		} else if other := c.put(uint64(i), fmt.Sprintf("other:p%d", i), p); other != "" {
			t.Fatalf("put %d replaced %q", i, other)
		}
		want[uint64(i)] = p
	}
	// a post's shares replaced: the bytes before stay unwritten
	p, _ := c.get(7, "other:p7")
	before := p.shares
	p.shares = append(p.shares, "+more"...)
	c.put(7, "other:p7", p)
	want[7] = p
	if string(before) != "s7" {
		t.Fatalf("shares read before the put became %q", before)
	}
	check := func() {
		t.Helper()
		for h, w := range want {
			uid := fmt.Sprintf("other:p%d", h)
			g, ok := c.get(h, uid)
			if !ok || g.id != w.id || g.account != w.account || g.author != w.author || string(g.shares) != string(w.shares) || g.rows != w.rows {
				t.Fatalf("get %s: %+v %v, want %+v", uid, g, ok, w)
			}
			if _, ok := c.get(h, uid+"x"); ok {
				t.Fatalf("get %sx found the post of %s", uid, uid)
			}
		}
	}
	check()
	if other := c.put(3, "other:collides", postRef{id: 1000}); other != "other:p3" {
		t.Fatalf("a second UID of hash 3 replaced %q, want other:p3", other)
	}
	if _, ok := c.get(3, "other:p3"); ok {
		t.Fatal("the replaced post is still found")
	}
	if g, ok := c.get(3, "other:collides"); !ok || g.id != 1000 {
		t.Fatalf("the post that replaced it: %+v %v", g, ok)
	}
	delete(want, 3)
	c.put(3, "other:p3", postRef{id: 4})
	want[3] = postRef{id: 4}
	var dropped []uint64
	c.halve(func(h uint64) { dropped = append(dropped, h) })
	if len(dropped) != 450 || c.len() != 450 {
		t.Fatalf("halving 900 posts dropped %d and kept %d", len(dropped), c.len())
	}
	for _, h := range dropped {
		if h >= 450 && h != 3 { // the older half goes (post 3 was cached again last)
			t.Fatalf("halving dropped post %d, cached in the later half", h)
		}
		delete(want, h)
		if _, ok := c.get(h, fmt.Sprintf("other:p%d", h)); ok {
			t.Fatalf("post %d dropped and still found", h)
		}
	}
	check()
	c.reset()
	if c.len() != 0 {
		t.Fatal("reset left posts")
	}
}

// TestPostCacheLookup: lookup tells a hash not cached (putNew may take
// it) from another UID of a cached hash, across the table's growth, and
// a putNew of a hash taken after all replaces its post instead of
// entering the hash twice.
func TestPostCacheLookup(t *testing.T) {
	c := newPostCache()
	const n = 40000 // the table grows from 1,024 positions, the slots fill three pages
	for i := range n {
		h := uint64(i) * 0x9E3779B97F4A7C15
		uid := fmt.Sprintf("p%d", i)
		if _, ok, taken := c.lookup(h, uid); ok || taken {
			t.Fatalf("post %d found (%v) or its hash taken (%v) before it was cached", i, ok, taken)
		}
		c.putNew(h, uid, postRef{id: int64(i + 1)})
	}
	for i := range n {
		h := uint64(i) * 0x9E3779B97F4A7C15
		if p, ok, taken := c.lookup(h, fmt.Sprintf("p%d", i)); !ok || !taken || p.id != int64(i+1) {
			t.Fatalf("post %d: %+v found %v taken %v", i, p, ok, taken)
		}
		if _, ok, taken := c.lookup(h, "other"); ok || !taken {
			t.Fatalf("another UID of post %d's hash: found %v taken %v", i, ok, taken)
		}
	}
	c.putNew(0, "again", postRef{id: 99})
	if c.len() != n {
		t.Fatalf("a putNew of a hash cached made %d posts, want %d", c.len(), n)
	}
	if p, ok := c.get(0, "again"); !ok || p.id != 99 {
		t.Fatalf("the post put over hash 0: %+v %v", p, ok)
	}
}

// BenchmarkPostCacheNew measures what an import does for each new post
// of a fresh dataset: a lookup that misses, then the post cached (1M
// posts, a fresh cache each time).
func BenchmarkPostCacheNew(b *testing.B) {
	const n = 1 << 20
	uids := make([]string, n)
	for i := range uids {
		uids[i] = fmt.Sprintf("p%d", i)
	}
	f := newFilter()
	hs := make([]uint64, n)
	for i, u := range uids {
		hs[i] = f.hashUID(tagPost, u)
	}
	b.ResetTimer()
	for b.Loop() {
		c := newPostCache()
		for i, u := range uids {
			if _, ok := c.get(hs[i], u); ok {
				b.Fatal("found")
			}
			c.putNew(hs[i], u, postRef{id: int64(i + 1), account: 7, author: "a1234", shares: []byte("0123456789")})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/post")
}
