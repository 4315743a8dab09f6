package natsbus

import (
	"context"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/partcomm"
)

// TestWorkerForgetsEndedRun: an idle worker keeps a partitioned run's
// accounts table and community subgraph while the run goes on, and drops
// both once the run has ended. Before, a long-lived worker held them
// until its next partitioned run (or for good).
func TestWorkerForgetsEndedRun(t *testing.T) {
	_, js := embeddedJS(t)
	bus := &Bus{JS: js, Partitions: 1}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { forgetCheck = d }(forgetCheck)
	forgetCheck = 10 * time.Millisecond
	adj, err := partcomm.NewAdjacency(partcomm.EdgeList{{U: 0, V: 1, W: 1}})
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{Bus: bus, Name: "w"}
	w.accounts.run, w.accounts.tables = "r1", coord.PartSpec{NAccounts: 2, Accounts: []string{"a", "b"}}
	w.comm.add("r1", 0, adj, 0)
	kept := func() (accounts, comm bool) {
		w.accounts.mu.Lock()
		defer w.accounts.mu.Unlock()
		w.comm.mu.Lock()
		defer w.comm.mu.Unlock()
		return w.accounts.tables.Accounts != nil, w.comm.parts != nil
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	defer func() { stop(); <-done }()
	time.Sleep(200 * time.Millisecond) // twenty checks, idle, the run going on
	if a, c := kept(); !a || !c {
		t.Fatalf("the run has not ended, yet the worker dropped its accounts table (%v) or subgraph (%v)", !a, !c)
	}
	bus.purgeRun("r1", map[string]string{})
	for {
		if a, c := kept(); !a && !c {
			return
		}
		if ctx.Err() != nil {
			a, c := kept()
			t.Fatalf("the run ended, yet the worker keeps its accounts table (%v) and subgraph (%v)", a, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
