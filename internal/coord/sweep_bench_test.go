package coord

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/cputime"
)

// BenchmarkSpilledAfterRead is a lean run's steps after the read as the
// CLI's default budget takes them at 1M synthetic posts (messages weight,
// min-participation 1, 60 s window): the pairs made within a budget that
// holds about half of them (2 sorted runs), merged and folded into an
// edge file, weighed from it, on 1 worker and on one a core (w1, wN:
// run them in the same minutes to see what the second core gives).
// TAHQIQ_BENCH_POSTS sets the size. It reports the seconds of each step
// (pairs-s, aggregate-s, weigh-s) and cpu-s/op, the process's CPU time.
func BenchmarkSpilledAfterRead(b *testing.B) {
	shares, p := leanSynth()
	in := intern(shares, p.Types, p.KeepLoops, nil)
	shares = nil
	npairs := int64(len(in.pairs(&p)))
	rows := in.rows
	for _, v := range []struct {
		workers int
		carry   bool
	}{{1, false}, {runtime.GOMAXPROCS(0), false}, {1, true}, {runtime.GOMAXPROCS(0), true}} {
		workers := v.workers
		name := fmt.Sprintf("w%d", workers)
		if v.carry {
			// the runs carry the pairs' rows (28 bytes a pair), the rows
			// let go after the sweep (given back after each loop)
			name += "-carried"
		}
		b.Run(name, func(b *testing.B) {
			defer func(old int) { carryMode = old }(carryMode)
			carryMode = -1
			if v.carry {
				carryMode = 1
			}
			p := p
			p.Workers = workers
			var secs [3]float64
			cpu := cputime.Seconds()
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				budget := Budget{Mem: int64(ms.HeapAlloc) + npairs/2*(pairBytes+edgeBytes), TempDir: b.TempDir()}
				res := &Result{Params: p, Timings: map[string]float64{}, Counts: map[string]int64{}}
				in.stop.Store(false)
				q := p
				start := wall()
				if _, err := (inProcess{budget}).edgesWithin(context.Background(), in, &q, &p, res, func(name string) {
					now := wall()
					switch name {
					case "pairs_s":
						secs[0] += now - start
					case "aggregate_s":
						secs[1] += now - start
					}
					start = now
				}); err != nil {
					b.Fatal(err)
				}
				if res.edgeFile == nil || res.Counts["spilled_runs"] < 2 || (res.Counts["spilled_carried_bytes"] > 0) != v.carry {
					b.Fatalf("not spilled as asked (carried %v): %v", v.carry, res.Counts)
				}
				in.rows, in.rowsGone = rows, false
				start = wall()
				if _, _, _, _, _, err := weighFile(res.edgeFile, &p, len(in.accounts)); err != nil {
					b.Fatal(err)
				}
				secs[2] += wall() - start
				for _, seg := range res.edgeFile.segments() {
					seg.f.Close()
				}
			}
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
			for k, name := range []string{"pairs-s", "aggregate-s", "weigh-s"} {
				b.ReportMetric(secs[k]/float64(b.N), name)
			}
		})
	}
}

func wall() float64 { return float64(time.Now().UnixNano()) / 1e9 }
