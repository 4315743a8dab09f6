package stream_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/stream"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// BenchmarkPartitioned compares the detection step (no graph, no output)
// on one machine with the same step through an embedded JetStream server
// and two workers, on synthetic posts (TAHQIQ_BENCH_POSTS, default 200,000).
func BenchmarkPartitioned(b *testing.B) {
	n := 200000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	data := synth.Generate(synth.Config{Posts: n, Seed: 1})
	p := coord.DefaultParams()
	p.Graph = false
	b.Run("single", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := coord.Run(context.Background(), data.Shares, p, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	})
	for _, mode := range []string{"jetstream-2-workers", "jetstream-2-workers-reduce"} {
		b.Run(mode, func(b *testing.B) { benchBus(b, data.Shares, p, n, mode != "jetstream-2-workers") })
	}
}

// benchBus runs the step through an embedded server and two workers, on
// the pairs path or the reduce path (4 account-pair partitions).
func benchBus(b *testing.B, shares []tahqiq.Share, p coord.Params, n int, reduce bool) {
	{
		srv, err := stream.Embedded(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Shutdown()
		_, js := connect(b, srv.ClientURL())
		bus := &stream.Bus{JS: js, Partitions: 16}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := bus.Setup(ctx); err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				(&stream.Worker{Bus: bus, Name: fmt.Sprint("w", i)}).Run(ctx)
			}()
		}
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if reduce {
				_, err = coord.RunReduced(ctx, shares, p, nil, &stream.Reducer{Bus: bus, Reduces: 4})
			} else {
				_, err = coord.RunPartitioned(ctx, shares, p, nil, &stream.Partitioner{Bus: bus})
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
		cancel()
		wg.Wait()
	}
}
