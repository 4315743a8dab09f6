package natstest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/natsbus"
)

// EmbeddedBus starts an embedded server (natsbus.Embedded, in this
// process) on a temporary directory of tb, connects to it with a client
// that reconnects for ever and returns a bus of partitions object
// partitions on it with its work streams set up (ctx bounds the setup).
// The connection and the server end with the test.
func EmbeddedBus(ctx context.Context, tb testing.TB, partitions int) *natsbus.Bus {
	tb.Helper()
	srv, err := natsbus.Embedded(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Shutdown)
	_, js := Dial(tb, srv.ClientURL(), srv.Creds.Option())
	bus := &natsbus.Bus{JS: js, Partitions: partitions}
	if err := bus.Setup(ctx); err != nil {
		tb.Fatal(err)
	}
	return bus
}

// Dial opens a client connection to urls (several separated by commas)
// that reconnects for ever; it is closed when the test ends.
func Dial(tb testing.TB, urls string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(urls, append([]nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return nc, js
}
