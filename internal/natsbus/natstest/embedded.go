package natstest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
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

// LocalServer starts a one-node JetStream server in this process with
// options o, on loopback at a free port, its store in a temporary
// directory of tb unless o names one, with no signal handlers and no
// log, and waits until it takes connections. It shuts down when the
// test ends.
func LocalServer(tb testing.TB, o server.Options) *server.Server {
	tb.Helper()
	o.Host, o.Port, o.JetStream, o.NoSigs, o.NoLog = "127.0.0.1", server.RANDOM_PORT, true, true, true
	if o.StoreDir == "" {
		o.StoreDir = tb.TempDir()
	}
	srv, err := server.NewServer(&o)
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Start()
	tb.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(20 * time.Second) {
		tb.Fatal("server not ready")
	}
	return srv
}
