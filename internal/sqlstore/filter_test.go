package sqlstore

import (
	"strconv"
	"testing"
)

// TestFilter: a key added is always found (no false negative, across the
// filter's growth into several parts), a key never added is found at a
// rate below filterRate, and the filter takes at most 2 bytes per key
// when its parts are full (its newest part is made whole: between two
// such points it takes up to twice that).
func TestFilter(t *testing.T) {
	n := filterFirst * (1<<6 - 1) / 2 // two keys each: six full parts of 16k to 512k keys
	if testing.Short() {
		n = filterFirst * (1<<4 - 1) / 2
	}
	f := newFilter()
	for i := range n {
		f.add(f.hashUID(tagPost, "p"+strconv.Itoa(i)))
		f.add(f.hashUID(tagAccount, "https://example.org/"+strconv.Itoa(i)))
	}
	for i := range n {
		if !f.has(f.hashUID(tagPost, "p"+strconv.Itoa(i))) {
			t.Fatalf("post p%d added, not found", i)
		}
		if !f.has(f.hashUID(tagAccount, "https://example.org/"+strconv.Itoa(i))) {
			t.Fatalf("account %d added, not found", i)
		}
	}
	fp := 0
	for i := range n {
		if f.has(f.hashUID(tagAccount, "p"+strconv.Itoa(i))) { // the tag tells an account from a post of the same UID
			fp++
		}
		if f.has(f.hashUID(tagPost, "https://example.org/"+strconv.Itoa(i))) {
			fp++
		}
	}
	rate := float64(fp) / float64(2*n)
	perKey := float64(f.bytes()) / float64(f.n)
	t.Logf("%d keys in %d parts, %.2f bytes a key, false positives %.3f%%", f.n, len(f.parts), perKey, 100*rate)
	if rate > filterRate {
		t.Errorf("false-positive rate %.3f%%, want below %.1f%%", 100*rate, 100*filterRate)
	}
	if perKey > 2 {
		t.Errorf("%.2f bytes a key, want at most 2", perKey)
	}
}

// TestFilterEmpty: an empty filter holds nothing.
func TestFilterEmpty(t *testing.T) {
	f := newFilter()
	if f.has(f.hashUID(tagPost, "x")) || f.bytes() != 0 {
		t.Fatal("an empty filter holds a key or takes memory")
	}
}

// TestFilterSeeds: a filter made with another's seeds (the import's
// filter of evicted keys) hashes as it does, and the two tags hash one UID
// apart.
func TestFilterSeeds(t *testing.T) {
	f := newFilter()
	g := &filter{seeds: f.seeds}
	for _, uid := range []string{"", "p1", "twitter:1234567890123456789"} {
		if f.hashUID(tagPost, uid) != g.hashUID(tagPost, uid) || f.hashUID(tagAccount, uid) != g.hashUID(tagAccount, uid) {
			t.Fatalf("%q: the same seeds hash apart", uid)
		}
		if f.hashUID(tagPost, uid) == f.hashUID(tagAccount, uid) {
			t.Fatalf("%q: a post and an account of one UID hash alike", uid)
		}
	}
}

// BenchmarkHashUID measures the hash of a post's UID.
func BenchmarkHashUID(b *testing.B) {
	f := newFilter()
	uids := make([]string, 1024)
	for i := range uids {
		uids[i] = "twitter:14" + strconv.Itoa(1e15+i*7919)
	}
	var x uint64
	for i := 0; b.Loop(); i++ {
		x += f.hashUID(tagPost, uids[i&1023])
	}
	if x == 1 {
		b.Log(x)
	}
}
