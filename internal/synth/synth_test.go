package synth_test

import (
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq/internal/synth"
)

func TestDeterministicAndShaped(t *testing.T) {
	a := synth.Generate(synth.Config{Posts: 100000, Seed: 42})
	b := synth.Generate(synth.Config{Posts: 100000, Seed: 42})
	if !slices.Equal(a.Shares, b.Shares) {
		t.Fatal("same seed, different data")
	}
	c := synth.Generate(synth.Config{Posts: 100000, Seed: 43})
	if slices.Equal(a.Shares, c.Shares) {
		t.Fatal("different seeds, same data")
	}
	n := len(a.Shares)
	if n < 95000 || n > 105000 {
		t.Fatalf("%d shares for 100,000 posts", n)
	}
	if len(a.Groups) != 5 {
		t.Fatalf("%d planted groups, want max(posts/20000, 5) = 5", len(a.Groups))
	}
	// Zipf head: the most shared object takes a large slice of the posts
	// (coordination.md: ~14 % at 1M).
	count := map[string]int{}
	types := map[string]int{}
	for _, s := range a.Shares {
		count[s.Object]++
		types[string(s.Type)]++
	}
	top := 0
	for _, c := range count {
		top = max(top, c)
	}
	if f := float64(top) / float64(n); f < 0.08 || f > 0.25 {
		t.Errorf("head object has %.3f of the posts", f)
	}
	if f := float64(types["retweet"]) / float64(n); f < 0.45 || f > 0.75 {
		t.Errorf("retweet share %.2f, want about 0.6", f)
	}
}
