package natsbus_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// putTestBody is n bytes that compress badly, different per seed.
func putTestBody(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// getObject reads object name back through jetstream's own get (which
// checks the digest). An object not found is asked for again for up to
// 30 s: the store's direct gets may be answered by a replica that has
// not caught up yet, after a failover (the run's fetchPart retries
// likewise).
func getObject(t *testing.T, ctx context.Context, obs jetstream.ObjectStore, name string) []byte {
	t.Helper()
	res, err := obs.Get(ctx, name)
	for try := 0; errors.Is(err, jetstream.ErrObjectNotFound) && try < 60; try++ {
		time.Sleep(500 * time.Millisecond)
		res, err = obs.Get(ctx, name)
	}
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	defer res.Close()
	b, err := io.ReadAll(res)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	return b
}

// TestPutObjectBusyServer: a server whose streams queue few messages
// (max_buffered_msgs 8: as a busy server whose inbound queue is full)
// refuses chunks with "429 too many requests" when three puts go at
// once, as three reducers' parts did in the 10M run. jetstream's Put
// gives up at the first refusal (asserted, so that the test is known to
// meet refusals); putObject sends a refused chunk again in place, and
// every object reads back whole, byte for byte.
func TestPutObjectBusyServer(t *testing.T) {
	srv := natstest.LocalServer(t, server.Options{StreamMaxBufferedMsgs: 8})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bodies := make([][]byte, 3)
	for i := range bodies {
		bodies[i] = putTestBody(6<<20, uint64(i))
	}
	// each put on a connection of its own, as three workers
	buses := make([]*natsbus.Bus, len(bodies))
	for i := range buses {
		_, js := natstest.Dial(t, srv.ClientURL())
		buses[i] = &natsbus.Bus{JS: js}
	}
	obs, err := natsbus.PartsStore(ctx, buses[0])
	if err != nil {
		t.Fatal(err)
	}
	// jetstream's Put, three at once: refused
	var wg sync.WaitGroup
	var refusals atomic.Int32
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := buses[i].JS.ObjectStore(ctx, natsbus.PartsBucket)
			if err == nil {
				_, err = o.Put(ctx, jetstream.ObjectMeta{Name: fmt.Sprint("old-", i)}, bytes.NewReader(b))
			}
			if err != nil {
				refusals.Add(1)
				t.Logf("jetstream's put %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if refusals.Load() == 0 {
		t.Fatal("jetstream's puts met no refusal: the server is not busy enough for the test to prove anything")
	}
	var resent atomic.Int64
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			info, n, _, err := natsbus.PutObject(ctx, buses[i], fmt.Sprint("new-", i), bytes.NewReader(b), nil)
			if err != nil {
				t.Errorf("put %d: %v", i, err)
				return
			}
			resent.Add(int64(n))
			if info.Size != uint64(len(b)) {
				t.Errorf("put %d: %d bytes, want %d", i, info.Size, len(b))
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, b := range bodies {
		if got := getObject(t, ctx, obs, fmt.Sprint("new-", i)); !bytes.Equal(got, b) {
			t.Errorf("object %d: %d bytes back, not the %d put", i, len(got), len(b))
		}
	}
	if resent.Load() == 0 {
		t.Error("no chunk was sent again: the refusals were not met")
	}
	t.Logf("%d refused puts of jetstream's; putObject sent %d chunks again", refusals.Load(), resent.Load())
}

// TestPutObjectLeaderKilled: a put into a three-replica object store on a
// three-node cluster (separate processes) whose stream leader is killed
// (SIGKILL) while the put is under way, at a chunk boundary and with
// chunks in flight, completes, and the object reads back byte for byte.
// Before, jetstream's Put was seen waiting for ever for an
// acknowledgement lost with the leader (TestPartsClusterFailover ran to
// its deadline, twice in eleven runs).
func TestPutObjectLeaderKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster: not in -short mode")
	}
	c := natstest.Start(t, 3, natstest.Options{})
	_, js := natstest.Dial(t, c.URLs())
	bus := &natsbus.Bus{JS: js, Replicas: 3, Log: t.Logf}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	obs, err := natsbus.PartsStore(ctx, bus)
	if err != nil {
		t.Fatal(err)
	}
	body := putTestBody(24<<20, 9)
	var killed string
	r := &killingReader{r: bytes.NewReader(body), at: 6 << 20, kill: func() {
		leader, err := c.Leader(ctx, js, "OBJ_"+natsbus.PartsBucket)
		if err != nil {
			t.Error(err)
			return
		}
		leader.Kill()
		killed = leader.Name
	}}
	info, resent, deleted, err := natsbus.PutObject(ctx, bus, "run/edges-00000-of-00001.csv", r, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if killed == "" {
		t.Fatal("no leader killed: the test proves nothing")
	}
	if info.Size != uint64(len(body)) {
		t.Fatalf("%d bytes put, want %d", info.Size, len(body))
	}
	got := getObject(t, ctx, obs, "run/edges-00000-of-00001.csv")
	if !bytes.Equal(got, body) {
		t.Fatalf("%d bytes back, not the %d put", len(got), len(body))
	}
	t.Logf("killed the store's leader %s mid-put; %d chunks sent again, %d deleted as out of order", killed, resent, deleted)
}

// killingReader reads r, calling kill once when at bytes have been read.
type killingReader struct {
	r    io.Reader
	n    int
	at   int
	kill func()
	done bool
}

func (k *killingReader) Read(b []byte) (int, error) {
	if !k.done && k.n >= k.at {
		k.done = true
		k.kill()
	}
	n, err := k.r.Read(b)
	k.n += n
	return n, err
}
