package natsbus_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
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
			if _, err := coord.Run(context.Background(), coord.Data{Shares: data.Shares}, p, nil); err != nil {
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
		srv, err := natsbus.Embedded(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Shutdown()
		_, js := natstest.Dial(b, srv.ClientURL(), srv.Creds.Option())
		bus := &natsbus.Bus{JS: js, Partitions: 16}
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
				(&natsbus.Worker{Bus: bus, Name: fmt.Sprint("w", i)}).Run(ctx)
			}()
		}
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if reduce {
				_, err = coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 4}))
			} else {
				_, err = coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
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

// BenchmarkLiveWatch measures the streaming mode end to end on an
// embedded server: the synthetic shares (TAHQIQ_BENCH_POSTS posts, default
// 1,000,000, in time order) are published to the live stream in messages
// of 500, and a watcher per feed (W = 60 s, 24 h horizon) reads them back,
// decodes them and pairs them, as tahqiq watch does. It reports shares
// per second through the whole path and the publish rate alone.
func BenchmarkLiveWatch(b *testing.B) {
	n := 1000000
	if s := os.Getenv("TAHQIQ_BENCH_POSTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	shares := synth.Generate(synth.Config{Posts: n, Seed: 1}).Shares
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return cmp.Compare(a.Time, b.Time) })
	srv, err := natsbus.Embedded(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	_, js := natstest.Dial(b, srv.ClientURL(), srv.Creds.Option())
	bus := &natsbus.Bus{JS: js}
	ctx := context.Background()
	if err := bus.SetupLive(ctx); err != nil {
		b.Fatal(err)
	}
	var publish time.Duration
	for i := 0; i < b.N; i++ {
		subject := fmt.Sprintf("%sbench%d", natsbus.LivePrefix, i)
		start := time.Now()
		if err := bus.Publish(ctx, subject, shares); err != nil {
			b.Fatal(err)
		}
		publish += time.Since(start)
		_, last, err := bus.LiveSeqs(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ws := &live.Watchers{Params: live.Watcher{Window: 60, Horizon: 86400}}
		wctx, cancel := context.WithCancel(ctx)
		var got atomic.Int64
		go bus.Watch(wctx, subject, natsbus.WatchFrom{All: true}, func(subj string, seq uint64, sh []tahqiq.Share) {
			ws.AddSeq(subj, seq, sh)
			got.Add(int64(len(sh)))
			if seq >= last {
				cancel()
			}
		}, func(err error) { b.Error(err) })
		<-wctx.Done()
		if got.Load() != int64(len(shares)) {
			b.Fatalf("watched %d shares of %d", got.Load(), len(shares))
		}
		b.ReportMetric(float64(ws.Stats()[subject].Pairs), "pairs")
		b.ReportMetric(float64(ws.Stats()[subject].Alerts), "alerts")
	}
	b.ReportMetric(float64(len(shares))*float64(b.N)/b.Elapsed().Seconds(), "shares/s")
	b.ReportMetric(float64(len(shares))*float64(b.N)/publish.Seconds(), "published_shares/s")
}
