package coord

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestStrtab interns names through several doublings of the table, each
// twice, and wants dense ids in the order of first arrival, every name
// found again by its id, and names absent never found.
func TestStrtab(t *testing.T) {
	eachWidth(t, testStrtab)
}

// eachWidth runs test on a narrow table and on a wide one (the
// references in the slots).
func eachWidth(t *testing.T, test func(t *testing.T, tab *strtab)) {
	for _, wide := range []bool{false, true} {
		t.Run(map[bool]string{false: "narrow", true: "wide"}[wide], func(t *testing.T) {
			tab := newStrtab(maphash.MakeSeed())
			if wide {
				tab = newWideStrtab(maphash.MakeSeed())
			}
			test(t, tab)
		})
	}
}

func testStrtab(t *testing.T, tab *strtab) {
	want := map[string]int32{}
	var order []string
	for i := range 50000 {
		// "" and long names too; every name comes back later
		names := []string{strconv.Itoa(i % 30011), "x:" + strconv.Itoa(i*7919%40009), string(make([]byte, i%300))}
		if i%5000 == 17 {
			// a name longer than a sixteenth of an arena block: a block
			// of its own, between names that share one
			names = append(names, strings.Repeat(strconv.Itoa(i%10000), 40000))
		}
		for _, s := range names {
			id, isNew := tab.id(s)
			w, seen := want[s]
			if isNew == seen {
				t.Fatalf("%q: new %v, seen before %v", s, isNew, seen)
			}
			if !seen {
				w = int32(len(order))
				want[s] = w
				order = append(order, s)
			}
			if id != w {
				t.Fatalf("%q: id %d, want %d", s, id, w)
			}
		}
	}
	if tab.len() != len(order) {
		t.Fatalf("%d names, want %d", tab.len(), len(order))
	}
	for id, s := range order {
		if tab.name(int32(id)) != s {
			t.Fatalf("name %d is %q, want %q", id, tab.name(int32(id)), s)
		}
		if got, ok := tab.find(s); !ok || got != int32(id) {
			t.Fatalf("find %q: %d %v", s, got, ok)
		}
	}
	for _, s := range []string{"absent", "x:-1", "30011"} {
		if _, ok := tab.find(s); ok {
			t.Fatalf("found %q, never added", s)
		}
	}
}

// TestStrtabGrowth: the table is never more than 70 % full before the
// name added last (it grows on the add after) and, once
// past its first size, never holds more than 1.5/0.7 slots a name (a
// doubling table holds up to 2/0.7: 2.86 slots a name just after it
// grows); at sizes just past each growth of a doubling table too.
func TestStrtabGrowth(t *testing.T) {
	eachWidth(t, testStrtabGrowth)
}

func testStrtabGrowth(t *testing.T, tab *strtab) {
	next := 0
	for _, n := range []int{1000, 5000, 22939, 45876, 91751, 100000} {
		for ; next < n; next++ {
			tab.add("x:" + strconv.Itoa(next))
		}
		if (len(tab.refs)-1)*10 > tab.slotCount()*7 {
			t.Fatalf("%d names in %d slots: over 70 %% full", n, tab.slotCount())
		}
		if r := float64(tab.slotCount()) / float64(n); r > 1.5/0.7+0.01 {
			t.Errorf("%d names in %d slots: %.2f a name", n, tab.slotCount(), r)
		}
	}
	for i := range next {
		if id, ok := tab.find("x:" + strconv.Itoa(i)); !ok || id != int32(i) {
			t.Fatalf("find x:%d: %d %v", i, id, ok)
		}
	}
}

// TestStrtabGrowReadsNoName: growing places the names again from their
// slots alone, without reading one (the arena is taken away while the
// table grows: a grow that hashes the names again fails), and every name
// is found after.
func TestStrtabGrowReadsNoName(t *testing.T) {
	eachWidth(t, testStrtabGrowReadsNoName)
}

func testStrtabGrowReadsNoName(t *testing.T, tab *strtab) {
	for i := range 20000 {
		tab.add("g:" + strconv.Itoa(i))
	}
	for range 3 {
		blocks := tab.arena.blocks
		tab.arena.blocks = nil
		refs := tab.refs
		tab.refs = nil // a wide table's references are in its slots
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("grow read a name: %v", r)
				}
			}()
			tab.grow()
		}()
		tab.arena.blocks, tab.refs = blocks, refs
		for i := range 20000 {
			if id, ok := tab.find("g:" + strconv.Itoa(i)); !ok || id != int32(i) {
				t.Fatalf("after growing, find g:%d: %d %v", i, id, ok)
			}
		}
		if _, ok := tab.find("g:20000"); ok {
			t.Fatal("found g:20000, never added")
		}
	}
}

// TestWideStrtabFindsFromSlots: a wide table finds a name from its slot
// and the name alone, never the references by id (taken away while it
// looks every name up, and names it never held); a narrow one reads
// them.
func TestWideStrtabFindsFromSlots(t *testing.T) {
	tab := newWideStrtab(maphash.MakeSeed())
	for i := range 30000 {
		tab.add("w:" + strconv.Itoa(i))
	}
	refs := tab.refs
	tab.refs = nil
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("a wide table's lookup read the references: %v", r)
		}
	}()
	for i := range 30000 {
		if id, ok := tab.find("w:" + strconv.Itoa(i)); !ok || id != int32(i) {
			t.Fatalf("find w:%d: %d %v", i, id, ok)
		}
	}
	for i := range 1000 {
		if _, ok := tab.find("v:" + strconv.Itoa(i)); ok {
			t.Fatalf("found v:%d, never added", i)
		}
	}
	tab.refs = refs
}

// BenchmarkStrtabFind: lookups that find a name, in random order, in a
// table of 48,000 names (the 1M synthetic set's accounts) and of
// 480,000, narrow and wide; ns/op is per lookup.
func BenchmarkStrtabFind(b *testing.B) {
	for _, n := range []int{48_000, 480_000} {
		names := make([]string, n)
		for i := range names {
			names[i] = "synth:a" + strconv.Itoa(i)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		ask := make([]string, 1<<20)
		for i := range ask {
			ask[i] = names[rng.IntN(n)]
		}
		for _, wide := range []bool{false, true} {
			b.Run(fmt.Sprintf("%d/%s", n, map[bool]string{false: "narrow", true: "wide"}[wide]), func(b *testing.B) {
				tab := newStrtab(maphash.MakeSeed())
				if wide {
					tab = newWideStrtab(maphash.MakeSeed())
				}
				for _, s := range names {
					tab.add(s)
				}
				i := 0
				for b.Loop() {
					if _, ok := tab.find(ask[i&(len(ask)-1)]); !ok {
						b.Fatal("not found")
					}
					i++
				}
			})
		}
	}
}
