package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// TestSplitImportIsImport: an import and a read of events tables on
// three cores (Format.Split) store and give what they do on one: the
// same summary (records, posts, shares, rejects with their lines and
// reasons), the same shares stored, the same items read; a gzipped
// table is read on one core.
func TestSplitImportIsImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := "account_id,post_id,timestamp,time_utc,object_type,object_value\n" +
		"a1,p1,1600000000,,retweet,\"x\ny\"\n" +
		"a2,p2,1600000001,,nope,v\n" +
		"a4,p4,1600000002,,url,b\"are\n" +
		"a1,p1,1600000000,,retweet,\"x\ny\"\n" + // the post again
		"a5,\"p\r\n5\",1600000003,,hashtag,h\r\n" +
		"a7,p7,1600000005,,url\n"
	sets := map[string][]string{
		"rejects":   {write(t, dir, "bad.csv", bad), write(t, dir, "bad2.csv.gz", bad+"a9,p9,1600000009,,url,u\n")},
		"german":    {filepath.Join("events", "testdata", "german_elections_2021_sample.events.csv")},
		"coortweet": {filepath.Join("events", "testdata", "german_elections_head30.coortweet.csv")},
		"russian":   {filepath.Join(parsetest.DataDir(t, "coord"), "russian_coord_tweets.events.csv")},
	}
	type outcome struct {
		sum    ingest.Summary
		shares []string
		read   []string
		rsum   ingest.Summary
	}
	run := func(t *testing.T, workers int, files []string) outcome {
		defer ingest.SetSplitWorkers(workers)()
		im := &ingest.Importer{Formats: ingest.Default()}
		db := openDB(t)
		var o outcome
		var err error
		if o.sum, err = im.Import(ctx, db, files, ingest.Options{Dataset: "d"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ScanShares(ctx, tahqiq.ShareFilter{Dataset: "d"}, func(s tahqiq.Share) error {
			o.shares = append(o.shares, fmt.Sprintf("%+v", s))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		o.rsum, err = im.ReadInto(ctx, files, ingest.Options{Dataset: "d"}, storeimport.NewMemory(), func(it *ingest.Item) error {
			o.read = append(o.read, fmt.Sprintf("%d %d %q %v %+v", it.Parsed.Record.Line, it.Parsed.Record.Offset, it.Parsed.Reject, it.New, it.Shares))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*ingest.Summary{&o.sum, &o.rsum} {
			for i := range s.Sources {
				s.Sources[i].ImportedAt = time.Time{} // the clock
			}
		}
		return o
	}
	for name, files := range sets {
		t.Run(name, func(t *testing.T) {
			one, three := run(t, 1, files), run(t, 3, files)
			if one.sum.Records < 5 {
				t.Fatalf("%d records: the test reads too little", one.sum.Records)
			}
			if d := cmp.Diff(one.shares, three.shares); d != "" {
				t.Errorf("shares stored -one core +three:\n%s", d)
			}
			if d := cmp.Diff(one.read, three.read); d != "" {
				t.Errorf("items read -one core +three:\n%s", d)
			}
			if !reflect.DeepEqual(one.sum, three.sum) || !reflect.DeepEqual(one.rsum, three.rsum) {
				t.Errorf("summaries:\none   %+v\nthree %+v\nread: one %+v\nthree %+v", one.sum, three.sum, one.rsum, three.rsum)
			}
		})
	}
}

// nothing is a dataset that keeps nothing: a read into it costs the parse.
type nothing struct{}

func (nothing) Add(context.Context, *tahqiq.RawRecord, []tahqiq.Post, []tahqiq.Account, []tahqiq.Share) (tahqiq.RecordResult, []bool, []tahqiq.Share, error) {
	return tahqiq.RecordResult{NewPosts: 1}, nil, nil, nil
}

// BenchmarkReadSplit reads an events table (TAHQIQ_BENCH_IMPORT, by
// default the Russian one) as coord --input does (ReadInto, lean) on one
// core and split on GOMAXPROCS, into a dataset that keeps nothing (the
// parse alone) and into storeimport.Memory (the importer's rule); it
// reports the process's CPU (user + sys) an operation beside the wall.
func BenchmarkReadSplit(b *testing.B) {
	path := os.Getenv("TAHQIQ_BENCH_IMPORT")
	if path == "" {
		path = filepath.Join(parsetest.DataDir(b, "coord"), "russian_coord_tweets.events.csv")
	}
	for _, into := range []string{"nothing", "memory"} {
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("%s/workers=%d", into, workers), func(b *testing.B) {
				defer ingest.SetSplitWorkers(workers)()
				im := &ingest.Importer{Formats: ingest.Default()}
				var records int64
				cpu0 := cpuTime()
				for b.Loop() {
					var ds ingest.Dataset = nothing{}
					if into == "memory" {
						ds = storeimport.NewMemory()
					}
					sum, err := im.ReadInto(context.Background(), []string{path}, ingest.Options{Dataset: "bench"}, ds, func(*ingest.Item) error { return nil })
					if err != nil {
						b.Fatal(err)
					}
					records += sum.Records
				}
				b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// cpuTime is the CPU time (user + sys) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestParseCores: TAHQIQ_PARSE_CORES sets the cores of a split parse
// when it is a number of at least 1; else GOMAXPROCS.
func TestParseCores(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want int
	}{{"", 2}, {"1", 1}, {" 4 ", 4}, {"0", 2}, {"-3", 2}, {"two", 2}} {
		if got := ingest.ParseCores(tc.env, 2); got != tc.want {
			t.Errorf("ParseCores(%q, 2) = %d, want %d", tc.env, got, tc.want)
		}
	}
}

// TestSplitDefault: by default a lean read (coord --input) parses on
// GOMAXPROCS cores and an import on one; TAHQIQ_PARSE_CORES sets both.
func TestSplitDefault(t *testing.T) {
	t.Setenv("TAHQIQ_PARSE_CORES", "")
	if got, want := ingest.SplitWorkers(true), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("lean read: %d cores, want %d", got, want)
	}
	if got := ingest.SplitWorkers(false); got != 1 {
		t.Errorf("import: %d cores, want 1", got)
	}
	t.Setenv("TAHQIQ_PARSE_CORES", "3")
	if ingest.SplitWorkers(true) != 3 || ingest.SplitWorkers(false) != 3 {
		t.Errorf("TAHQIQ_PARSE_CORES=3: %d, %d cores", ingest.SplitWorkers(true), ingest.SplitWorkers(false))
	}
}
