package live_test

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkWatch feeds the synthetic generator's shares (30 days, in time
// order) to one Watcher, W = 60 s, with no horizon and with a one-day
// horizon, and reports shares per second, the edges held at the end and
// at most (sampled every 10,000 shares) and the heap in use at the end. TAHQIQ_BENCH_POSTS sets the size (default
// 1,000,000 posts).
func BenchmarkWatch(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	shares := synth.Generate(synth.Config{Posts: n, Seed: 1}).Shares
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return int(a.Time - b.Time) })
	for _, h := range []struct {
		name    string
		horizon int64
	}{{"horizon=none", 0}, {"horizon=24h", 86400}} {
		b.Run(h.name, func(b *testing.B) {
			var w *live.Watcher
			peak := 0
			for i := 0; i < b.N; i++ {
				w = &live.Watcher{Window: 60, Horizon: h.horizon}
				for seq, s := range shares {
					w.AddSeq(uint64(seq/500+1), s)
					if seq%10000 == 0 {
						peak = max(peak, w.Stats.Edges)
					}
				}
			}
			b.StopTimer()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(len(shares))*float64(b.N)/b.Elapsed().Seconds(), "shares/s")
			b.ReportMetric(float64(w.Stats.Edges), "edges_at_end")
			b.ReportMetric(float64(max(peak, w.Stats.Edges)), "edges_peak")
			b.ReportMetric(float64(w.Stats.Pairs), "pairs")
			b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap_MiB")
			runtime.KeepAlive(w)
		})
	}
}
