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

// Reference values from R's diptest 0.76-0 (Maechler's implementation of
// Hartigan's algorithm; Debian package r-cran-diptest) on 877 seeded random
// samples of size 2-300 (testdata/dip_reference.txt, made for this test),
// 582 of them with tied values: every dip must agree to 1e-12.
func TestDipAgainstR(t *testing.T) {
	f, err := os.Open("testdata/dip_reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var samples, ties, bad, badTies int
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
		if got, _, _ := stats.Dip(x); math.Abs(got-want) > 1e-12 {
			bad++
			if tied {
				badTies++
			}
			if bad <= 10 {
				t.Errorf("n=%d (ties %t): dip %.15g, R %.15g", len(x), tied, got, want)
			}
		}
	}
	t.Logf("%d samples (%d with ties); %d differ from R (%d with ties)", samples, ties, bad, badTies)
	if samples < 800 || ties < 500 {
		t.Fatalf("reference file too short: %d samples, %d with ties", samples, ties)
	}
}
