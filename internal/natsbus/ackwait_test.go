package natsbus_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// TestSlowTaskNotRedelivered: with a short AckWait (1 s here), a worker
// that holds a map task and a reduce task for three AckWaits (slow, not
// dead) keeps them: it tells the server they are in progress, so no
// other worker redoes them. Before, a task was redelivered once AckWait
// passed, so AckWait had to stay long (30 s) and a dead worker's task
// waited that long for another.
func TestSlowTaskNotRedelivered(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 4)
	p := coord.DefaultParams()
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	const ackWait = time.Second
	var mu sync.Mutex
	taken := map[int]int{} // task batch (or -1-P for reduce partition P): times taken
	var held sync.WaitGroup
	held.Add(2)
	var heldMap, heldReduce sync.Once
	// Worker 1 waits in its tasks until worker 0 has taken one of each
	// kind, so worker 0 always holds a map task and a reduce task (before,
	// worker 1 could take every reduce task while worker 0 held its map
	// task, and the test waited for ever for a hold that never began).
	w0Maps, w0Reduces := make(chan struct{}), make(chan struct{})
	waitFor := func(c chan struct{}) {
		select {
		case <-c:
		case <-ctx.Done():
		}
	}
	hold := func() { // three AckWaits
		<-time.After(3 * ackWait)
		held.Done()
	}
	var wg sync.WaitGroup
	wctx, stop := context.WithCancel(ctx)
	defer func() { stop(); wg.Wait() }()
	for i := range 2 {
		w := &natsbus.Worker{Bus: bus, Name: fmt.Sprint("w", i), AckWait: ackWait, Log: t.Logf,
			OnTask: func(batch int) {
				if batch < 0 {
					return // a reduce task finished (counted when taken)
				}
				mu.Lock()
				taken[batch]++
				mu.Unlock()
				if i == 0 {
					heldMap.Do(func() { close(w0Maps); hold() })
					return
				}
				waitFor(w0Maps)
			},
			OnReduce: func(r int) {
				mu.Lock()
				taken[-1-r]++
				mu.Unlock()
				if i == 0 {
					heldReduce.Do(func() { close(w0Reduces); hold() })
					return
				}
				waitFor(w0Reduces)
			}}
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(wctx) }()
	}
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := edges(want), edges(got); !slices.Equal(a, b) {
		t.Fatalf("%d edges, want %d", len(b), len(a))
	}
	holds := make(chan struct{})
	go func() { held.Wait(); close(holds) }()
	select { // both holds over
	case <-holds:
	case <-ctx.Done():
		t.Fatal("worker 0 did not hold a map task and a reduce task")
	}
	mu.Lock()
	defer mu.Unlock()
	// min-participation 2 (the default): each batch and partition is
	// taken once in the participation round and once in the reduce round
	const rounds = 2
	for k, n := range taken {
		if n != rounds {
			what := fmt.Sprintf("map task %d", k)
			if k < 0 {
				what = fmt.Sprintf("reduce task of partition %d", -1-k)
			}
			t.Errorf("%s taken %d times in %d rounds: a slow worker's task went to another", what, n, rounds)
		}
	}
}
