package natsbus

import (
	"context"
	"encoding/json"
	"strings"
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
