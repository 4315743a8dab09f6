package natsbus_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// TestMain lets the test binary run a NATS server when started as a
// node of natstest's clusters.
func TestMain(m *testing.M) {
	natstest.Main()
	os.Exit(m.Run())
}

// streams are every stream the bus sets up.
var streams = []string{natsbus.ObjectsStream, natsbus.PairsStream, natsbus.PartialsStream, natsbus.ReduceStream, natsbus.ChunksStream, natsbus.LiveStream}

// replicas returns the replicas of each stream.
func replicas(t *testing.T, ctx context.Context, js jetstream.JetStream) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, name := range streams {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = st.CachedInfo().Config.Replicas
	}
	return out
}

// TestSetupNeverLowersReplicas: on a three-node cluster (separate
// processes), a process that sets the streams up with one replica (a
// worker, watch or publish started with the default) while a run's
// streams have three leaves them at three; one asking for three raises
// streams made with one. Before, every setup made the streams what it
// asked for, so any command started during a --replicas 3 run scaled
// the cluster's streams down to R1.
func TestSetupNeverLowersReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster: not in -short mode")
	}
	c := natstest.Start(t, 3, natstest.Options{})
	js := c.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	setup := func(r int) {
		t.Helper()
		b := &natsbus.Bus{JS: js, Replicas: r}
		if err := b.Setup(ctx); err != nil {
			t.Fatalf("setup with %d replicas: %v", r, err)
		}
		if err := b.SetupLive(ctx); err != nil {
			t.Fatalf("live setup with %d replicas: %v", r, err)
		}
	}
	setup(1)
	for name, r := range replicas(t, ctx, js) {
		if r != 1 {
			t.Fatalf("%s made with %d replicas, asked for 1", name, r)
		}
	}
	setup(3) // a --replicas 3 run raises them
	setup(1) // a worker started with the default does not lower them
	setup(0)
	for name, r := range replicas(t, ctx, js) {
		if r != 3 {
			t.Errorf("%s has %d replicas after a setup asking for 1: want 3 (never lowered)", name, r)
		}
	}
}
