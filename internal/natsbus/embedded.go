package natsbus

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server and the credentials it requires of
// every client.
type Server struct {
	*server.Server
	Creds *Creds
}

// Embedded starts a single-node NATS server with JetStream inside this
// process, listening on a free loopback port and storing its streams
// under dir, so that one binary needs nothing else. It requires fresh
// credentials (Server.Creds) of every client. Messages may reach 64 MiB
// (NATS's default is 1 MiB). Stop it with Shutdown.
func Embedded(dir string) (*Server, error) { return EmbeddedAt(dir, "", nil) }

// EmbeddedAt is Embedded listening on addr (host:port; "" for a free
// loopback port), so that feeds can find it at a fixed address, and
// requiring creds (an NKey user; nil: fresh ones) of every client. It
// opens no other port: no monitoring, cluster, gateway, leaf node,
// websocket or MQTT listener.
func EmbeddedAt(dir, addr string, creds *Creds) (*Server, error) {
	host, port := "127.0.0.1", server.RANDOM_PORT
	if addr != "" {
		h, p, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("natsbus: embedded NATS server address %q: %w", addr, err)
		}
		if port, err = strconv.Atoi(p); err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("natsbus: embedded NATS server address %q: bad port", addr)
		}
		if port == 0 { // any free port, as for net.Listen (to NATS, 0 is its default, 4222)
			port = server.RANDOM_PORT
		}
		if h != "" {
			host = h
		}
	}
	if creds == nil {
		var err error
		if creds, err = NewCreds(); err != nil {
			return nil, err
		}
	}
	if creds.pub == "" {
		return nil, fmt.Errorf("natsbus: the embedded NATS server needs NKey credentials, not a .creds file")
	}
	s, err := server.NewServer(&server.Options{
		ServerName: "tahqiq-embedded", Host: host, Port: port,
		JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
		MaxPayload: 64 << 20, // an object's shares travel in one message
		Nkeys:      []*server.NkeyUser{{Nkey: creds.pub}},
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: embedded NATS server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("natsbus: embedded NATS server not ready after 20 s (is %s free?)", net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return &Server{Server: s, Creds: creds}, nil
}
