package narrative_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/narrative"
)

// BenchmarkGroup groups the synthetic workload (synthPosts): 100,000 posts,
// and 1,000,000 unless -short. The figures are in docs/benchmarks.md.
func BenchmarkGroup(b *testing.B) {
	sizes := []struct {
		name           string
		posts, stories int
	}{{"100k", 100_000, 2_000}, {"1M", 1_000_000, 20_000}}
	for _, sz := range sizes {
		if sz.posts > 100_000 && testing.Short() {
			continue
		}
		b.Run(sz.name, func(b *testing.B) {
			posts := synthPosts(sz.posts, sz.stories, 42)
			b.ReportAllocs()
			b.ResetTimer()
			var r *narrative.Result
			for i := 0; i < b.N; i++ {
				var err error
				r, err = narrative.Group(context.Background(), posts, narrative.DefaultParams())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			for k, v := range r.Timings {
				b.ReportMetric(v, k)
			}
			b.ReportMetric(float64(len(r.Narratives)), "narratives")
			b.ReportMetric(float64(r.Counts["families"]), "families")
		})
	}
}
