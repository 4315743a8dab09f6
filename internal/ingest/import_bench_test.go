package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/sqlite"
)

// BenchmarkImport measures imports end to end: file -> detection -> parse
// -> derived shares -> embedded SQLite store, committed. Each iteration
// imports into a fresh store. records/s counts input records.
func BenchmarkImport(b *testing.B) {
	cases := []struct{ name, dir, file string }{
		{"events_csv", "coord", "russian_coord_tweets.events.csv"},
		{"x_v2_twarc", "social/twarc-csv-testdata", "2sets.jsonl"},
		{"x_v1", "social/python-twitter-v1.1", "get_search_raw.json"},
		{"telethon", "social/telegram-toolkit-telethon", "btcchamp_1150750640.jsonl"},
		{"ira538", "social/ira-538-by-author", "tweets_2016-11-01_to_2016-11-10.csv"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(parsetest.DataDir(b, filepath.FromSlash(c.dir)), c.file)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			im := &ingest.Importer{Formats: ingest.Default()}
			b.SetBytes(st.Size())
			b.ReportAllocs()
			var records, posts int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, err := sqlite.OpenDir(context.Background(), b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sum, err := im.Import(context.Background(), db, []string{path}, ingest.Options{Dataset: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				records += sum.Records
				posts += sum.Posts
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

// BenchmarkImportFile imports the file named by TAHQIQ_BENCH_IMPORT (for
// example `tahqiq synth --posts 1000000`'s events CSV) into a fresh
// embedded store, end to end like BenchmarkImport; for profiling a whole
// import (-cpuprofile) at the scale of docs/benchmarks.md's figures.
func BenchmarkImportFile(b *testing.B) {
	path := os.Getenv("TAHQIQ_BENCH_IMPORT")
	if path == "" {
		b.Skip("TAHQIQ_BENCH_IMPORT names no file to import")
	}
	im := &ingest.Importer{Formats: ingest.Default()}
	var records int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := sqlite.OpenDir(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := im.Import(context.Background(), db, []string{path}, ingest.Options{Dataset: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		records += sum.Records
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
