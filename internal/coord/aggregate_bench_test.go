package coord

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkAggregate is the fold of a lean run's kept pairs into edges
// (aggregate: the sort by account pair and the fold) on the synthetic
// data, messages weight, min-participation 1, 60 s window (the scaling
// runs of docs/benchmarks.md); TAHQIQ_BENCH_POSTS sets the size (default
// 1,000,000). cpu-s/op is the process's CPU time (user + system) per
// fold, steadier than the wall time on a shared machine.
func BenchmarkAggregate(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	p := DefaultParams()
	p.Weight, p.MinParticipation, p.Graph, p.Evidence = WeightMessages, 1, false, false
	in := intern(data.Shares, p.Types, p.KeepLoops, nil)
	pairs := in.pairs(&p)
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if _, _, _, err := in.aggregate(&p, pairs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(pairs)), "pairs")
}

// cpuTime is the process's user and system time so far, in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
