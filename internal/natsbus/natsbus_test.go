package natsbus_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

func readEvents(tb testing.TB, name string) []tahqiq.Share {
	tb.Helper()
	return parsetest.ReadEvents(tb, name)
}

func edges(res *coord.Result) []string {
	var out []string
	for i := range res.Edges {
		out = append(out, res.EdgeLine(&res.Edges[i]))
	}
	return out
}

// TestEmbeddedEqualsRun: two workers on an embedded single-node server;
// the run equals coord.Run edge for edge.
func TestEmbeddedEqualsRun(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 8)
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &natsbus.Worker{Bus: bus, Name: fmt.Sprint("w", i)}
			if err := w.Run(wctx); err != nil {
				t.Errorf("worker: %v", err)
			}
		}()
	}
	defer func() { stop(); wg.Wait() }()
	for _, mod := range []func(*coord.Params){
		func(p *coord.Params) { p.MinParticipation = 2 },
		func(p *coord.Params) { p.Weight = coord.WeightMessages; p.WindowKind = coord.Tumbling },
	} {
		p := coord.DefaultParams()
		p.MinParticipation = 1
		mod(&p)
		want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
		if err != nil {
			t.Fatal(err)
		}
		if a, b := edges(want), edges(got); !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("%+v: %d edges through the stream, %d on one machine", p, len(b), len(a))
		}
	}
}

// TestClusterFailover: a three-node cluster (separate processes) with
// replicated (R3) streams; during the run the leader of the objects
// stream is killed (SIGKILL) and so is one
// of the two workers, after publishing a result but before acknowledging
// its task (so that task is redelivered and computed twice). The run
// completes, nothing is lost or counted twice, and equals coord.Run.
func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster: not in -short mode")
	}
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, urls, bus := clusterBus(t, ctx)
	js := bus.JS
	p := coord.DefaultParams()
	p.MinParticipation = 2
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}

	var tasks atomic.Int64
	var killed atomic.Bool
	leaderGone := make(chan struct{})
	// worker 0 dies after its third task, before acking it
	ctx0, kill0 := context.WithCancel(ctx)
	defer kill0()
	var wg sync.WaitGroup
	for i := range 2 {
		wctx := ctx
		if i == 0 {
			wctx = ctx0
		}
		_, wjs := natstest.Dial(t, urls)
		w := &natsbus.Worker{Bus: &natsbus.Bus{JS: wjs, Partitions: 6, Replicas: 3}, Name: fmt.Sprint("w", i), AckWait: 2 * time.Second, Log: t.Logf,
			OnTask: func(batch int) {
				n := tasks.Add(1)
				if i == 0 && n >= 3 {
					kill0()
				}
				if n == 5 && killed.CompareAndSwap(false, true) {
					// one node of three: the other two keep a quorum
					leader, err := c.Leader(ctx, js, natsbus.ObjectsStream)
					if err != nil {
						t.Error(err)
					} else {
						leader.Kill()
						t.Logf("killed the %s leader %s after %d tasks", natsbus.ObjectsStream, leader.Name, n)
					}
					close(leaderGone)
				}
			}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(wctx); err != nil && wctx.Err() == nil {
				t.Errorf("worker %d: %v", i, err)
			}
		}()
	}
	var progress atomic.Value
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus, Log: t.Logf,
		Progress: func(done, total int) { progress.Store(fmt.Sprintf("%d of %d batches back", done, total)) }}))
	if err != nil {
		t.Logf("progress: %v; %d tasks done", progress.Load(), tasks.Load())
		dumpConsumers(t, js, 6)
	}
	cancel()
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the workers did not stop within 30 s of their context ending")
	}
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-leaderGone:
	default:
		t.Fatal("the leader was never killed: the test proves nothing")
	}
	if ctx0.Err() == nil {
		t.Fatal("worker 0 was never killed")
	}
	if a, b := edges(want), edges(got); !slices.Equal(a, b) {
		t.Fatalf("after failover: %d edges, want %d", len(b), len(a))
	}
}

// dumpConsumers logs the state of the work-queue consumers, for a failed run.
func dumpConsumers(t *testing.T, js jetstream.JetStream, parts int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s, err := js.Stream(ctx, natsbus.ObjectsStream); err == nil {
		i := s.CachedInfo()
		t.Logf("%s: %d messages, leader %v", natsbus.ObjectsStream, i.State.Msgs, i.Cluster)
		for p := range parts {
			c, err := s.Consumer(ctx, fmt.Sprint("tahqiq-part-", p))
			if err != nil {
				t.Logf("partition %d: %v", p, err)
				continue
			}
			ci := c.CachedInfo()
			t.Logf("partition %d: pending %d, ack pending %d, redelivered %d, waiting %d, leader %v", p, ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.NumWaiting, ci.Cluster)
		}
	} else {
		t.Logf("%s: %v", natsbus.ObjectsStream, err)
	}
	if s, err := js.Stream(ctx, natsbus.PairsStream); err == nil {
		i := s.CachedInfo()
		t.Logf("%s: %d messages, leader %v", natsbus.PairsStream, i.State.Msgs, i.Cluster)
	}
}

// retrySetup creates the streams once the cluster has elected its
// JetStream meta leader.
// clusterBus starts a three-node cluster and sets up a bus of six
// partitions at three replicas on it (retrying while the cluster elects
// its leaders), returning the cluster, its URLs and the bus.
func clusterBus(t *testing.T, ctx context.Context) (*natstest.Cluster, string, *natsbus.Bus) {
	c := natstest.Start(t, 3, natstest.Options{})
	urls := c.URLs()
	_, js := natstest.Dial(t, urls)
	bus := &natsbus.Bus{JS: js, Partitions: 6, Replicas: 3}
	if err := retrySetup(t, ctx, bus); err != nil {
		t.Fatal(err)
	}
	return c, urls, bus
}

func retrySetup(t *testing.T, ctx context.Context, bus *natsbus.Bus) error {
	var err error
	for range 60 {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = bus.Setup(cctx)
		cancel()
		if err == nil {
			return nil
		}
		t.Logf("setup: %v", err)
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

// TestSmallMessages: with a server whose max_payload is 256 KiB, tasks
// are cut small and a task's pairs travel in several result chunks; the
// run still equals coord.Run, and so does a run of an object too big for
// one message (its task travels in chunks).
func TestSmallMessages(t *testing.T) {
	shares := readEvents(t, "german_elections_2021.events.csv")
	srv := natstest.LocalServer(t, server.Options{MaxPayload: 256 << 10})
	_, js := natstest.Dial(t, srv.ClientURL())
	bus := &natsbus.Bus{JS: js, Partitions: 3}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	var tasks atomic.Int64
	worker := &natsbus.Worker{Bus: bus, Name: "w", OnTask: func(int) { tasks.Add(1) }}
	go worker.Run(ctx)
	p := coord.DefaultParams()
	p.MinParticipation = 1
	p.Window = 3600
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := edges(want), edges(got); !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("%d edges through 256 KiB messages, %d on one machine", len(b), len(a))
	}
	if tasks.Load() < 10 || worker.Results.Load() <= tasks.Load() {
		t.Errorf("%d tasks, %d result messages: the batches were not cut by size or no task's pairs needed chunks", tasks.Load(), worker.Results.Load())
	}
	// one object with more shares than a message holds: its task travels
	// in chunks, on both paths
	big := bigObject(20000)
	p.Window = 60 // each share pairs with the next
	for _, eng := range []coord.Engine{coord.Partitioned(&natsbus.Partitioner{Bus: bus}), coord.Reduced(&natsbus.Reducer{Bus: bus})} {
		want, err := coord.Run(ctx, coord.Data{Shares: big}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := coord.Run(ctx, coord.Data{Shares: big}, p, eng)
		if err != nil {
			t.Fatalf("an object too big for one message: %v", err)
		}
		if a, b := edges(want), edges(got); !slices.Equal(a, b) || len(a) == 0 {
			t.Fatalf("an object too big for one message: %d edges, %d on one machine", len(b), len(a))
		}
	}
}

// bigObject is n shares of one hashtag, 40 s apart (each pairs with the
// next within 60 s), by n accounts.
func bigObject(n int) []tahqiq.Share {
	var big []tahqiq.Share
	for i := range n {
		big = append(big, tahqiq.Share{Type: tahqiq.ObjHashtag, Object: "everyone", AccountID: fmt.Sprintf("account-%06d", i), PostID: fmt.Sprintf("post-%06d", i), Time: int64(40 * i)})
	}
	return big
}

// TestStockServer: a stock nats-server (max_payload 1 MB) runs the
// Russian set with a hashtag of 60,000 shares (a task of several MB on
// either path) and gives coord.Run's edges; before, such a run failed at
// once with "object 34066 has … shares" (the run's id of the object).
// When the server cannot take the chunks (here its JetStream store is
// too small for them) the error names the object as the data has it
// and the server setting to change.
func TestStockServer(t *testing.T) {
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	p := coord.DefaultParams()
	p.MinParticipation = 1
	// run runs shares on a fresh server with the JetStream store given
	// (0: the server's default), through a worker, on both paths
	run := func(maxStore int64, shares []tahqiq.Share, check func(path string, got *coord.Result, err error)) {
		t.Helper()
		srv := natstest.LocalServer(t, server.Options{JetStreamMaxStore: maxStore})
		nc, js := natstest.Dial(t, srv.ClientURL())
		if nc.MaxPayload() != 1<<20 {
			t.Fatalf("a stock server's max_payload is %d", nc.MaxPayload())
		}
		bus := &natsbus.Bus{JS: js, Partitions: 4}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if err := bus.Setup(ctx); err != nil {
			t.Fatal(err)
		}
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { (&natsbus.Worker{Bus: bus, Name: "w"}).Run(wctx); close(done) }()
		defer func() { stop(); <-done }()
		for _, path := range []struct {
			name string
			eng  coord.Engine
		}{{"pairs", coord.Partitioned(&natsbus.Partitioner{Bus: bus})}, {"reduce", coord.Reduced(&natsbus.Reducer{Bus: bus})}} {
			got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, path.eng)
			check(path.name, got, err)
		}
	}
	shares := append(slices.Clip(russian), bigObject(60000)...)
	want, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	run(0, shares, func(path string, got *coord.Result, err error) {
		if err != nil {
			t.Fatalf("%s path on a stock server: %v", path, err)
		}
		if a, b := edges(want), edges(got); !slices.Equal(a, b) {
			t.Fatalf("%s path on a stock server: %d edges, %d on one machine", path, len(b), len(a))
		}
	})
	// (the reduce path's binary task of 60,000 shares would take some
	// 540 KB: one message, within max_payload; its JSON took 3.1 MB)
	run(1<<18, bigObject(150000), func(path string, _ *coord.Result, err error) {
		if err == nil || !strings.Contains(err.Error(), `hashtag "everyone" (150000 shares)`) || !strings.Contains(err.Error(), "max_file_store") {
			t.Errorf("%s path, a 256 KiB JetStream store: %v; want an error naming hashtag \"everyone\" and max_file_store", path, err)
		} else {
			t.Logf("%s path, a 256 KiB JetStream store: %v", path, err)
		}
	})
}

// TestReduceWorkerDies: on the reduce path, a mapper dies after
// publishing its first map task's partials but before acknowledging the
// task, and a reducer dies as it takes its first reduce task (nothing of
// it published, nothing acknowledged). Both tasks go to the surviving
// worker after AckWait (the map task's partials, published twice, count
// once) and the run equals coord.Run.
//
// Who does what is fixed, not left to which goroutine takes a task
// first: w0 maps and dies at its first finished map task, and holds any
// reduce task it takes until then (so it never reduces); w1 only reduces
// (it serves no map partition) and dies at its first; w2 does both, but
// holds its first finished map task until w0 is dead and its first
// reduce task until w1 is, so that w0 and w1 get theirs.
func TestReduceWorkerDies(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 6)
	p := coord.DefaultParams()
	p.Weight = coord.WeightCollab
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var reduces atomic.Int64
	var wg sync.WaitGroup
	ctxs := make([]context.Context, 3)
	kills := make([]context.CancelFunc, 3)
	for i := range ctxs {
		ctxs[i], kills[i] = context.WithCancel(ctx)
	}
	defer func() {
		for _, k := range kills {
			k()
		}
		wg.Wait()
	}()
	var mapperDied, reducerDied atomic.Bool
	wait := func(c context.Context) { // until c is done (a death) or the test ends
		select {
		case <-c.Done():
		case <-ctx.Done():
		}
	}
	workers := []*natsbus.Worker{
		{Name: "w0", // the mapper that dies
			OnTask: func(batch int) {
				if batch >= 0 && mapperDied.CompareAndSwap(false, true) {
					kills[0]()
				}
			},
			OnReduce: func(int) { reduces.Add(1); wait(ctxs[0]) }},
		{Name: "w1", Partitions: []int{}, // the reducer that dies
			OnReduce: func(int) {
				reduces.Add(1)
				if reducerDied.CompareAndSwap(false, true) {
					kills[1]()
				}
			}},
		{Name: "w2", // the survivor
			OnTask: func(batch int) {
				if batch >= 0 {
					wait(ctxs[0])
				}
			},
			OnReduce: func(int) { reduces.Add(1); wait(ctxs[1]) }},
	}
	for i, w := range workers {
		w.Bus, w.AckWait, w.Log = bus, 2*time.Second, t.Logf
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctxs[i]) }()
	}
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := edges(want), edges(got); !slices.Equal(a, b) {
		t.Fatalf("after the workers died: %d edges, want %d", len(b), len(a))
	}
	if !mapperDied.Load() || !reducerDied.Load() || ctxs[2].Err() != nil || reduces.Load() < 4 {
		t.Fatalf("mapper died %v, reducer died %v, survivor alive %v, %d reduce tasks taken for 3 partitions: the test proves nothing",
			mapperDied.Load(), reducerDied.Load(), ctxs[2].Err() == nil, reduces.Load())
	}
}

// TestWorkerRejectsDamagedTask: a task whose rows name accounts or posts
// outside its tables (or that is not JSON) is terminated and reported,
// and the worker goes on to compute a real run.
func TestWorkerRejectsDamagedTask(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 1)
	js := bus.JS
	var mu sync.Mutex
	var logged []string
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := &natsbus.Worker{Bus: bus, Name: "w", Log: func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			logged = append(logged, fmt.Sprintf(f, a...))
		}}
		w.Run(wctx)
	}()
	defer func() { stop(); <-done }()
	for _, body := range []string{
		`{"run":"x","batch":0,"kind":"sliding","window":60,"index":[0],"accounts":["a"],"posts":["p"],"objects":[[[0,0,1],[5,0,2]]]}`,
		`not json`,
	} {
		if _, err := js.Publish(ctx, "tahqiq.objects.0", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for {
		mu.Lock()
		n := 0
		for _, l := range logged {
			if strings.Contains(l, "malformed task") {
				n++
			}
		}
		mu.Unlock()
		if n == 2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the damaged tasks were not both reported: %q", logged)
		}
		time.Sleep(50 * time.Millisecond)
	}
	shares := []tahqiq.Share{
		{Type: tahqiq.ObjURL, Object: "u", AccountID: "a", PostID: "1", Time: 10},
		{Type: tahqiq.ObjURL, Object: "u", AccountID: "b", PostID: "2", Time: 20},
	}
	p := coord.DefaultParams()
	p.MinParticipation, p.Graph = 1, false
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
	if err != nil || len(got.Edges) != 1 {
		t.Fatalf("after the damaged tasks: %v, %+v", err, got)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(logged, "\n"), "names account 5 of 1") {
		t.Errorf("the report does not name the bad row: %q", logged)
	}
}

// TestStoreFullFailsRun: a server whose JetStream store (2-4 MiB) takes
// the run's tasks but not the worker's results (a hashtag of 150,000
// shares: its partials). The worker cannot publish, and no other worker
// could: the run must fail at once with an error naming the stream and
// the server setting to raise, on the reduce path and a partitioned
// run's. Before, the task went back to the queue every AckWait, failed
// again, and the run waited to its deadline ("context deadline
// exceeded").
func TestStoreFullFailsRun(t *testing.T) {
	p := coord.DefaultParams()
	p.MinParticipation, p.Graph, p.Evidence = 1, false, false
	// (a partitioned run's store holds its accounts table too)
	for path, store := range map[string]int64{"reduce": 2 << 20, "parts": 4 << 20} {
		// a fresh server each: what a failed run leaves (its task, never
		// done) would fill the next one's store
		srv := natstest.LocalServer(t, server.Options{JetStreamMaxStore: store})
		_, js := natstest.Dial(t, srv.ClientURL())
		bus := &natsbus.Bus{JS: js, Partitions: 4}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := bus.Setup(ctx); err != nil {
			t.Fatal(err)
		}
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { (&natsbus.Worker{Bus: bus, Name: "w", AckWait: time.Second}).Run(wctx); close(done) }()
		eng := coord.Reduced(&natsbus.Reducer{Bus: bus})
		if path == "parts" {
			eng = coord.ReducedParts(&natsbus.Reducer{Bus: bus})
		}
		_, err := coord.Run(ctx, coord.Data{Shares: bigObject(150000)}, p, eng)
		stop()
		<-done
		if err == nil || !strings.Contains(err.Error(), "worker w: publish") || !strings.Contains(err.Error(), natsbus.PartialsStream) ||
			!strings.Contains(err.Error(), "max_file_store") {
			t.Errorf("%s path, a %d MiB JetStream store: %v; want the worker's refused publish, naming stream %s and max_file_store", path, store>>20, err, natsbus.PartialsStream)
		} else {
			t.Logf("%s path: %v", path, err)
		}
	}
}
