package busrun

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/synth"
)

// TestEmbeddedWatchResumes: serve's embedded server keeps its streams in a
// directory, so a watch stopped with the server and started again (a new
// server on the same directory) resumes: it raises, on the shares
// published after the restart, exactly the alerts a watch that never
// stopped raises on them, and none again; the work streams are purged at
// the restart.
func TestEmbeddedWatchResumes(t *testing.T) {
	shares := synth.Generate(synth.Config{Posts: 20000, Seed: 5, Days: 3}).Shares
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return cmp.Compare(a.Time, b.Time) })
	half := len(shares) / 2
	dir, pos := t.TempDir(), filepath.Join(t.TempDir(), "watch.json")
	params := live.Watcher{Window: 60, MinWeight: 2, GroupSize: 4, Horizon: 6 * 3600}
	var errb bytes.Buffer
	e := &Runtime{Stderr: &errb, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()

	// one server life: publish, watch until the position reaches the end
	life := func(publish []tahqiq.Share, poison bool) (alerts []live.Record, objects uint64) {
		t.Helper()
		bus, done, err := e.ConnectIn(ctx, "embedded", "", dir, "", 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer done()
		st, err := bus.JS.Stream(ctx, natsbus.ObjectsStream)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := st.Info(ctx)
		objects = info.State.Msgs
		if poison { // work a crashed server would leave
			if _, err := bus.JS.Publish(ctx, "tahqiq.objects.0", []byte("left over")); err != nil {
				t.Fatal(err)
			}
		}
		if err := bus.SetupLive(ctx); err != nil {
			t.Fatal(err)
		}
		if err := bus.Publish(ctx, natsbus.LivePrefix+"synth", publish); err != nil {
			t.Fatal(err)
		}
		_, last, _ := bus.LiveSeqs(ctx)
		var mu sync.Mutex
		ws := &live.Watchers{Params: params, OnAlert: func(r live.Record, _ error) { mu.Lock(); alerts = append(alerts, r); mu.Unlock() }}
		wctx, cancel := context.WithCancel(ctx)
		stopped := make(chan error)
		go func() {
			stopped <- Watch(wctx, bus, ws, natsbus.LivePrefix+">", natsbus.WatchFrom{All: true}, pos, &errb)
		}()
		deadline := time.Now().Add(time.Minute)
		for ws.Position().Last < last {
			if time.Now().After(deadline) {
				t.Fatalf("the watch stays at %d of %d", ws.Position().Last, last)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return alerts, objects
	}
	first, _ := life(shares[:half], true)
	second, left := life(shares[half:], false)
	if left != 0 {
		t.Errorf("%d work messages survived the restart, want them purged", left)
	}
	if !strings.Contains(errb.String(), "resuming after message") {
		t.Errorf("the second life did not resume: %s", errb.String())
	}
	var straight []live.Alert
	w := params
	w.OnAlert = func(a live.Alert) { straight = append(straight, a) }
	for _, s := range shares {
		w.Add(s)
	}
	if len(first) == 0 || len(second) == 0 {
		t.Fatalf("alerts before and after the restart: %d and %d; the test needs some of each", len(first), len(second))
	}
	got := append(first, second...)
	if len(got) != len(straight) {
		t.Fatalf("%d alerts across the restart, %d without one", len(got), len(straight))
	}
	for i := range got {
		if !slices.Equal(got[i].Accounts, straight[i].Accounts) || !got[i].Time.Equal(straight[i].Time) {
			t.Fatalf("alert %d: %v at %s across the restart, %v at %s without", i, got[i].Accounts, got[i].Time, straight[i].Accounts, straight[i].Time)
		}
	}
	t.Logf("%d alerts before the restart, %d after", len(first), len(second))
}

// TestEmbeddedStoreLocked: a second embedded server on the same directory
// (two servers on one --data) does not share it: it says so and keeps its
// streams in a temporary directory; the first is untouched.
func TestEmbeddedStoreLocked(t *testing.T) {
	dir := t.TempDir()
	var errb bytes.Buffer
	e := &Runtime{Stderr: &errb, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx := context.Background()
	a, doneA, err := e.ConnectIn(ctx, "embedded", "", dir, "", 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer doneA()
	a.SetupLive(ctx)
	a.Publish(ctx, natsbus.LivePrefix+"x", []tahqiq.Share{{Type: tahqiq.ObjURL, Object: "u", AccountID: "a", PostID: "1", Time: 1}})
	b, doneB, err := e.ConnectIn(ctx, "embedded", "", dir, "", 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	b.SetupLive(ctx)
	_, lastB, _ := b.LiveSeqs(ctx)
	doneB()
	if !strings.Contains(errb.String(), "in use by another tahqiq process") || lastB != 0 {
		t.Fatalf("second server on %s: live stream ends at %d (want its own, empty), said %q", dir, lastB, errb.String())
	}
	if _, lastA, _ := a.LiveSeqs(ctx); lastA != 1 {
		t.Errorf("the first server's live stream ends at %d, want 1", lastA)
	}
}
