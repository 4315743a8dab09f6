package coord

import (
	"context"
	"runtime"
	"testing"

	"github.com/tahqiq/tahqiq"
)

// BenchmarkCollectAhead is the read's strand of an events table's lean
// read (coord --input): the synthetic set's records, one post and its
// share each, the post's author its only account (as the lean parse
// gives them), added in file order through Collector.Add, with the
// accounts looked up by the strand (lookup) or given ahead a chunk of
// 1,000 records at a time by another goroutine, as the split parse does
// (ahead). strand-cpu-s/op is the CPU time of the caller's goroutine
// (locked to its thread; Linux only), ahead-cpu-s/op of the goroutine
// giving the accounts ahead. TAHQIQ_BENCH_POSTS sets the size (default
// 1,000,000).
func BenchmarkCollectAhead(b *testing.B) {
	shares, p := leanSynth()
	const chunk = 1000
	for _, ahead := range []bool{false, true} {
		name := "lookup"
		if ahead {
			name = "ahead"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var strandCPU, aheadCPU float64
			for b.Loop() {
				col := NewCollector(p)
				rec := tahqiq.RawRecord{}
				posts := make([]tahqiq.Post, 1)
				share := make([]tahqiq.Share, 1)
				ready := make(chan int, 8)
				done := make(chan float64, 1)
				if ahead {
					q := col.AccountsAhead()
					go func() {
						runtime.LockOSThread()
						defer runtime.UnlockOSThread()
						cpu := threadCPU()
						for i := 0; i < len(shares); i += chunk {
							k := min(i+chunk, len(shares))
							for j := i; j < k; j++ {
								q.Account(int64(j+2), shares[j].AccountID)
							}
							q.Flush()
							ready <- k
						}
						close(ready)
						done <- threadCPU() - cpu
					}()
				} else {
					go func() {
						for i := 0; i < len(shares); i += chunk {
							ready <- min(i+chunk, len(shares))
						}
						close(ready)
						done <- 0
					}()
				}
				strand := threadCPU()
				i := 0
				for upto := range ready {
					for ; i < upto; i++ {
						s := &shares[i]
						rec.Line = int64(i + 2)
						posts[0] = tahqiq.Post{UID: s.PostID, AuthorUID: s.AccountID}
						share[0] = *s
						if _, _, _, err := col.Add(ctx, &rec, posts, nil, share); err != nil {
							b.Fatal(err)
						}
					}
				}
				strandCPU += threadCPU() - strand
				aheadCPU += <-done
				col.flush()
			}
			b.ReportMetric(strandCPU/float64(b.N), "strand-cpu-s/op")
			b.ReportMetric(aheadCPU/float64(b.N), "ahead-cpu-s/op")
		})
	}
}
