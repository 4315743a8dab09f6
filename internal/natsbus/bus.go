package natsbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream names and subjects.
const (
	ObjectsStream = "TAHQIQ_OBJECTS" // work queue: tahqiq.objects.<partition>
	PairsStream   = "TAHQIQ_PAIRS"   // results: tahqiq.pairs.<run>
	objectsPrefix = "tahqiq.objects."
	pairsPrefix   = "tahqiq.pairs."
)

// Bus is a JetStream connection with the run layout.
type Bus struct {
	JS         jetstream.JetStream
	Partitions int // number of object partitions (default 16)
	Replicas   int // stream replicas (1 on one server, 3 on a cluster)
}

// Dial connects to the NATS server or cluster at url with creds (nil:
// none, or what the URL carries), reconnecting for as long as the
// connection is open, and returns a Bus on it (Close closes the
// connection). A refusal of the credentials, or of their absence, is an
// error for which IsAuthError holds.
func Dial(url string, creds *Creds) (*Bus, error) {
	opts := []nats.Option{nats.Name("tahqiq"), nats.MaxReconnects(-1)}
	if creds != nil {
		opts = append(opts, creds.Option())
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Bus{JS: js}, nil
}

// IsAuthError reports whether err is a NATS server's refusal of a
// client's credentials (or of a client without any).
func IsAuthError(err error) bool {
	return errors.Is(err, nats.ErrAuthorization) || errors.Is(err, nats.ErrAuthExpired) || errors.Is(err, nats.ErrAuthRevoked)
}

// IsNkeysUnsupported reports whether err says that the server asks for
// no NKey (it has no authentication, or another kind).
func IsNkeysUnsupported(err error) bool { return errors.Is(err, nats.ErrNkeysNotSupported) }

// Close closes the bus's connection.
func (b *Bus) Close() { b.JS.Conn().Close() }

func (b *Bus) partitions() int {
	if b.Partitions <= 0 {
		return 16
	}
	return b.Partitions
}

// Setup creates the streams of the partitioned paths if they do not exist
// (idempotent).
func (b *Bus) Setup(ctx context.Context) error {
	r := max(b.Replicas, 1)
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ObjectsStream, Subjects: []string{objectsPrefix + ">"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("natsbus: create %s: %w", ObjectsStream, err)
	}
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: PairsStream, Subjects: []string{pairsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("natsbus: create %s: %w", PairsStream, err)
	}
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: PartialsStream, Subjects: []string{partialsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("natsbus: create %s: %w", PartialsStream, err)
	}
	if _, err := b.JS.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ReduceStream, Subjects: []string{reduceSubject}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute,
	}); err != nil {
		return fmt.Errorf("natsbus: create %s: %w", ReduceStream, err)
	}
	return nil
}

// PurgeWork empties the streams of the partitioned paths (tasks, pairs,
// partials, reduce tasks), not the live stream: for a server only one
// process uses, when that process starts again and the runs those
// messages belonged to are gone.
func (b *Bus) PurgeWork(ctx context.Context) error {
	for _, name := range []string{ObjectsStream, PairsStream, PartialsStream, ReduceStream} {
		st, err := b.JS.Stream(ctx, name)
		if err != nil {
			return fmt.Errorf("natsbus: %s: %w", name, err)
		}
		if err := st.Purge(ctx); err != nil {
			return fmt.Errorf("natsbus: purge %s: %w", name, err)
		}
	}
	return nil
}

// batchBytes is the size a task or result message aims at: half the
// server's max_payload (1 MiB by default), at most 1 MiB, since large
// messages overrun the clients' pending limits and stall the consumers.
// A single object may still fill a whole message (maxBody).
func batchBytes(nc *nats.Conn) int {
	if nc == nil {
		return 512 << 10
	}
	return min(max(int(nc.MaxPayload())/2, 16<<10), 1<<20)
}

// maxBody is the largest message body the server takes, less room for
// headers.
func maxBody(nc *nats.Conn) int {
	if nc == nil {
		return 1 << 20
	}
	return int(nc.MaxPayload()) - 4096
}
