package imagehash

import (
	"bytes"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func testHash(r *rand.Rand) Hash { return Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()} }

// testFlip returns h with exactly n distinct random bits flipped.
func testFlip(r *rand.Rand, h Hash, n int) Hash {
	for _, b := range r.Perm(256)[:n] {
		h[b/64] ^= 1 << (b % 64)
	}
	return h
}

// plantedPictures are n pictures: random ones, and groups whose members
// are copies of a base picture with up to spread bits flipped, placed in
// any of their turns, mirrors or frame (as a re-post turned by a quarter,
// mirrored or framed hashes), some exactly at the radius and one bit
// beyond, and chains (each copy near the last, far from the first).
func plantedPictures(seed uint64, n, spread int) ([]Hashes, []int) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	random := func() Hashes {
		var h Hashes
		for i := range h.Dihedral {
			h.Dihedral[i] = testHash(r)
		}
		if r.IntN(5) == 0 {
			h.Trimmed, h.HasTrimmed = testHash(r), true
		}
		return h
	}
	var hs []Hashes
	var qs []int
	for len(hs) < n {
		base := random()
		hs = append(hs, base)
		qs = append(qs, 40+r.IntN(61)) // some under MinQuality
		switch r.IntN(3) {
		case 0: // alone
		case 1: // copies of base
			for range 1 + r.IntN(6) {
				c := random()
				slot := r.IntN(10)
				src := base.Dihedral[Original]
				if r.IntN(4) == 0 && base.HasTrimmed {
					src = base.Trimmed
				}
				near := testFlip(r, src, r.IntN(spread+2))
				switch {
				case slot < 8:
					c.Dihedral[slot] = near // c turned by slot is base
				default:
					c.Trimmed, c.HasTrimmed = near, true // c framed is base
				}
				hs = append(hs, c)
				qs = append(qs, 40+r.IntN(61))
			}
		case 2: // a chain
			last := base.Dihedral[Original]
			for range 2 + r.IntN(4) {
				c := random()
				last = testFlip(r, last, spread/2+r.IntN(spread/2+2))
				c.Dihedral[Original] = last
				hs = append(hs, c)
				qs = append(qs, 90)
			}
		}
	}
	// shuffle, so that groups are not runs of indexes
	perm := r.Perm(len(hs))
	outH, outQ := make([]Hashes, len(hs)), make([]int, len(hs))
	for i, j := range perm {
		outH[j], outQ[j] = hs[i], qs[i]
	}
	return outH, outQ
}

// TestClusterMatchesScan: the multi-index finds exactly the groups a
// comparison of every pair finds, for every number of chunks from 4 to 64
// and radii from 0 to 40, on random pictures with planted copies, turns,
// mirrors, frames and chains.
func TestClusterMatchesScan(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 400
	}
	for _, d := range []int{0, 1, 3, 7, 10, 11, 15, 16, 20, 31, 40} {
		hs, qs := plantedPictures(uint64(d)+1, n, d)
		want := clusterScan(hs, qs, d)
		groups := map[int]int{}
		for _, l := range want {
			groups[l]++
		}
		linked := 0
		for _, c := range groups {
			if c > 1 {
				linked += c
			}
		}
		if d > 0 && linked < n/10 {
			t.Fatalf("radius %d: only %d of %d pictures are in groups: the planted data plants too little", d, linked, len(hs))
		}
		if got := Cluster(hs, qs, d); !slices.Equal(got, want) {
			t.Errorf("radius %d: Cluster differs from a scan of every pair (%d pictures in groups)", d, linked)
		}
		for k := 8; k <= 64; k += 1 + k/8 {
			plan := fixedPlan(d, k)
			keys := 0.0
			for _, tb := range plan {
				keys += ball(tb.width, tb.radius)
			}
			if keys > 5_000 {
				continue // too slow for a test (a plan planTables does not choose)
			}
			if got := clusterTables(hs, qs, d, plan); !slices.Equal(got, want) {
				t.Errorf("radius %d, %d chunks: the multi-index differs from a scan of every pair", d, k)
			}
		}
	}
}

// fixedPlan is planTables's plan for k chunks.
func fixedPlan(d, k int) []table {
	var p []table
	start := 0
	q, rem := (d+1)/k, (d+1)%k
	for t := range k {
		width := 256 / k
		if t < 256%k {
			width++
		}
		r := q - 1
		if t < rem {
			r = q
		}
		if r >= 0 {
			p = append(p, table{start: start, width: width, radius: r})
		}
		start += width
	}
	return p
}

// TestPlanTables: every plan's chunks are disjoint, within the 256 bits,
// and their radii plus one add up to more than the distance (the
// pigeonhole that makes the search exact); at the same-picture radius
// among 10⁶ hashes, eleven exact lookups of 23- or 24-bit chunks.
func TestPlanTables(t *testing.T) {
	for _, n := range []int{1, 100, 100_000, 1_000_000, 20_000_000} {
		for d := range 64 {
			plan, ok := planTables(d, n)
			if !ok {
				continue
			}
			sum, end := 0, 0
			for _, tb := range plan {
				if tb.start < end || tb.width < 1 || tb.width > 32 || tb.start+tb.width > 256 || tb.radius < 0 {
					t.Fatalf("n %d, d %d: bad table %+v in %+v", n, d, tb, plan)
				}
				end = tb.start + tb.width
				sum += tb.radius + 1
			}
			if sum < d+1 {
				t.Fatalf("n %d, d %d: radii+1 add up to %d: a pair %d bits apart could be missed (%+v)", n, d, sum, d, plan)
			}
		}
	}
	plan, ok := planTables(SameImage, 1_000_000)
	if !ok || len(plan) != 11 || plan[0].width != 24 || plan[10].width != 23 || plan[0].radius != 0 {
		t.Errorf("planTables(10, 10⁶) = %+v, %v; want 11 exact lookups of 23 or 24 bits", plan, ok)
	}
}

// TestTableKey: a chunk's key is its bits, across word boundaries too.
func TestTableKey(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 200 {
		h := testHash(r)
		start := r.IntN(256)
		width := 1 + r.IntN(min(64, 256-start))
		var want uint64
		for b := range width {
			bit := (h[(start+b)/64] >> ((start + b) % 64)) & 1
			want |= bit << b
		}
		if got := (table{start: start, width: width}).key(h); got != want {
			t.Fatalf("key(start %d, width %d) = %x, want %x", start, width, got, want)
		}
	}
}

// TestNeighbours: every key within the radius, each once.
func TestNeighbours(t *testing.T) {
	for _, c := range []struct{ width, r int }{{8, 0}, {8, 1}, {8, 3}, {20, 2}, {5, 5}} {
		seen := map[uint64]int{}
		neighbours(0b1011, c.width, c.r, func(k uint64) { seen[k]++ })
		want := 0
		for k := range uint64(1) << c.width {
			if countBits(k^0b1011) <= c.r {
				want++
				if seen[k] != 1 {
					t.Fatalf("width %d, radius %d: key %b seen %d times", c.width, c.r, k, seen[k])
				}
			}
		}
		if len(seen) != want || float64(want) != ball(c.width, c.r) {
			t.Fatalf("width %d, radius %d: %d keys, want %d (ball %v)", c.width, c.r, len(seen), want, ball(c.width, c.r))
		}
	}
}

func countBits(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// realPictures are the hashes of real photographs (ThreatExchange's
// reference pictures, BSD, in testdata) and of edits of each: cuts off
// every side and off one, halving, brightening, lowering the contrast,
// a white frame; with their qualities. The edits of one picture are 0 to
// about 60 bits from each other, different pictures about 128: real
// hashes, whose bits are not independent as random ones are.
func realPictures(t *testing.T) ([]Hashes, []int) {
	files, _ := filepath.Glob(filepath.Join("testdata", "threatexchange", "*.jpg"))
	if len(files) == 0 {
		t.Fatal("no pictures in testdata/threatexchange")
	}
	type edit func(lum []float32, w, h int) ([]float32, int, int)
	cut := func(l, tp, r, b float64) edit {
		return func(lum []float32, w, h int) ([]float32, int, int) {
			x0, y0 := int(float64(w)*l), int(float64(h)*tp)
			x1, y1 := w-int(float64(w)*r), h-int(float64(h)*b)
			out := make([]float32, 0, (x1-x0)*(y1-y0))
			for y := y0; y < y1; y++ {
				out = append(out, lum[y*w+x0:y*w+x1]...)
			}
			return out, x1 - x0, y1 - y0
		}
	}
	edits := []edit{
		cut(0, 0, 0, 0), cut(0.005, 0.005, 0.005, 0.005), cut(0.01, 0.01, 0.01, 0.01),
		cut(0, 0, 0, 0.02), cut(0.03, 0, 0, 0),
		func(lum []float32, w, h int) ([]float32, int, int) { // half size
			out := make([]float32, 0, (w/2)*(h/2))
			for y := 0; y+1 < h; y += 2 {
				for x := 0; x+1 < w; x += 2 {
					out = append(out, (lum[y*w+x]+lum[y*w+x+1]+lum[(y+1)*w+x]+lum[(y+1)*w+x+1])/4)
				}
			}
			return out, w / 2, h / 2
		},
		func(lum []float32, w, h int) ([]float32, int, int) { // white frame
			m := w / 20
			fw, fh := w+2*m, h+2*m
			out := make([]float32, fw*fh)
			for i := range out {
				out[i] = 255
			}
			for y := range h {
				copy(out[(y+m)*fw+m:], lum[y*w:y*w+w])
			}
			return out, fw, fh
		},
	}
	if !testing.Short() {
		edits = append(edits,
			cut(0.015, 0.015, 0.015, 0.015), cut(0.02, 0.02, 0.02, 0.02), cut(0.03, 0.03, 0.03, 0.03),
			cut(0, 0, 0, 0.01), cut(0, 0, 0, 0.04), cut(0.01, 0, 0, 0), cut(0, 0.02, 0, 0),
			func(lum []float32, w, h int) ([]float32, int, int) { // brighter
				out := make([]float32, len(lum))
				for i, v := range lum {
					out[i] = min(255, v+25)
				}
				return out, w, h
			},
			func(lum []float32, w, h int) ([]float32, int, int) { // less contrast
				out := make([]float32, len(lum))
				for i, v := range lum {
					out[i] = 64 + v/2
				}
				return out, w, h
			})
	}
	var hs []Hashes
	var qs []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(f, err)
		}
		lum, w, h := Luminance(img)
		for _, e := range edits {
			l, ew, eh := e(lum, w, h)
			l = slices.Clone(l)
			var x Hashes
			if in, tw, th := trimmed(l, ew, eh); in != nil {
				d, _ := pdq(in, tw, th)
				x.Trimmed, x.HasTrimmed = d[Original], true
			}
			var q int
			x.Dihedral, q = pdq(l, ew, eh)
			hs, qs = append(hs, x), append(qs, q)
		}
	}
	return hs, qs
}

// TestClusterRealPictures: on real hashes, the multi-index (the plans
// chosen for 10⁵ and 10⁶ pictures, and fixed ones of 8 to 64 chunks),
// run by several workers on small blocks, finds exactly the groups a
// comparison of every pair finds, at every radius from 0 to 40; and the
// set has pairs in both tiers, so the radii make a difference.
func TestClusterRealPictures(t *testing.T) {
	hs, qs := realPictures(t)
	same, variant := 0, 0
	for i := range hs {
		for j := i + 1; j < len(hs); j++ {
			switch d := Compare(hs[i], hs[j]).Distance; {
			case d <= SameImage:
				same++
			case d <= Variant:
				variant++
			}
		}
	}
	if same < len(hs)/2 || variant < len(hs)/4 {
		t.Fatalf("%d pictures: %d pairs within 10 bits, %d within 11 to 31: too few to test the radii", len(hs), same, variant)
	}
	defer func(b int) { clusterBlock = b }(clusterBlock)
	clusterBlock = 4
	for d := 0; d <= 40; d += 1 + d/8 {
		want := clusterScan(hs, qs, d)
		var plans [][]table
		for _, n := range []int{900_000, 9_000_000} {
			if p, ok := planTables(d, n); ok {
				plans = append(plans, p)
			}
		}
		for k := 8; k <= 64; k += 8 {
			plans = append(plans, fixedPlan(d, k))
		}
		for _, plan := range plans {
			keys := 0.0
			for _, tb := range plan {
				keys += ball(tb.width, tb.radius)
			}
			if keys > 20_000 {
				continue
			}
			if got := clusterTables(hs, qs, d, plan); !slices.Equal(got, want) {
				t.Errorf("radius %d, %d tables: the multi-index differs from a scan of every pair", d, len(plan))
			}
		}
	}
}

// TestClusterWorkers: several workers on small blocks of entries find
// the same groups as a scan (random pictures with planted copies).
func TestClusterWorkers(t *testing.T) {
	defer func(b int) { clusterBlock = b }(clusterBlock)
	clusterBlock = 8
	for _, d := range []int{10, 31} {
		hs, qs := plantedPictures(uint64(d)+100, 600, d)
		want := clusterScan(hs, qs, d)
		plan, _ := planTables(d, 9_000_000)
		if got := clusterTables(hs, qs, d, plan); !slices.Equal(got, want) {
			t.Errorf("radius %d: %d workers differ from a scan of every pair", d, runtime.GOMAXPROCS(0))
		}
	}
}
