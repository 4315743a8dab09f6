package natsbus

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// Setup creates the streams of the partitioned paths if they do not
// exist, with Replicas replicas (at least 1), and raises an existing
// stream's replicas to Replicas; it never lowers them (idempotent).
// Any process may set the streams up (a run, a worker, serve), so one
// started with fewer replicas than a run's must not scale the run's
// streams down: a node lost after that would lose them.
func (b *Bus) Setup(ctx context.Context) error {
	r := max(b.Replicas, 1)
	for _, cfg := range []jetstream.StreamConfig{
		{Name: ObjectsStream, Subjects: []string{objectsPrefix + ">"}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute},
		{Name: PairsStream, Subjects: []string{pairsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute},
		{Name: PartialsStream, Subjects: []string{partialsPrefix + ">"}, Retention: jetstream.LimitsPolicy,
			Storage: jetstream.FileStorage, Replicas: r, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute},
		{Name: ReduceStream, Subjects: []string{reduceSubject}, Retention: jetstream.WorkQueuePolicy,
			Storage: jetstream.FileStorage, Replicas: r, Duplicates: 10 * time.Minute},
		chunksConfig(r),
	} {
		if err := b.ensureStream(ctx, cfg); err != nil {
			return err
		}
	}
	return nil
}

// SetupWait is how long Setup and SetupLive try a stream that does not
// answer (a cluster electing a leader after a node died) before they
// give up.
var SetupWait = time.Minute

// ensureStream creates the stream of cfg with cfg.Replicas replicas, or
// brings an existing one to cfg's subjects, age and duplicate window
// with the larger of its replicas and cfg's (what else an operator set
// on it stays). It updates the stream only when something differs.
func (b *Bus) ensureStream(ctx context.Context, cfg jetstream.StreamConfig) error {
	wctx, cancel := context.WithTimeout(ctx, SetupWait)
	defer cancel()
	var last error
	err := retry(wctx, func(ctx context.Context) error {
		err := b.ensureStreamOnce(ctx, cfg)
		if err != nil {
			last = err
		}
		return err
	})
	if err != nil && ctx.Err() == nil && wctx.Err() != nil {
		return fmt.Errorf("natsbus: stream %s did not answer for %s (are most of the cluster's nodes up?): %w", cfg.Name, SetupWait, last)
	}
	return err
}

func (b *Bus) ensureStreamOnce(ctx context.Context, cfg jetstream.StreamConfig) error {
	for try := 0; ; try++ {
		st, err := b.JS.Stream(ctx, cfg.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			_, err = b.JS.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) && try < 3 {
				continue // another process made it meanwhile: look again
			}
			if err != nil {
				return fmt.Errorf("natsbus: create %s with %d replicas: %w", cfg.Name, cfg.Replicas, err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("natsbus: %s: %w", cfg.Name, err)
		}
		have := st.CachedInfo().Config
		if have.Retention != cfg.Retention {
			return permanentError{fmt.Errorf("natsbus: stream %s exists with %s retention, not %s: it was made by something else (delete it, or use another server)", cfg.Name, have.Retention, cfg.Retention)}
		}
		want := have
		want.Subjects = cfg.Subjects
		if cfg.MaxAge != 0 {
			want.MaxAge = cfg.MaxAge
		}
		if cfg.Duplicates != 0 { // 0: the server's default (two minutes)
			want.Duplicates = cfg.Duplicates
		}
		want.Replicas = max(have.Replicas, cfg.Replicas)
		if slices.Equal(want.Subjects, have.Subjects) && want.MaxAge == have.MaxAge && want.Duplicates == have.Duplicates && want.Replicas == have.Replicas {
			return nil
		}
		if _, err := b.JS.UpdateStream(ctx, want); err != nil {
			return fmt.Errorf("natsbus: update %s (replicas %d to %d): %w", cfg.Name, have.Replicas, want.Replicas, err)
		}
		return nil
	}
}

// PurgeWork empties the streams of the partitioned paths (tasks, pairs,
// partials, reduce tasks, chunks), not the live stream: for a server only one
// process uses, when that process starts again and the runs those
// messages belonged to are gone.
func (b *Bus) PurgeWork(ctx context.Context) error {
	for _, name := range []string{ObjectsStream, PairsStream, PartialsStream, ReduceStream, ChunksStream} {
		err := retry(ctx, func(ctx context.Context) error {
			st, err := b.JS.Stream(ctx, name)
			if err == nil {
				err = st.Purge(ctx)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("natsbus: purge %s: %w", name, err)
		}
	}
	return nil
}

// batchBytes is the size a task or result message aims at: half the
// server's max_payload (1 MiB by default), at most 1 MiB, since large
// messages overrun the clients' pending limits and stall the consumers.
// A message that must be larger (one object's shares) travels in chunks
// of this size (chunks.go).
func batchBytes(nc *nats.Conn) int {
	if nc == nil {
		return 512 << 10
	}
	return min(max(int(nc.MaxPayload())/2, 16<<10), 1<<20)
}

// maxBody is the largest message body the server takes, less room for
// headers; a larger one is sent in chunks.
func maxBody(nc *nats.Conn) int {
	if nc == nil {
		return 1 << 20
	}
	return int(nc.MaxPayload()) - 4096
}
