package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// embeddedJS starts an embedded server and connects to it.
func embeddedJS(t *testing.T) (*Server, jetstream.JetStream) {
	t.Helper()
	srv, err := Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.ClientURL(), srv.Creds.Option(), nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return srv, js
}

// logLines collects what a component logs.
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

// TestFollowerOpenFails: a follower whose reopening fails (here: its
// stream does not exist yet) is asked for messages again; it must try to
// open again, not dereference the iterator it cleared (a worker panicked
// there), and once the stream exists it reads it.
func TestFollowerOpenFails(t *testing.T) {
	_, js := embeddedJS(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := &follower{js: js, stream: "TQ_LATER", subject: "later.x"}
	if err := f.open(ctx); err == nil {
		t.Fatal("following a stream that does not exist: no error")
	}
	var log logLines
	for range 3 {
		msgs, err := f.next(ctx, 8, 10*time.Millisecond, log.logf)
		if err != nil || len(msgs) != 0 {
			t.Fatalf("next after a failed open: %d messages, %v", len(msgs), err)
		}
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "TQ_LATER", Subjects: []string{"later.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "later.x", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		msgs, err := f.next(ctx, 8, 50*time.Millisecond, log.logf)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 0 {
			if string(msgs[0].Data()) != "hello" {
				t.Fatalf("read %q", msgs[0].Data())
			}
			f.stop()
			return
		}
	}
	t.Fatalf("the follower never read the stream once it existed; it logged:\n%s", log.String())
}

// TestFollowerQuietWhenIdle: a follower with nothing to read (a healthy
// run's gather while the workers compute) logs nothing, however long
// the silence, and still reads what comes after it. Every healthy --nats
// run used to warn "nothing for 5s, following again".
func TestFollowerQuietWhenIdle(t *testing.T) {
	_, js := embeddedJS(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "TQ_IDLE", Subjects: []string{"idle.>"}}); err != nil {
		t.Fatal(err)
	}
	f, err := follow(ctx, js, "TQ_IDLE", "idle.x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.stop()
	f.stall = 20 * time.Millisecond
	var log logLines
	// ten stall periods of silence
	for start := time.Now(); time.Since(start) < 10*f.stall; {
		msgs, err := f.next(ctx, 8, 5*time.Millisecond, log.logf)
		if err != nil || len(msgs) > 0 {
			t.Fatalf("idle follower: %d messages, %v", len(msgs), err)
		}
	}
	if s := log.String(); s != "" {
		t.Errorf("an idle, healthy follower logged:\n%s", s)
	}
	if _, err := js.Publish(ctx, "idle.x", []byte("late")); err != nil {
		t.Fatal(err)
	}
	for ctx.Err() == nil {
		msgs, err := f.next(ctx, 8, 50*time.Millisecond, log.logf)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) > 0 {
			return
		}
	}
	t.Fatal("the follower never read the message published after the silence")
}

// TestWorkerStopsWhenStreamGone: a worker's reducer is following its
// partition's partials when the stream goes away (deleted here; a stream
// whose nodes are lost looks the same to the client): the worker notices,
// keeps trying, and stops as soon as it is told to (SIGTERM in tahqiq
// worker). Before, it was stuck in the ordered consumer's reset, which
// ignores every context, and never stopped.
func TestWorkerStopsWhenStreamGone(t *testing.T) {
	_, js := embeddedJS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bus := &Bus{JS: js, Partitions: 2}
	if err := bus.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	var log logLines
	reducing := make(chan struct{})
	wctx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	w := &Worker{Bus: bus, Name: "w", Log: log.logf, OnReduce: func(int) { close(reducing) }}
	go func() { stopped <- w.Run(wctx) }()
	body, _ := json.Marshal(reduceTask{Run: "gone", R: 0, Reduces: 1, Batches: 2})
	if _, err := js.Publish(ctx, reduceSubject, body); err != nil {
		t.Fatal(err)
	}
	<-reducing
	// the reducer follows the partials: its consumer exists
	for {
		st, err := js.Stream(ctx, PartialsStream)
		if err != nil {
			t.Fatal(err)
		}
		if st.CachedInfo().State.Consumers > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the reducer never followed its partials")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := js.DeleteStream(ctx, PartialsStream); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(log.String(), "follow tahqiq.partials.gone.0") {
		if ctx.Err() != nil {
			t.Fatalf("the worker never noticed that its stream went away; it logged:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("worker: %v", err)
		}
	case <-ctx.Done():
		t.Fatalf("the worker did not stop once told to; it logged:\n%s", log.String())
	}
}
