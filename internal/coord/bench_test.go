package coord_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkRussian: the Russian co-retweet set (35,125 shares), W = 60 s,
// min-participation 2, detection plus every output file.
func BenchmarkRussian(b *testing.B) {
	shares := readEvents(b, "russian_coord_tweets.events.csv")
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := coord.DefaultParams()
		res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := res.WriteDir(dir, "bench", coord.Source{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSynthetic runs detection and the edge output on the synthetic
// generator's data (coordination.md §6), W = 60 s, min-participation 2;
// the graph step and the evidence file are measured as sub-benchmarks of
// their own. TAHQIQ_BENCH_POSTS sets the size (default 1,000,000).
func BenchmarkSynthetic(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	// evidence-named: every account has a handle and a display name (an
	// Urdu one for every third), as a platform export gives them: the
	// names evidence.csv.gz writes beside both posts' authors (issue 16)
	names := map[string]coord.AccountName{}
	for _, s := range data.Shares {
		if _, ok := names[s.AccountID]; !ok {
			k := len(names)
			names[s.AccountID] = coord.AccountName{Handle: fmt.Sprintf("voter_%d", k), Name: fmt.Sprintf("Voter %d, Lahore", k)}
			if k%3 == 0 {
				names[s.AccountID] = coord.AccountName{Handle: fmt.Sprintf("ووٹر_%d", k), Name: "علی رضا"}
			}
		}
	}
	for _, step := range []string{"detect+edges", "graph", "evidence", "evidence-named"} {
		b.Run(step, func(b *testing.B) {
			dir := b.TempDir()
			for i := 0; i < b.N; i++ {
				p := coord.DefaultParams()
				p.Graph = step == "graph"
				p.Evidence = strings.HasPrefix(step, "evidence")
				d := coord.Data{Shares: data.Shares}
				if step == "evidence-named" {
					d.Names = names
				}
				res, err := coord.Run(context.Background(), d, p, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.WriteDir(dir, "bench", coord.Source{}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.Counts["pairs"]), "pairs")
				if p.Evidence {
					b.ReportMetric(res.Timings["evidence_s"], "evidence_s")
					if st, err := os.Stat(filepath.Join(dir, "evidence.csv.gz")); err == nil {
						b.ReportMetric(float64(st.Size())/1e6, "evidence_MB")
					}
				}
				b.ReportMetric(float64(res.Counts["edges"]), "edges")
				if step == "detect+edges" {
					prec, rec := recovery(res, data.Groups, 5)
					b.ReportMetric(prec, "precision@w5")
					b.ReportMetric(rec, "recall@w5")
				}
			}
		})
	}
}

// recovery returns the precision and recall of planted-group account
// pairs among the edges with weight >= minW.
func recovery(res *coord.Result, groups [][]string, minW float64) (precision, recall float64) {
	group := map[string]int{}
	truePairs := 0
	for g, members := range groups {
		for _, m := range members {
			group[m] = g + 1
		}
		truePairs += len(members) * (len(members) - 1) / 2
	}
	tp, fp := 0, 0
	for _, e := range res.Edges {
		if e.Weight < minW {
			continue
		}
		ga, gb := group[res.Account(e.A)], group[res.Account(e.B)]
		if ga != 0 && ga == gb {
			tp++
		} else {
			fp++
		}
	}
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if truePairs > 0 {
		recall = float64(tp) / float64(truePairs)
	}
	return precision, recall
}

// BenchmarkSyntheticProgress is the cost of the progress line: the whole
// run (detection, graph step, every file, evidence) on the synthetic data
// without a meter and with one drawing every 200 ms (to io.Discard, as to
// a terminal). TAHQIQ_BENCH_POSTS sets the size (default 1,000,000).
func BenchmarkSyntheticProgress(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	for _, with := range []string{"none", "meter"} {
		b.Run(with, func(b *testing.B) {
			dir := b.TempDir()
			for i := 0; i < b.N; i++ {
				ctx := context.Background()
				var m *progress.Meter
				if with == "meter" {
					m = progress.New(io.Discard, "coord")
					ctx = progress.NewContext(ctx, m)
				}
				res, err := coord.Run(ctx, coord.Data{Shares: data.Shares}, coord.DefaultParams(), nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := res.WriteDir(dir, "bench", coord.Source{}); err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
		})
	}
}

// BenchmarkWriteDir is the output side of a default run on the synthetic
// data (messages weight, min-participation 1, 60 s window, as
// docs/benchmarks.md's scaling runs): WriteDir of a run made once, every
// file (edges.csv, edges_directed.csv, nodes.csv, communities.csv,
// graph.gexf, graph.graphml, evidence.csv.gz). TAHQIQ_BENCH_POSTS sets
// the size (default 300,000).
func BenchmarkWriteDir(b *testing.B) {
	n := 300000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	p := coord.DefaultParams()
	p.Weight, p.MinParticipation = coord.WeightMessages, 1
	res, err := coord.Run(context.Background(), coord.Data{Shares: data.Shares}, p, nil)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if _, err := res.WriteDir(dir, "bench", coord.Source{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Counts["edges"]), "edges")
}
