package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// TestReducerGivesUp: a reduce task whose map tasks never publish (here:
// none exists) fails the run with a message saying so after ReduceIdle,
// instead of holding the reducer for ever.
func TestReducerGivesUp(t *testing.T) {
	srv, err := Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL(), srv.Creds.Option())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bus := &Bus{JS: js, Partitions: 2}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { ReduceIdle = d }(ReduceIdle)
	ReduceIdle = time.Second
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { (&Worker{Bus: bus, Name: "w"}).Run(wctx); close(done) }()
	defer func() { stop(); <-done }()

	out, err := follow(ctx, js, PartialsStream, partialsPrefix+"lost.out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.stop()
	body, _ := json.Marshal(reduceTask{Run: "lost", R: 0, Reduces: 1, Batches: 3})
	if _, err := js.Publish(ctx, reduceSubject, body); err != nil {
		t.Fatal(err)
	}
	g := newGatherer(1)
	for ctx.Err() == nil {
		msgs, err := out.next(ctx, 1, 200*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			_, err := g.add(m.Data())
			if err == nil || !strings.Contains(err.Error(), "no partials for 1s, 0 of 3 map tasks in") {
				t.Fatalf("gatherer: %v, want the reducer's failure", err)
			}
			return
		}
	}
	t.Fatal("the reducer never gave up")
}

// TestReducerGivesUpWaitingForThreshold: a partitioned run's reducer
// whose run never sends the threshold (killed before it ended, so no end
// marker either) gives up after ThresholdIdle, tells the run on .parts and
// terminates its task, instead of having it redone and waiting again.
func TestReducerGivesUpWaitingForThreshold(t *testing.T) {
	_, js := embeddedJS(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bus := &Bus{JS: js, Partitions: 2}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { ThresholdIdle = d }(ThresholdIdle)
	ThresholdIdle = time.Second
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { (&Worker{Bus: bus, Name: "w"}).Run(wctx); close(done) }()
	defer func() { stop(); <-done }()

	out, err := follow(ctx, js, PartialsStream, partialsPrefix+"orphan.parts")
	if err != nil {
		t.Fatal(err)
	}
	defer out.stop()
	spec := &coord.PartSpec{Params: coord.DefaultParams(), Partitions: 1, NAccounts: 2, Types: []string{"hashtag"}}
	body, _ := json.Marshal(reduceTask{Run: "orphan", R: 0, Reduces: 1, Batches: 0, Parts: spec})
	if _, err := js.Publish(ctx, reduceSubject, body); err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		msgs, err := out.next(ctx, 1, 200*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if msg, ok := strings.CutPrefix(string(m.Data()), failedMagic); !ok || !strings.Contains(msg, "no threshold from the run for 1s") {
				t.Fatalf("%q, want the reducer's failure", m.Data())
			}
			// the task is terminated, not left to be redone
			for ctx.Err() == nil {
				st, err := js.Stream(ctx, ReduceStream)
				if err != nil {
					t.Fatal(err)
				}
				if st.CachedInfo().State.Msgs == 0 {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	t.Fatal("the reducer never gave up")
}

// TestWorkerStopsMidFold: a worker told to stop while it folds a map task
// (here an object whose 10,000 rows all pair: 2.5e7 pairs) stops at
// once, leaving the task to be redone, instead of folding on to the end
// (at 10M posts a worker kept folding the head object for over 40 s after
// SIGTERM). Run returns before the fold it left behind ends.
func TestWorkerStopsMidFold(t *testing.T) {
	if testing.Short() {
		t.Skip("a fold of some seconds: not in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, js := embeddedJS(t)
	bus := &Bus{JS: js, Partitions: 1}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	o := coord.ReduceObject{Obj: 0, Type: 0}
	for i := range 10000 {
		o.Rows = append(o.Rows, coord.ReduceRow{int64(i % 2), int64(i), 0, coord.RowActive | coord.RowQualifies})
	}
	folded := make(chan struct{})
	foldDone = func() { close(folded) }
	defer func() { foldDone = nil }()
	r := &Reducer{Bus: bus, Reduces: 1}
	if _, err := r.publishRun(ctx, "slow", coord.ReduceSpec{Kind: coord.Sliding, Window: 60, Types: 1, Accounts: 2}, coord.ReduceObjectList{o}, 1, nil, nil); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- (&Worker{Bus: bus, Name: "w"}).Run(wctx) }()
	// the task is taken (and being folded) once it is pending an ack
	for {
		c, err := js.Consumer(ctx, ObjectsStream, "tahqiq-part-0")
		if err == nil && c.CachedInfo().NumAckPending > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the worker never took the task")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // (decoded, folding)
	stop()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("worker: %v", err)
		}
	case <-folded:
		t.Fatal("the worker folded the task to its end before it stopped")
	}
	select {
	case <-folded: // let the fold left behind end before the next test
	case <-ctx.Done():
	}
}

// TestMapTaskSweeps: a map task whose partials are some 20 times a
// worker's share of its budget, spread over four reduce partitions that
// each outgrow the share, is swept about 1 + (its partials / the share)
// times: one sweep that finds it does not fit and counts its account
// pairs, then one sub-pass per share's worth of them, each a slice of
// every partition's. (Folded in passes of whole partitions, then each
// partition in sub-passes of its own, it was swept 60 times.) The
// merged partials are Partials', every attribute.
func TestMapTaskSweeps(t *testing.T) {
	const limit = 4000
	n, sweeps, logs := foldBigTask(t, limit)
	most := 1 + int(math.Ceil(float64(n)*1.3/limit)) + 2
	t.Logf("%d partials, %d at a time: swept %d times; the worker logged:\n%s", n, limit, sweeps, logs)
	if sweeps > most || sweeps < n/limit+1 {
		t.Errorf("the task was swept %d times, want %d to %d", sweeps, n/limit+1, most)
	}
}

// TestMapTaskSlicesCut: sub-passes planned too large (as if the sketch
// had counted a third of the account pairs) do not fit; each is cut in
// two until it does, and the merged partials are still Partials'.
func TestMapTaskSlicesCut(t *testing.T) {
	defer func(m float64) { subPassMargin = m }(subPassMargin)
	subPassMargin = 0.3
	const limit = 4000
	n, sweeps, logs := foldBigTask(t, limit)
	t.Logf("%d partials, %d at a time: swept %d times; the worker logged:\n%s", n, limit, sweeps, logs)
	planned := int(math.Ceil(float64(n) * 0.3 / limit))
	if sweeps < 1+planned+planned/2 {
		t.Errorf("swept %d times for %d sub-passes planned: no slice was cut", sweeps, planned)
	}
}

// TestMapTaskJustOver: a task whose partials are a fifth over the share
// is swept twice: the first sweep keeps what it folded (the account
// pairs it held when it reached the share, each folded whole to the
// task's end) and one sub-pass folds the rest. (Dropping what the first
// sweep folded, it took two sub-passes after it, each account pair folded
// twice over in all.)
func TestMapTaskJustOver(t *testing.T) {
	const limit = 79990 * 5 / 6
	n, sweeps, logs := foldBigTask(t, limit)
	t.Logf("%d partials, %d at a time: swept %d times; the worker logged:\n%s", n, limit, sweeps, logs)
	if sweeps != 2 || !strings.Contains(logs, "folded in 2 sub-passes") {
		t.Errorf("the task was swept %d times, want 2", sweeps)
	}
}

// foldBigTask folds, through a worker whose share is limit partials, a
// task of 79,990 in four reduce partitions, checks the merged partials
// against coord.Partials', and returns their number, the sweeps of the
// task and the worker's log.
func foldBigTask(t *testing.T, limit int) (int, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, js := embeddedJS(t)
	bus := &Bus{JS: js, Partitions: 1}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	// one object, 400 accounts sharing it within the window: 79,800
	// account pairs; and a small one of other accounts
	objs := []coord.ReduceObject{{Obj: 0, Type: 0}, {Obj: 1, Type: 1}}
	for i := range 400 {
		objs[0].Rows = append(objs[0].Rows, coord.ReduceRow{int64(i), int64(i), int64(i / 10), coord.RowActive | coord.RowQualifies})
	}
	for i := range 20 {
		objs[1].Rows = append(objs[1].Rows, coord.ReduceRow{int64(400 + i), int64(400 + i), int64(i), coord.RowActive | coord.RowQualifies})
	}
	spec := coord.ReduceSpec{Kind: coord.Sliding, Window: 60, Types: 2, Accounts: 420}
	want, err := coord.Partials(spec, objs)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 79990 {
		t.Fatalf("%d partials, want 79,990", len(want))
	}
	var sweeps atomic.Int64
	foldSweep = func() { sweeps.Add(1) }
	defer func() { foldSweep = nil }()
	var logs []string
	var mu sync.Mutex
	wctx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	w := &Worker{Bus: bus, Name: "w", Mem: int64(3 * coord.PartialsCost * limit), TempDir: t.TempDir(), Log: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, fmt.Sprintf(f, a...))
	}}
	go func() { stopped <- w.Run(wctx) }()
	var got []coord.EdgePartial
	err = (&Reducer{Bus: bus, Reduces: 4}).Reduce(ctx, spec, coord.ReduceObjectList(objs), func(int) {}, func(ps []coord.EdgePartial) error {
		for i := range ps {
			got = append(got, ps[i])
			got[len(got)-1].ByType = slices.Clone(ps[i].ByType)
			got[len(got)-1].Terms = slices.Clone(ps[i].Terms)
			got[len(got)-1].PostsA = slices.Clone(ps[i].PostsA)
			got[len(got)-1].PostsB = slices.Clone(ps[i].PostsB)
		}
		return nil
	})
	stop()
	if werr := <-stopped; werr != nil {
		t.Errorf("worker: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	enc := func(ps []coord.EdgePartial) []string {
		var out []string
		for i := range ps {
			b, _ := ps[i].AppendBinary(nil)
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(enc(got), enc(want)) {
		t.Fatalf("%d merged partials, want %d, or they differ", len(got), len(want))
	}
	return len(want), int(sweeps.Load()), strings.Join(logs, "\n")
}
