package stats_test

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/stats"
)

// Hand-computable cases. Heights count observations; the dip is half the
// width of the narrowest tube around the empirical distribution function
// that holds a unimodal one, divided by n.
func TestDipExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    []float64
		want float64
	}{
		{"one point", []float64{3}, 0.5},
		{"two points", []float64{0, 1}, 0.25},
		{"equally spaced 10", []float64{9, 1, 2, 3, 4, 5, 6, 7, 8, 10}, 1.0 / 20},
		{"equally spaced 1000", spaced(1000), 1.0 / 2000},
		{"all tied", []float64{2, 2, 2, 2}, 1.0 / 8},
		// a point mass at the mode is unimodal: 1/4, 1/2, 1/4 at 3, 4, 5
		{"tie at the mode", []float64{3, 4, 4, 5}, 1.0 / 8},
		// two tight pairs far apart: tends to 1/4 (two equal point masses)
		// as the gap grows; R diptest: 0.24999974999999999
		{"two pairs far apart", []float64{0, 0.001, 1000, 1000.001}, 0.24999975},
		// two equally spaced triples (R diptest: 0.2)
		{"two triples", []float64{0, 1, 2, 10, 11, 12}, 0.2},
	} {
		if got := stats.Dip(tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: dip %.17g, want %.17g", tc.name, got, tc.want)
		}
	}
	if !math.IsNaN(stats.Dip(nil)) {
		t.Error("dip of an empty sample is not NaN")
	}
}

func spaced(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i) * 0.37
	}
	return x
}

// Reference values from R's diptest 0.76-0 (Maechler's implementation of
// Hartigan's algorithm) on 877 seeded random samples of size 2-300
// (testdata/dip_reference.txt), 582 of them with tied values: all must
// agree to 1e-12.
func TestDipAgainstR(t *testing.T) {
	f, err := os.Open("testdata/dip_reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var samples, ties int
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		ref, sample, _ := strings.Cut(line, "\t")
		want, err := strconv.ParseFloat(ref, 64)
		if err != nil {
			t.Fatal(err)
		}
		var x []float64
		seen := map[float64]bool{}
		tied := false
		for _, s := range strings.Fields(sample) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			x = append(x, v)
			tied = tied || seen[v]
			seen[v] = true
		}
		samples++
		if tied {
			ties++
		}
		if got := stats.Dip(x); math.Abs(got-want) > 1e-12 {
			t.Errorf("n=%d (ties %t): dip %.15g, R %.15g", len(x), tied, got, want)
		}
	}
	t.Logf("%d samples (%d with ties) agree with R", samples, ties)
	if samples < 800 || ties < 500 {
		t.Fatalf("reference file too short: %d samples, %d with ties", samples, ties)
	}
}

// The dip does not change under increasing affine maps.
func TestDipAffine(t *testing.T) {
	x := []float64{0.1, 0.4, 0.45, 0.5, 2, 2.2, 2.3, 2.31, 5}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 3*v - 7
	}
	if a, b := stats.Dip(x), stats.Dip(y); math.Abs(a-b) > 1e-12 {
		t.Errorf("dip %g vs %g after an affine map", a, b)
	}
}

// Monte Carlo p-values: a uniform sample is not rejected, a well-separated
// bimodal one is; the same seed gives the same result.
func TestRunDipTest(t *testing.T) {
	n := 2000
	uni, bi := make([]float64, n), make([]float64, n)
	for i := range uni {
		uni[i] = (float64(i) + 0.5) / float64(n) // equally spaced: the smallest dip
		bi[i] = float64(i%2)*10 + float64(i)/float64(n)
	}
	u := stats.RunDipTest(uni, 200, 1)
	b := stats.RunDipTest(bi, 200, 1)
	t.Logf("uniform: dip %.5f p %.3f (mc mean %.5f p95 %.5f); bimodal: dip %.5f p %.4f", u.Dip, u.P, u.MCMean, u.MCP95, b.Dip, b.P)
	if u.P < 0.5 || math.Abs(u.Dip-1/(2*float64(n))) > 1e-12 {
		t.Errorf("uniform grid: dip %g p %g", u.Dip, u.P)
	}
	if b.P != 1.0/201 || b.Dip < 0.2 {
		t.Errorf("bimodal: dip %g p %g", b.Dip, b.P)
	}
	if again := stats.RunDipTest(uni, 200, 1); again != u {
		t.Error("same seed, different result")
	}
	// the uniform null: sqrt(n) * dip has median about 0.5 (Hartigan &
	// Hartigan 1985, Table 1 asymptote); the MC mean must be of that size
	if m := u.MCMean * math.Sqrt(float64(n)); m < 0.3 || m > 0.8 {
		t.Errorf("MC mean of sqrt(n) dip = %g", m)
	}
}

func BenchmarkDip(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Sin(float64(i)) + float64(i%3)
			}
			b.ReportAllocs()
			for b.Loop() {
				stats.Dip(x)
			}
		})
	}
}
