package coord

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkAggregate is the fold of a lean run's kept pairs into edges
// (aggregate: the sort by account pair and the fold) on the synthetic
// data, messages weight, min-participation 1, 60 s window (the scaling
// runs of docs/benchmarks.md); TAHQIQ_BENCH_POSTS sets the size (default
// 1,000,000). cpu-s/op is the process's CPU time (user + system) per
// fold, steadier than the wall time on a shared machine.
func BenchmarkAggregate(b *testing.B) {
	shares, p := leanSynth()
	in := intern(shares, p.Types, p.KeepLoops, nil)
	pairs := in.pairs(&p)
	b.ResetTimer()
	cpu := cputime.Seconds()
	for b.Loop() {
		if _, _, _, err := in.aggregate(&p, pairs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(len(pairs)), "pairs")
}

// BenchmarkEdgeLines is the formatting of a lean run's edge files
// (edges.csv and edges_directed.csv, messages weight) on one goroutine,
// written to io.Discard: 2,945,427 edges, 484 MB of lines at 1M posts.
// named: every account has a handle and a name (an Urdu one for every
// third, a comma in the others), as a platform export gives them.
func BenchmarkEdgeLines(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	names := map[string]AccountName{}
	for _, s := range data.Shares {
		if _, ok := names[s.AccountID]; !ok {
			k := len(names)
			names[s.AccountID] = AccountName{Handle: fmt.Sprintf("voter_%d", k), Name: fmt.Sprintf("Voter %d, Lahore", k)}
			if k%3 == 0 {
				names[s.AccountID] = AccountName{Handle: fmt.Sprintf("ووٹر_%d", k), Name: "علی رضا"}
			}
		}
	}
	p := DefaultParams()
	p.Weight, p.MinParticipation, p.Graph, p.Evidence = WeightMessages, 1, false, false
	for _, named := range []bool{false, true} {
		d := Data{Shares: data.Shares}
		if named {
			d.Names = names
		}
		res, err := Run(context.Background(), d, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("named=%v", named), func(b *testing.B) {
			var out, dout countWriter
			cpu := cputime.Seconds()
			for b.Loop() {
				out, dout = countWriter{}, countWriter{}
				if err := res.edgeLines().writeEdgeFiles(res.eachEdge, &out, &dout, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(out.n+dout.n)/1e6, "MB")
		})
	}
}

// BenchmarkWeigh is weigh (weights, the minimum, the percentile flags)
// of a 1M-post lean run's 2,945,427 edges, on a copy of them each time.
func BenchmarkWeigh(b *testing.B) {
	data := synth.Generate(synth.Config{Posts: 1000000, Seed: 1})
	p := DefaultParams()
	p.Weight, p.MinParticipation, p.Graph, p.Evidence = WeightMessages, 1, false, false
	in := intern(data.Shares, p.Types, p.KeepLoops, nil)
	edges, _, _, err := in.aggregate(&p, in.pairs(&p), nil)
	if err != nil {
		b.Fatal(err)
	}
	work := make([]Edge, len(edges))
	b.ResetTimer()
	cpu := cputime.Seconds()
	for b.Loop() {
		copy(work, edges)
		weigh(work, &p)
	}
	b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkEdgeFileWrites is the system's side of writing the edge
// files: 256 MB of edges.csv lines written to a new file in the temp
// directory in writes of 64 KiB, 1 MiB and 4 MiB, and in the edge
// writer's batches (lines of 4096 edges, about 400 KB). sys-s/op is the
// process's system time per 256 MB; the file is removed each time.
func BenchmarkEdgeFileWrites(b *testing.B) {
	line := []byte("other:a0,other:a10756,1,false,1,1,0,1,0,7,7,2024-01-25T18:15:09Z,2024-01-25T18:15:16Z,1,1,1,,,,\n")
	const total = 256 << 20
	batch := 4096 * len(line)
	for _, size := range []int{64 << 10, 1 << 20, 4 << 20, batch} {
		name := fmt.Sprintf("%dKiB", size>>10)
		if size == batch {
			name = fmt.Sprintf("batch-%dKB", size/1000)
		}
		buf := bytes.Repeat(line, size/len(line)+1)[:size]
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "edges.csv")
			b.SetBytes(total)
			sys, writes := cputime.System(), 0
			for b.Loop() {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				for n := 0; n < total; n += size {
					if _, err := f.Write(buf); err != nil {
						b.Fatal(err)
					}
					writes++
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				os.Remove(path)
			}
			b.ReportMetric((cputime.System()-sys)/float64(b.N), "sys-s/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
		})
	}
}
