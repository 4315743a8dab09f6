package layout

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
)

// planted is a network of k groups of size accounts each: every account
// has in links to accounts of its own group and out links to accounts of
// others, weights 1-5; Group gives the planted groups when withGroups.
func planted(seed uint64, k, size, in, out int, withGroups bool) Input {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := k * size
	g := Input{Nodes: n, Group: make([]int32, n)}
	seen := map[[2]int32]bool{}
	add := func(a, b int32) {
		if a == b {
			return
		}
		if b < a {
			a, b = b, a
		}
		if seen[[2]int32{a, b}] {
			return
		}
		seen[[2]int32{a, b}] = true
		g.A, g.B, g.W = append(g.A, a), append(g.B, b), append(g.W, float32(1+rng.IntN(5)))
	}
	for u := 0; u < n; u++ {
		grp := u / size
		g.Group[u] = -1
		if withGroups {
			g.Group[u] = int32(grp)
		}
		for range in {
			add(int32(u), int32(grp*size+rng.IntN(size)))
		}
		for range out {
			add(int32(u), int32(rng.IntN(n)))
		}
	}
	return g
}

// separation is, for the planted groups of size accounts, the median
// distance between two groups' centres over the median RMS radius of a
// group: above 1 when groups lie apart.
func separation(r Result, k, size int) float64 {
	cx, cy := make([]float64, k), make([]float64, k)
	for u := range r.X {
		cx[u/size] += float64(r.X[u]) / float64(size)
		cy[u/size] += float64(r.Y[u]) / float64(size)
	}
	var radii, dists []float64
	for g := 0; g < k; g++ {
		var s float64
		for u := g * size; u < (g+1)*size; u++ {
			s += math.Pow(float64(r.X[u])-cx[g], 2) + math.Pow(float64(r.Y[u])-cy[g], 2)
		}
		radii = append(radii, math.Sqrt(s/float64(size)))
		for h := g + 1; h < k; h++ {
			dists = append(dists, math.Hypot(cx[g]-cx[h], cy[g]-cy[h]))
		}
	}
	slices.Sort(radii)
	slices.Sort(dists)
	return dists[len(dists)/2] / radii[len(radii)/2]
}

func TestDeterministic(t *testing.T) {
	in := planted(3, 8, 60, 6, 1, true)
	a := Compute(in, Options{Seed: 7, Workers: 1})
	b := Compute(in, Options{Seed: 7, Workers: 3})
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) || !slices.Equal(a.Groups, b.Groups) || a.Info != b.Info {
		t.Fatal("two layouts of one network with one seed differ (1 and 3 workers)")
	}
	c := Compute(in, Options{Seed: 8})
	if slices.Equal(a.X, c.X) {
		t.Error("the seed changes nothing")
	}
}

// TestCommunitiesSeparate lays out 12 planted groups of 80 accounts (8
// links inside, 1 outside per account): each group's accounts must lie
// closer to their own centre than the groups' centres to each other, with
// the communities given (the overview's starting places) and without.
func TestCommunitiesSeparate(t *testing.T) {
	for _, withGroups := range []bool{true, false} {
		in := planted(1, 12, 80, 8, 1, withGroups)
		r := Compute(in, Options{Seed: 1})
		s := separation(r, 12, 80)
		t.Logf("groups given %v: separation %.2f (%d iterations)", withGroups, s, r.Info.Iterations)
		if s < 5 {
			t.Errorf("groups given %v: centres %.2f group radii apart, want at least 5", withGroups, s)
		}
		// a random placement, for scale: about 0.5-1
		rnd := Result{X: make([]float32, in.Nodes), Y: make([]float32, in.Nodes)}
		rng := rand.New(rand.NewPCG(1, 2))
		for u := range rnd.X {
			rnd.X[u], rnd.Y[u] = float32(rng.Float64()), float32(rng.Float64())
		}
		if rs := separation(rnd, 12, 80); rs > 1 {
			t.Fatalf("the measure gives a random placement %.2f", rs)
		}
	}
}

func TestScaleAndGroups(t *testing.T) {
	in := planted(2, 5, 40, 5, 1, true)
	// an account with no link and one of no community
	in.Nodes += 2
	in.Group = append(in.Group, -1, -1)
	in.A, in.B, in.W = append(in.A, int32(in.Nodes-1)), append(in.B, 0), append(in.W, 1)
	r := Compute(in, Options{Seed: 1, MaxEdges: 100})
	if len(r.X) != in.Nodes || len(r.Groups) != 5 {
		t.Fatalf("%d positions, %d groups", len(r.X), len(r.Groups))
	}
	var ext float32
	for u := range r.X {
		if math.IsNaN(float64(r.X[u])) || math.IsNaN(float64(r.Y[u])) {
			t.Fatalf("node %d at NaN", u)
		}
		ext = max(ext, abs32(r.X[u]), abs32(r.Y[u]))
	}
	if ext > Scale || ext < Scale*0.99 {
		t.Errorf("extent %v, want %v", ext, Scale)
	}
	if r.Info.Edges != 100 {
		t.Errorf("%d links laid out by force, want the heaviest 100", r.Info.Edges)
	}
	forced := 0
	for _, f := range r.Forced {
		if f {
			forced++
		}
	}
	if forced != r.Info.Nodes || forced == in.Nodes {
		t.Errorf("%d nodes forced, info says %d, of %d", forced, r.Info.Nodes, in.Nodes)
	}
	for _, g := range r.Groups {
		if g.Nodes != 40 {
			t.Errorf("group %d has %d nodes", g.ID, g.Nodes)
		}
	}
	if r := Compute(Input{}, Options{}); len(r.X) != 0 {
		t.Error("an empty network has positions")
	}
	one := Compute(Input{Nodes: 1, Group: []int32{0}}, Options{})
	if one.X[0] != 0 || one.Y[0] != 0 || len(one.Groups) != 1 {
		t.Errorf("one node: %+v", one)
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// BenchmarkLayout lays out planted networks of about 50,000 links (the
// default of a run's view) and 100,000.
func BenchmarkLayout(b *testing.B) {
	for _, c := range []struct {
		name           string
		k, size, in, o int
	}{
		{"10k-nodes-50k-links", 100, 100, 4, 1},
		{"5k-nodes-100k-links", 25, 200, 19, 1},
	} {
		in := planted(1, c.k, c.size, c.in, c.o, true)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var r Result
			cpu := cputime.Seconds()
			for b.Loop() {
				r = Compute(in, Options{Seed: 1, MaxEdges: 100000})
			}
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(len(in.A)), "links")
			b.ReportMetric(float64(r.Info.Iterations), "iterations")
		})
	}
}
