package narrative_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/cputime"
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
			cpu := cputime.Seconds()
			var r *narrative.Result
			for i := 0; i < b.N; i++ {
				var err error
				r, err = narrative.Group(context.Background(), posts, narrative.DefaultParams())
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric((cputime.Seconds()-cpu)/float64(b.N), "cpu_s/op") // user + system, all threads
			for k, v := range r.Timings {
				b.ReportMetric(v, k)
			}
			b.ReportMetric(float64(len(r.Narratives)), "narratives")
			b.ReportMetric(float64(r.Counts["families"]), "families")
		})
	}
}

// TestWriteSynthCSV writes the synthetic workload as a CSV for an end to
// end run of the CLI, when TAHQIQ_SYNTH_CSV names the file (and
// TAHQIQ_SYNTH_POSTS the number of posts, default 1,000,000):
//
//	TAHQIQ_SYNTH_CSV=/tmp/synth.csv go test -run WriteSynthCSV ./internal/narrative
//	tahqiq narratives --input /tmp/synth.csv --map account=account,id=id,time=time,time_format=unix,text=text --out /tmp/n
func TestWriteSynthCSV(t *testing.T) {
	path := os.Getenv("TAHQIQ_SYNTH_CSV")
	if path == "" {
		t.Skip("TAHQIQ_SYNTH_CSV not set")
	}
	n := 1_000_000
	if s := os.Getenv("TAHQIQ_SYNTH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	w.Write([]string{"id", "account", "time", "text"})
	for _, p := range synthPosts(n, n/50, 42) {
		w.Write([]string{strings.TrimPrefix(p.ID, "s:"), p.Account, strconv.FormatInt(p.Time, 10), p.Text})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}
