package coord

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkCollectAdd is the read's strand (coord --input): the synthetic
// set's records, one share each as the events parser gives them (the
// account, the post by it, its share), added in file order through
// Collector.Add (storeimport.Add), then interned (the posts' names
// dropped, as a lean run). TAHQIQ_BENCH_POSTS sets the size (default
// 1,000,000). add-cpu-s/op is the CPU time of the adds (every goroutine),
// strand-cpu-s/op of the caller's goroutine alone (locked to its thread;
// Linux only: the read's strand, which bounds the read), intern-cpu-s/op
// of interning, intern-s/op its wall time.
func BenchmarkCollectAdd(b *testing.B) {
	shares, p := leanSynth()
	ctx := context.Background()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var addCPU, strandCPU, internCPU, internWall float64
	for b.Loop() {
		col := NewCollector(p)
		rec := tahqiq.RawRecord{}
		posts := make([]tahqiq.Post, 1)
		accounts := make([]tahqiq.Account, 1)
		share := make([]tahqiq.Share, 1)
		cpu, strand := cputime.Seconds(), threadCPU()
		for i := range shares {
			s := &shares[i]
			rec.Line = int64(i + 2)
			posts[0] = tahqiq.Post{UID: s.PostID, AuthorUID: s.AccountID}
			accounts[0] = tahqiq.Account{UID: s.AccountID}
			share[0] = *s
			if _, _, _, err := col.Add(ctx, &rec, posts, accounts, share); err != nil {
				b.Fatal(err)
			}
		}
		strandCPU += threadCPU() - strand
		mid, t0 := cputime.Seconds(), time.Now()
		if _, err := col.interned(&p, postsDropped, nil); err != nil {
			b.Fatal(err)
		}
		internWall += time.Since(t0).Seconds()
		addCPU += mid - cpu
		internCPU += cputime.Seconds() - mid
	}
	b.ReportMetric(addCPU/float64(b.N), "add-cpu-s/op")
	b.ReportMetric(strandCPU/float64(b.N), "strand-cpu-s/op")
	b.ReportMetric(internCPU/float64(b.N), "intern-cpu-s/op")
	b.ReportMetric(internWall/float64(b.N), "intern-s/op")
}

// leanSynth returns the shares of the synthetic set the lean run's benchmarks
// take (TAHQIQ_BENCH_POSTS posts, default 1,000,000; seed 1) and the
// lean run's parameters (messages weight, min-participation 1, no graph,
// no evidence).
func leanSynth() ([]tahqiq.Share, Params) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	p := DefaultParams()
	p.Weight, p.MinParticipation, p.Graph, p.Evidence = WeightMessages, 1, false, false
	return synth.Generate(synth.Config{Posts: n, Seed: 1}).Shares, p
}
