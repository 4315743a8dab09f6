package natsbus_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestPartsEqualRun: a partitioned run on an embedded server with two
// workers (their reducers writing the parts into the object store) is
// fetched into a run directory with parts.json and no edges.csv; merged
// (coord.MergeParts), its edges.csv, edges_directed.csv and
// evidence.csv.gz are byte for byte the single process's, and its counts
// equal. A worker's reducer dies once after taking a reduce task (the
// task goes to the other worker), which changes nothing. The parts and the accounts table are gone from the
// store afterwards.
func TestPartsEqualRun(t *testing.T) {
	russian := readEvents(t, "russian_coord_tweets.events.csv")
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 7})
	names := map[string]coord.AccountName{}
	for i, s := range g.Shares {
		if i%4 == 0 {
			names[s.AccountID] = coord.AccountName{Handle: "h_" + s.AccountID, Name: "Name, with \"quotes\""}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 8)
	// worker 0 dies (its context ends) at the first reduce task it takes;
	// worker 1 serves on, then a new worker 0 takes over
	var died atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := func(name string, die bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, kill := context.WithCancel(wctx)
			defer kill()
			w := &natsbus.Worker{Bus: bus, Name: name, AckWait: time.Second}
			if die {
				w.OnReduce = func(int) {
					if died.Add(1) == 1 {
						kill()
					}
				}
			}
			if err := w.Run(c); err != nil {
				t.Errorf("worker %s: %v", name, err)
			}
		}()
	}
	start("w0", true)
	start("w1", false)
	go func() {
		// the dead worker's replacement
		for died.Load() == 0 && wctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		start("w2", false)
	}()
	defer func() { stop(); wg.Wait() }()
	for _, tc := range []struct {
		name string
		data coord.Data
		mod  func(*coord.Params)
	}{
		{"russian, messages, min weight 2", coord.Data{Shares: russian}, func(p *coord.Params) {
			p.Weight = coord.WeightMessages
			p.MinWeight = 2
			p.MinParticipation = 1
		}},
		{"synthetic with names, defaults", coord.Data{Shares: g.Shares, Names: names}, nil},
		{"synthetic, tfidf, fast layer", coord.Data{Shares: g.Shares}, func(p *coord.Params) { p.Weight = coord.WeightTFIDF; p.FastWindow = 10 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			want, err := coord.Run(ctx, tc.data, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Edges) == 0 {
				t.Fatal("no edges: the comparison would prove nothing")
			}
			one := t.TempDir()
			if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			got, err := coord.Run(ctx, tc.data, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3}))
			if err != nil {
				t.Fatal(err)
			}
			run := t.TempDir()
			m, err := got.WriteDir(run, "test", coord.Source{})
			if err != nil {
				t.Fatal(err)
			}
			if !p.Evidence || slices.Contains(m.Files, "evidence.csv.gz") || !slices.Contains(m.Files, "evidence-000000.csv.gz") {
				t.Fatalf("files %v: want the mappers' evidence parts, no evidence.csv.gz", m.Files)
			}
			if slices.Contains(m.Files, "edges.csv") || !slices.Contains(m.Files, "parts.json") || !slices.Contains(m.Files, coord.PartName("edges.csv", 2, 3)) {
				t.Fatalf("files %v: want the parts and parts.json", m.Files)
			}
			for _, k := range []string{"pairs", "edges", "flagged_edges", "edge_accounts"} {
				if want.Counts[k] != got.Counts[k] {
					t.Fatalf("%s %d, want %d", k, got.Counts[k], want.Counts[k])
				}
			}
			out := t.TempDir()
			if _, err := coord.MergeParts(run, out); err != nil {
				t.Fatal(err)
			}
			coordtest.SameMergedFiles(t, tc.name, p, one, out)
		})
	}
	if died.Load() == 0 {
		t.Error("worker 0 never took a reduce task: the failover was not tested")
	}
	obs, err := bus.JS.ObjectStore(ctx, natsbus.PartsBucket)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := obs.List(ctx)
	if len(left) > 0 {
		t.Errorf("%d objects left in %s, e.g. %s", len(left), natsbus.PartsBucket, fmt.Sprint(left[0].Name))
	}
}

// TestPartsClusterFailover: a partitioned run on a three-node cluster
// with three replicas (the parts object store too); the first worker to
// take a reduce task dies as it takes it, before acknowledging it, and
// the leader node of the parts object store is killed at the same
// moment. The run completes, its merged files equal the single
// process's, byte for byte. (Which worker dies is whichever takes a
// reduce task first: the test required worker 0, and when worker 1 took
// every reduce task it failed without testing anything.)
func TestPartsClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster: not in -short mode")
	}
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, urls, bus := clusterBus(t, ctx)
	js := bus.JS
	p := coord.DefaultParams()
	p.Graph, p.Weight, p.MinParticipation = false, coord.WeightMessages, 1
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	one := t.TempDir()
	if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	var killed, died atomic.Bool
	var kills [2]context.CancelFunc
	var wg sync.WaitGroup
	for i := range 2 {
		wctx, kill := context.WithCancel(ctx)
		defer kill()
		kills[i] = kill
		_, wjs := natstest.Dial(t, urls)
		w := &natsbus.Worker{Bus: &natsbus.Bus{JS: wjs, Partitions: 6, Replicas: 3}, Name: fmt.Sprint("w", i), AckWait: 2 * time.Second, Log: t.Logf,
			OnTask: func(batch int) {
				if batch >= 0 {
					return
				}
				if died.CompareAndSwap(false, true) {
					t.Logf("worker w%d took the first reduce task: killed", i)
					kills[i]()
				}
				if killed.CompareAndSwap(false, true) {
					leader, err := c.Leader(ctx, js, "OBJ_"+natsbus.PartsBucket)
					if err != nil {
						t.Error(err)
					} else {
						leader.Kill()
						t.Logf("killed the parts store's leader %s", leader.Name)
					}
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
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3, Log: t.Logf}))
	var run string
	if err == nil {
		run = t.TempDir()
		_, err = got.WriteDir(run, "test", coord.Source{})
	}
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !killed.Load() || !died.Load() {
		t.Fatalf("killed the leader %v, a worker %v: the test proves nothing", killed.Load(), died.Load())
	}
	out := t.TempDir()
	if _, err := coord.MergeParts(run, out); err != nil {
		t.Fatal(err)
	}
	coordtest.SameMergedFiles(t, "after failover", p, one, out)
}

// TestReduceWithinBudget: workers with a memory budget far below their
// partitions' partials (tahqiq worker --mem) spill them, sorted, to disk
// and merge them, and fold a large task's partials in sub-passes (each a
// slice of its account pairs by a hash of the pair): the reduce path's
// edges and evidence, and a partitioned
// run's merged files, are byte for byte the single process's; a
// participation round's reducers spill their posts in pairs too.
func TestReduceWithinBudget(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 11})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 4)
	var mu sync.Mutex
	var spills []string
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	tmp := t.TempDir()
	for i := range 2 {
		w := &natsbus.Worker{Bus: bus, Name: fmt.Sprint("w", i), Mem: 64 << 10, TempDir: tmp, Log: func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			spills = append(spills, fmt.Sprintf(f, a...))
		}}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(wctx) }()
	}
	for _, tc := range []struct {
		name string
		mod  func(*coord.Params)
	}{
		{"defaults", nil},
		{"messages, min-participation 1", func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinParticipation = 1 }},
		{"collab", func(p *coord.Params) { p.Weight = coord.WeightCollab }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := coord.DefaultParams()
			p.Graph = false
			if tc.mod != nil {
				tc.mod(&p)
			}
			mu.Lock()
			spills = nil
			mu.Unlock()
			want, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			we, wv := coordtest.Records(t, want)
			if len(we) == 0 {
				t.Fatal("no edges: the comparison would prove nothing")
			}
			red, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 2}))
			if err != nil {
				t.Fatal(err)
			}
			re, rv := coordtest.Records(t, red)
			if !slices.Equal(we, re) || !slices.Equal(wv, rv) {
				t.Fatalf("reduce path within the budget: %d edges, %d evidence rows; want %d, %d (or they differ)", len(re), len(rv), len(we), len(wv))
			}
			one := t.TempDir()
			if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			got, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3}))
			if err != nil {
				t.Fatal(err)
			}
			run, out := t.TempDir(), t.TempDir()
			if _, err := got.WriteDir(run, "test", coord.Source{}); err != nil {
				t.Fatal(err)
			}
			if _, err := coord.MergeParts(run, out); err != nil {
				t.Fatal(err)
			}
			coordtest.SameMergedFiles(t, tc.name, p, one, out)
			mu.Lock()
			defer mu.Unlock()
			n := 0
			for _, l := range spills {
				if strings.Contains(l, "spilled to disk") {
					n++
				}
			}
			if n < 5 { // two reduce partitions, then three
				t.Errorf("%d reduce tasks spilled, want all 5; the workers logged:\n%s", n, strings.Join(spills, "\n"))
			}
			if !strings.Contains(strings.Join(spills, "\n"), "sub-passes") {
				t.Errorf("no map task folded its partials in sub-passes; the workers logged:\n%s", strings.Join(spills, "\n"))
			}
			if p.MinParticipation > 1 && !strings.Contains(strings.Join(spills, "\n"), "posts in pairs spilled to disk") {
				t.Errorf("no participation reducer spilled its posts in pairs; the workers logged:\n%s", strings.Join(spills, "\n"))
			}
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("%d spill files or directories left in the temporary directory", len(left))
	}
}

// TestPartialsPurgedPerPartition: a partitioned run's reducers write
// their parts from the partials they merged, never publishing the merged
// partials (at 1M posts encoding them again and reading them back cost
// the workers some 2 CPU-seconds, and the server held them); and the
// server holds a partition's map partials only until its task is done
// (its parts written), not until the run ends (at 3M posts the streams
// held every partial of the run: 3.4 GB of nats-server). One worker does
// every task; when its last partition is done, the others' partials are
// gone.
func TestPartialsPurgedPerPartition(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 20000, Seed: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 4)
	const run = "purged"
	subjects := func() map[string]uint64 {
		st, err := bus.JS.Stream(ctx, natsbus.PartialsStream)
		if err != nil {
			t.Error(err)
			return nil
		}
		info, err := st.Info(ctx, jetstream.WithSubjectFilter("tahqiq.partials."+run+".>"))
		if err != nil {
			t.Error(err)
			return nil
		}
		return info.State.Subjects
	}
	var mu sync.Mutex
	var finished []int
	var problems []string
	w := &natsbus.Worker{Bus: bus, Name: "w", OnTask: func(batch int) {
		if batch >= 0 {
			return // a map task
		}
		mu.Lock()
		defer mu.Unlock()
		for subj := range subjects() {
			if strings.Contains(subj, ".m.") {
				problems = append(problems, "merged partials published on "+subj)
			}
		}
		if len(finished) == 2 {
			// the last partition: the two done before are purged (their
			// purge follows their ack: a moment)
			var held map[string]uint64
			for range 200 {
				held = subjects()
				if held[fmt.Sprintf("tahqiq.partials.%s.%d", run, finished[0])] == 0 && held[fmt.Sprintf("tahqiq.partials.%s.%d", run, finished[1])] == 0 {
					held = nil
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if held != nil {
				problems = append(problems, fmt.Sprintf("partitions %v done, their partials still held: %v", finished, held))
			}
		}
		finished = append(finished, -1-batch)
	}}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(wctx); close(done) }()
	defer func() { stop(); <-done }()
	p := coord.DefaultParams()
	p.Graph, p.MinParticipation = false, 1
	want, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3, Run: run}))
	if err != nil {
		t.Fatal(err)
	}
	one, dir, out := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := got.WriteDir(dir, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := coord.MergeParts(dir, out); err != nil {
		t.Fatal(err)
	}
	coordtest.SameMergedFiles(t, "one worker", p, one, out)
	mu.Lock()
	defer mu.Unlock()
	if len(finished) != 3 {
		t.Fatalf("partitions done: %v", finished)
	}
	if len(problems) > 0 {
		t.Fatal(strings.Join(problems, "\n"))
	}
}

// TestPartsBusyServer: a partitioned run on a server whose streams
// queue few messages (max_buffered_msgs 2: a busy server, which refuses
// what overflows with "429 too many requests") through three workers on
// connections of their own: every reduce task is done once (a refused
// put is sent again in place, not left for the task to be redone), and
// the merged files are byte for byte the single process's. In the 10M
// run, three reduce tasks were redone from the start after their puts
// were refused three times each.
func TestPartsBusyServer(t *testing.T) {
	g := synth.Generate(synth.Config{Posts: 60000, Seed: 3})
	srv := natstest.LocalServer(t, server.Options{StreamMaxBufferedMsgs: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, js := natstest.Dial(t, srv.ClientURL())
	bus := &natsbus.Bus{JS: js, Partitions: 4}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	var reduces, resent atomic.Int32
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for i := range 3 {
		_, wjs := natstest.Dial(t, srv.ClientURL())
		w := &natsbus.Worker{Bus: &natsbus.Bus{JS: wjs, Partitions: 4}, Name: fmt.Sprint("w", i),
			OnReduce: func(int) { reduces.Add(1) },
			Log: func(f string, a ...any) {
				if strings.Contains(f, "sending it again") {
					resent.Add(1)
				}
				t.Logf(f, a...)
			}}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(wctx) }()
	}
	p := coord.DefaultParams()
	p.Graph, p.Weight, p.MinParticipation = false, coord.WeightMessages, 1
	want, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	one := t.TempDir()
	if _, err := want.WriteDir(one, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	got, err := coord.Run(ctx, coord.Data{Shares: g.Shares}, p, coord.ReducedParts(&natsbus.Reducer{Bus: bus, Reduces: 3}))
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	if _, err := got.WriteDir(run, "test", coord.Source{}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := coord.MergeParts(run, out); err != nil {
		t.Fatal(err)
	}
	coordtest.SameMergedFiles(t, "on a busy server", p, one, out)
	if n := reduces.Load(); n != 3 {
		t.Errorf("%d reduce tasks taken for 3 partitions: a task was redone", n)
	}
	if resent.Load() == 0 {
		t.Error("no put was refused: the server was not busy enough for the test to prove anything")
	}
	t.Logf("puts that sent chunks again: %d", resent.Load())
}
