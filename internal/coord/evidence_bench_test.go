package coord_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/cputime"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkWriteEvidence writes evidence.csv.gz alone for a run of the
// synthetic data made once (messages weight, min-participation 1, 60 s
// window); TAHQIQ_BENCH_POSTS sets the size (default 300,000). CPU is
// what to compare: formatting and DEFLATE run on two goroutines.
func BenchmarkWriteEvidence(b *testing.B) {
	n := 300000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	p := coord.DefaultParams()
	p.Weight, p.MinParticipation, p.Graph = coord.WeightMessages, 1, false
	res, err := coord.Run(context.Background(), coord.Data{Shares: data.Shares}, p, nil)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "evidence.csv.gz")
	b.ResetTimer()
	cpu := cputime.Seconds()
	for b.Loop() {
		if err := coord.WriteEvidence(res, path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu-s/op")
	st, _ := os.Stat(path)
	b.ReportMetric(float64(res.Counts["pairs"]), "pairs")
	b.ReportMetric(float64(st.Size()), "bytes")
}
