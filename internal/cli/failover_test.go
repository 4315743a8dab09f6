package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/cli"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// child is a tahqiq command running in a child process of the test
// binary, so that a test can kill it as a machine dies.
type child struct {
	name   string
	cmd    *exec.Cmd
	stderr syncBuffer
	done   chan struct{}
}

func startChild(t *testing.T, name, data string, args ...string) *child {
	t.Helper()
	c := &child{name: name, done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), "TAHQIQ_CLI_CHILD="+strings.Join(append([]string{"--data", data}, args...), "\x1f"))
	c.cmd.Stdout, c.cmd.Stderr = io.Discard, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
		if t.Failed() {
			t.Logf("%s said:\n%s", c.name, c.stderr.String())
		}
	})
	return c
}

// waitFor waits until the child's stderr holds s.
func (c *child) waitFor(t *testing.T, ctx context.Context, s string) {
	t.Helper()
	for !strings.Contains(c.stderr.String(), s) {
		select {
		case <-c.done:
			t.Fatalf("%s exited (%v) before saying %q:\n%s", c.name, c.cmd.ProcessState, s, c.stderr.String())
		case <-ctx.Done():
			t.Fatalf("%s never said %q:\n%s", c.name, s, c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill kills the child (SIGKILL) and waits until it is gone.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// consumer returns the state of a durable consumer (nil while it does
// not exist or does not answer).
func consumer(ctx context.Context, js jetstream.JetStream, stream, name string) *jetstream.ConsumerInfo {
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := js.Consumer(actx, stream, name)
	if err != nil {
		return nil
	}
	return c.CachedInfo()
}

// workStreams are the streams of tahqiq coord --nats and tahqiq worker.
var workStreams = []string{natsbus.ObjectsStream, natsbus.PairsStream, natsbus.PartialsStream, natsbus.ReduceStream, natsbus.ChunksStream}

// replicasOf returns the replicas of the streams named.
func replicasOf(t *testing.T, ctx context.Context, js jetstream.JetStream, names ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range names {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := js.Stream(actx, name)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = st.CachedInfo().Config.Replicas
	}
	return out
}

// TestStreamCommandsKeepReplicas: on a three-node cluster whose streams
// have three replicas, tahqiq worker, watch, publish and import
// --publish started with the default --replicas leave them at three
// (they set up streams, and a setup never lowers replicas); publish
// --replicas 3 makes a missing live stream with three.
func TestStreamCommandsKeepReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster: not in -short mode")
	}
	c := natstest.Start(t, 3, natstest.Options{})
	urls := c.URLs()
	js := c.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	data := t.TempDir()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru", fixture); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "publish", "--nats", urls, "--dataset", "ru", "--replicas", "3"); code != 0 {
		t.Fatalf("publish --replicas 3: %s", stderr)
	}
	if err := (&natsbus.Bus{JS: js, Replicas: 3}).Setup(ctx); err != nil { // a --replicas 3 run's streams
		t.Fatal(err)
	}
	// the long-running commands: started, then stopped once they serve
	for _, cmd := range []struct {
		args []string
		says string
	}{
		{[]string{"worker", "--nats", urls, "--partitions", "4"}, "serving"},
		{[]string{"watch", "--nats", urls}, "watching"},
	} {
		cctx, stop := context.WithCancel(ctx)
		var errb syncBuffer
		exited := make(chan int, 1)
		go func() {
			exited <- cli.Main(cctx, append([]string{"--data", data}, cmd.args...), strings.NewReader(""), io.Discard, &errb)
		}()
		for !strings.Contains(errb.String(), cmd.says) {
			select {
			case code := <-exited:
				t.Fatalf("%s exited %d: %s", cmd.args[0], code, errb.String())
			case <-ctx.Done():
				t.Fatalf("%s never said %q: %s", cmd.args[0], cmd.says, errb.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		stop()
		if code := <-exited; code != 0 {
			t.Fatalf("%s exit %d: %s", cmd.args[0], code, errb.String())
		}
	}
	if code, _, stderr := run(t, data, "", "publish", "--nats", urls, "--dataset", "ru"); code != 0 {
		t.Fatalf("publish: %s", stderr)
	}
	if code, _, stderr := run(t, data, "", "import", "--dataset", "ru2", "--publish", urls, fixture); code != 0 {
		t.Fatalf("import --publish: %s", stderr)
	}
	for name, r := range replicasOf(t, ctx, js, append(workStreams, natsbus.LiveStream)...) {
		if r != 3 {
			t.Errorf("%s has %d replicas after worker, watch, publish and import --publish with the default --replicas: want 3", name, r)
		}
	}
}

// TestCoordFailoverCLI: tahqiq coord --nats --replicas 3 on a three-node
// cluster (each node a process) with tahqiq worker processes started
// with the default --replicas, as an operator starts them, through what
// an operator's night looks like: worker W1 (serving half the
// partitions) maps its half and its reducer takes a reduce task, which
// it holds waiting for the other half; a replacement worker W2 is
// started (it used to scale every stream down to one replica); the
// partials stream's leader node is killed, then W1 (SIGKILL: its reduce
// task is held by a dead process); W1 is started again serving every
// partition. The run completes, writes the
// same files byte for byte as tahqiq coord without --nats, and the
// streams still have three replicas. Before, the run hung for good once
// W2 had scaled the streams down and their node died. Every wait is on
// a condition: W1 is known to hold a reduce task because the run cannot
// complete while half the partitions have no worker.
func TestCoordFailoverCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster and worker processes: not in -short mode")
	}
	c := natstest.Start(t, 3, natstest.Options{})
	urls := c.URLs()
	js := c.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	coordArgs := []string{"coord", "--input", fixture, "--by", "retweet", "--min-participation", "2"}
	data, one, bus := t.TempDir(), t.TempDir(), t.TempDir()
	if code, _, stderr := run(t, data, "", append(coordArgs, "--out", one)...); code != 0 {
		t.Fatalf("coord: %d %s", code, stderr)
	}
	w1 := startChild(t, "W1", t.TempDir(), "worker", "--nats", urls, "--partitions", "8", "--partitions-served", "0,1,2,3")
	w1.waitFor(t, ctx, "serving")
	var runErr syncBuffer
	ran := make(chan int, 1)
	go func() {
		args := append([]string{"--data", data}, coordArgs...)
		args = append(args, "--out", bus, "--nats", urls, "--partitions", "8", "--replicas", "3", "--reduce-partitions", "4")
		ran <- cli.Main(ctx, args, strings.NewReader(""), io.Discard, &runErr)
	}()
	// W1 holds a reduce task: it cannot finish (partitions 4-7 have no
	// worker yet), so it is held until W1 dies
	start := time.Now()
	for {
		if ci := consumer(ctx, js, natsbus.ReduceStream, "tahqiq-reduce"); ci != nil && ci.NumAckPending > 0 {
			break
		}
		select {
		case code := <-ran:
			t.Fatalf("the run ended (exit %d) with half its partitions unserved: %s", code, runErr.String())
		case <-ctx.Done():
			t.Fatalf("W1 never took a reduce task: %s", runErr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Logf("W1 holds a reduce task after %s", time.Since(start).Round(time.Millisecond))
	// an operator starts a replacement worker with the default --replicas
	w2 := startChild(t, "W2", t.TempDir(), "worker", "--nats", urls, "--partitions", "8", "--partitions-served", "0,1,2,3")
	w2.waitFor(t, ctx, "serving")
	leader, err := c.Leader(ctx, js, natsbus.PartialsStream)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before the kills: replicas %v; %s leader %s", replicasOf(t, ctx, js, workStreams...), natsbus.PartialsStream, leader.Name)
	leader.Kill()
	w1.kill()
	killed := time.Now()
	t.Logf("killed node %s (the %s leader) and W1", leader.Name, natsbus.PartialsStream)
	startChild(t, "W1 again", t.TempDir(), "worker", "--nats", urls, "--partitions", "8")
	select {
	case code := <-ran:
		if code != 0 {
			t.Fatalf("coord --nats after the failures: exit %d: %s", code, runErr.String())
		}
	case <-ctx.Done():
		t.Fatalf("the run never completed after the failures: %s", runErr.String())
	}
	t.Logf("the run completed %s after the kills", time.Since(killed).Round(time.Millisecond))
	for _, f := range []string{"edges.csv", "nodes.csv", "communities.csv", "evidence.csv.gz"} {
		a, err := os.ReadFile(filepath.Join(one, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(bus, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || len(a) < 1000 {
			t.Errorf("%s differs after the failover (%d bytes, single machine %d)", f, len(b), len(a))
		}
	}
	for name, r := range replicasOf(t, ctx, js, workStreams...) {
		if r != 3 {
			t.Errorf("%s has %d replicas after the run: want 3", name, r)
		}
	}
	t.Logf("the run's log:\n%s", runErr.String())
}

// TestWorkerStopsWhenStreamUnreachable: a tahqiq worker process whose
// reducer follows a partials stream (one replica, the default) loses the
// stream's only node; it reconnects to another node, where the stream is
// unreachable, and is then sent SIGTERM: it exits, with status 0. Before,
// it was stuck in the ordered consumer's reset (which ignores contexts
// and retries for ever) and ignored SIGTERM.
func TestWorkerStopsWhenStreamUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster and a worker process: not in -short mode")
	}
	c := natstest.Start(t, 3, natstest.Options{})
	js := c.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fixture := filepath.Join("..", "demo", "data", "russian_coord_tweets.events.csv.gz")
	// a run with two partitions, of which the worker serves one: its
	// reducer waits for the other's partials for as long as the run lasts
	rctx, stopRun := context.WithCancel(ctx)
	ran := make(chan int, 1)
	var runErr syncBuffer
	go func() {
		ran <- cli.Main(rctx, []string{"--data", t.TempDir(), "--quiet", "coord", "--input", fixture, "--by", "retweet", "--out", t.TempDir(),
			"--nats", c.URLs(), "--partitions", "2", "--reduce-partitions", "1"}, strings.NewReader(""), io.Discard, &runErr)
	}()
	defer func() { stopRun(); <-ran }()
	home, err := c.Leader(ctx, js, natsbus.PartialsStream)
	if err != nil {
		t.Fatal(err)
	}
	// the worker knows only the stream's node at first (it learns the
	// others from it, as a client of a cluster does)
	w := startChild(t, "worker", t.TempDir(), "worker", "--nats", home.URL, "--partitions", "2", "--partitions-served", "0")
	for {
		ci := consumer(ctx, js, natsbus.ReduceStream, "tahqiq-reduce")
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := js.Stream(actx, natsbus.PartialsStream)
		acancel()
		if ci != nil && ci.NumAckPending > 0 && err == nil && st.CachedInfo().State.Consumers > 0 {
			break // it holds the reduce task and follows the partials
		}
		select {
		case <-w.done:
			t.Fatalf("the worker exited: %s", w.stderr.String())
		case <-ctx.Done():
			t.Fatalf("the worker never followed its partials: %s", w.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	home.Kill()
	t.Logf("killed node %s, the only one of %s", home.Name, natsbus.PartialsStream)
	// the worker notices (a stuck one never does: then it is stopped
	// all the same, and must exit)
	noticed := time.After(time.Minute)
	for !strings.Contains(w.stderr.String(), "follow tahqiq.partials.") {
		select {
		case <-w.done:
			t.Fatalf("the worker exited before it was told to: %s", w.stderr.String())
		case <-noticed:
			t.Errorf("the worker said nothing of its stream in a minute: %s", w.stderr.String())
		case <-time.After(50 * time.Millisecond):
			continue
		}
		break
	}
	w.cmd.Process.Signal(syscall.SIGTERM)
	sent := time.Now()
	select {
	case <-w.done:
		t.Logf("the worker exited %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
	case <-time.After(time.Minute):
		t.Fatalf("the worker did not exit within a minute of SIGTERM: %s", w.stderr.String())
	}
	if code := w.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the worker exited %d after SIGTERM: %s", code, w.stderr.String())
	}
}

// TestCoordStoreFullCLI: tahqiq coord --nats with a tahqiq worker process
// on a server whose JetStream store (4 MiB) takes the run's tasks but not
// the worker's partials (a hashtag of 150,000 shares): the run fails
// with exit status 1 and an error naming the stream and the server
// setting to raise, the worker's, at once. Before, the worker's task
// came back every AckWait and was refused again, and the run waited to
// its deadline.
func TestCoordStoreFullCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("a NATS server and a worker process: not in -short mode")
	}
	c := natstest.Start(t, 1, natstest.Options{MaxStore: 4 << 20})
	url := c.URLs()
	in := filepath.Join(t.TempDir(), "big.csv")
	var b strings.Builder
	b.WriteString("account_id,post_id,timestamp,time_utc,object_type,object_value\n")
	for i := range 150000 {
		ts := int64(1623881091 + 40*i)
		fmt.Fprintf(&b, "account-%06d,post-%06d,%d,%s,hashtag,everyone\n", i, i, ts, time.Unix(ts, 0).UTC().Format(time.RFC3339))
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	w := startChild(t, "worker", t.TempDir(), "worker", "--nats", url, "--partitions", "4")
	w.waitFor(t, ctx, "serving")
	var stderr syncBuffer
	args := []string{"--data", t.TempDir(), "coord", "--input", in, "--by", "hashtag", "--min-participation", "1", "--evidence=false",
		"--graph=false", "--out", t.TempDir(), "--nats", url, "--partitions", "4"}
	code := cli.Main(ctx, args, strings.NewReader(""), io.Discard, &stderr)
	msg := stderr.String()
	if code == 0 || ctx.Err() != nil || !strings.Contains(msg, natsbus.PartialsStream) || !strings.Contains(msg, "max_file_store") {
		t.Fatalf("coord --nats on a 4 MiB store: exit %d, %q; want a failure naming %s and max_file_store", code, msg, natsbus.PartialsStream)
	}
	t.Logf("exit %d: %s", code, msg)
}
