package natsbus_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// TestRunEndsClean: a run that completes leaves none of its partials,
// pairs or chunks on the streams; a run stopped early leaves its queued
// tasks, which a worker started later drops (without computing them)
// instead of folding them and holding their reduce tasks until
// ReduceIdle (15 minutes) for partials that will never come.
func TestRunEndsClean(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bus := natstest.EmbeddedBus(ctx, t, 4)
	js := bus.JS
	msgs := func(stream string) uint64 {
		t.Helper()
		st, err := js.Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		return st.CachedInfo().State.Msgs
	}
	p := coord.DefaultParams()
	want, err := coord.Run(ctx, coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}

	// a run stopped once every task is queued, with no worker
	rctx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() {
		_, err := coord.Run(rctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 3}))
		stopped <- err
	}()
	for msgs(natsbus.ReduceStream) < 3 {
		time.Sleep(20 * time.Millisecond)
	}
	queued := msgs(natsbus.ObjectsStream)
	stop()
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Fatalf("the stopped run: %v", err)
	}
	var computed, reduced atomic.Int64
	var log logLines
	wctx, stopWorker := context.WithCancel(ctx)
	done := make(chan struct{})
	w := &natsbus.Worker{Bus: bus, Name: "w", Log: log.logf, OnTask: func(int) { computed.Add(1) }, OnReduce: func(int) { reduced.Add(1) }}
	go func() { w.Run(wctx); close(done) }()
	defer func() { stopWorker(); <-done }()
	for msgs(natsbus.ObjectsStream) > 0 || msgs(natsbus.ReduceStream) > 0 {
		if ctx.Err() != nil {
			t.Fatalf("the worker never emptied the queues of the stopped run; it logged:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if computed.Load() != 0 || !strings.Contains(log.String(), "which has ended") {
		t.Fatalf("%d of the stopped run's %d queued tasks computed; the worker logged:\n%s", computed.Load(), queued, log.String())
	}

	// a run that completes
	got, err := coord.Run(ctx, coord.Data{Shares: shares}, p, coord.Reduced(&natsbus.Reducer{Bus: bus, Reduces: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := edges(want), edges(got); !slices.Equal(a, b) {
		t.Fatalf("%d edges, want %d", len(b), len(a))
	}
	got, err = coord.Run(ctx, coord.Data{Shares: append(slices.Clip(shares), bigObject(60000)...)}, p, coord.Partitioned(&natsbus.Partitioner{Bus: bus}))
	if err != nil || len(got.Edges) == 0 {
		t.Fatalf("pairs path: %v", err)
	}
	for _, s := range []string{natsbus.PartialsStream, natsbus.PairsStream} {
		if n := msgs(s); n != 0 {
			t.Errorf("%s holds %d messages after the runs ended", s, n)
		}
	}
	st, err := js.Stream(ctx, natsbus.ChunksStream)
	if err != nil {
		t.Fatal(err)
	}
	// the reduced run's participation round (min-participation 2) ends
	// as a run of its own
	if n := st.CachedInfo().State.Msgs; n != 4 {
		t.Errorf("%s holds %d messages after three runs (and a participation round) ended: want their four end markers", natsbus.ChunksStream, n)
	}
}

// logLines collects what a worker logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(f string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(f, a...))
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
