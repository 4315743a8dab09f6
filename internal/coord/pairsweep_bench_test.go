package coord

import (
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
)

// BenchmarkPairSweep is the pairs phase alone (in.pairs, one goroutine)
// of TAHQIQ_BENCH_POSTS synthetic posts (default 1M) under each window
// kind: the window rule's cost (windowEnd), the bounds counted twice and
// the rows cut into spans included. cpu-ms/op is the process's CPU
// time (its GC included): steadier than ns/op under load.
func BenchmarkPairSweep(b *testing.B) {
	shares, p := leanSynth()
	p.Workers = 1
	in := intern(shares, p.Types, p.KeepLoops, nil)
	shares = nil
	for _, kind := range []string{Sliding, Tumbling, FromFirst} {
		b.Run(kind, func(b *testing.B) {
			q := p
			q.WindowKind = kind
			var npairs int
			cpu := cputime.Seconds()
			for b.Loop() {
				npairs = len(in.pairs(&q))
			}
			b.ReportMetric(float64(npairs), "pairs")
			// CPU time moves less than wall time on a loaded machine
			b.ReportMetric((cputime.Seconds()-cpu)*1e3/float64(b.N), "cpu-ms/op")
		})
	}
}
