package stream

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Embedded starts a single-node NATS server with JetStream inside this
// process, listening on a free loopback port and storing its streams
// under dir, so that one binary needs nothing else. Messages may reach
// 64 MiB (NATS's default is 1 MiB). Stop it with Shutdown.
func Embedded(dir string) (*server.Server, error) {
	s, err := server.NewServer(&server.Options{
		ServerName: "tahqiq-embedded", Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true,
		MaxPayload: 64 << 20, // an object's shares travel in one message
	})
	if err != nil {
		return nil, fmt.Errorf("stream: embedded NATS server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("stream: embedded NATS server not ready after 20 s")
	}
	return s, nil
}
