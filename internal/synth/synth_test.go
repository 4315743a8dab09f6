package synth_test

import (
	"errors"
	"runtime"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
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

// TestStreamSameAsGenerate: Stream hands out Generate's shares in its
// order, with its groups, and stops at emit's first error.
func TestStreamSameAsGenerate(t *testing.T) {
	c := synth.Config{Posts: 30000, Seed: 9}
	d := synth.Generate(c)
	var got []tahqiq.Share
	groups, err := synth.Stream(c, func(s tahqiq.Share) error {
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, d.Shares) || len(groups) != len(d.Groups) {
		t.Fatalf("Stream: %d shares, %d groups; Generate: %d, %d", len(got), len(groups), len(d.Shares), len(d.Groups))
	}
	stop := errors.New("stop")
	n := 0
	if _, err := synth.Stream(c, func(tahqiq.Share) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	}); err != stop || n != 10 {
		t.Fatalf("emit failed at share 10: Stream returned %v after %d shares", err, n)
	}
	if _, err := synth.Stream(synth.Config{Posts: 10, Days: 60000}, func(tahqiq.Share) error { return nil }); err == nil {
		t.Fatal("60,000 days: no error")
	}
}

// TestStreamMemoryFlat: streaming 2M posts (200k under -short) keeps the
// live heap within its tables (about 1.2 bytes a post) and a few MiB,
// where holding the shares took over 100 bytes a post.
func TestStreamMemoryFlat(t *testing.T) {
	posts := 2000000
	if testing.Short() {
		posts = 200000
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	n := 0
	if _, err := synth.Stream(synth.Config{Posts: posts, Seed: 3}, func(tahqiq.Share) error {
		if n++; n%50000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	limit := uint64(posts)*2 + 4<<20
	if peak > limit {
		t.Fatalf("live heap grew by %d bytes streaming %d shares, want at most %d", peak, n, limit)
	}
	t.Logf("%d shares, live heap +%d bytes (%.2f a post)", n, peak, float64(peak)/float64(posts))
}
