package natsbus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
	// Log, when set, hears what a setup waits for (a stream's replicas
	// settling, a leader being elected).
	Log func(format string, a ...any)

	putOnce sync.Once // putJS
	put     jetstream.JetStream
	putErr  error
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
		if err := b.ensureStream(ctx, cfg, false); err != nil {
			return err
		}
	}
	// then wait for them all to settle (the server moves their peers at
	// once, not one stream after the other)
	for _, name := range []string{ObjectsStream, PairsStream, PartialsStream, ReduceStream, ChunksStream} {
		if err := b.ensureStream(ctx, jetstream.StreamConfig{Name: name}, true); err != nil {
			return err
		}
	}
	return nil
}

// SetupWait is how long Setup and SetupLive try a stream that does not
// answer (a cluster electing a leader after a node died), or wait for
// its replicas to settle, before they give up.
var SetupWait = 3 * time.Minute

// ensureStream creates the stream of cfg with cfg.Replicas replicas, or
// brings an existing one to cfg's subjects, age and duplicate window
// with the larger of its replicas and cfg's (what else an operator set
// on it stays); it updates the stream only when something differs. With
// settle it does none of that but waits, on a cluster, until the stream
// cfg.Name, and the consumers of a work queue (which the server moves to
// the stream's peers), have their replicas in place: a run that
// published while a stream was still growing from one replica to three
// lost it with the node that held it. Both try for up to SetupWait.
func (b *Bus) ensureStream(ctx context.Context, cfg jetstream.StreamConfig, settle bool) error {
	wctx, cancel := context.WithTimeout(ctx, SetupWait)
	defer cancel()
	var last error
	var st jetstream.Stream
	err := retry(wctx, func(ctx context.Context) error {
		var err error
		if settle {
			st, err = b.JS.Stream(ctx, cfg.Name)
		} else {
			st, err = b.ensureStreamOnce(ctx, cfg)
		}
		if err != nil {
			last = err
		}
		return err
	})
	if err == nil && settle {
		start, said := time.Now(), time.Time{}
		err = retry(wctx, func(ctx context.Context) error {
			err := settled(ctx, st)
			if err != nil {
				last = err
				if b.Log != nil && time.Since(start) > 2*time.Second && time.Since(said) > 10*time.Second {
					said = time.Now()
					b.Log("natsbus: waiting for stream %s to settle at %d replicas: %v", cfg.Name, st.CachedInfo().Config.Replicas, err)
				}
			}
			return err
		})
	}
	if err != nil && ctx.Err() == nil && wctx.Err() != nil {
		return fmt.Errorf("natsbus: stream %s did not answer, or did not settle, for %s (are most of the cluster's nodes up?): %w", cfg.Name, SetupWait, last)
	}
	return err
}

// ensureStreamOnce is one attempt of ensureStream's first step; it
// returns the stream.
func (b *Bus) ensureStreamOnce(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	for try := 0; ; try++ {
		st, err := b.JS.Stream(ctx, cfg.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			st, err = b.JS.CreateStream(ctx, cfg)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) && try < 3 {
				continue // another process made it meanwhile: look again
			}
			if err != nil {
				return nil, fmt.Errorf("natsbus: create %s with %d replicas: %w", cfg.Name, cfg.Replicas, err)
			}
			return st, nil
		}
		if err != nil {
			return nil, fmt.Errorf("natsbus: %s: %w", cfg.Name, err)
		}
		have := st.CachedInfo().Config
		if have.Retention != cfg.Retention {
			return nil, permanentError{fmt.Errorf("natsbus: stream %s exists with %s retention, not %s: it was made by something else (delete it, or use another server)", cfg.Name, have.Retention, cfg.Retention)}
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
			return st, nil
		}
		if st, err = b.JS.UpdateStream(ctx, want); err != nil {
			return nil, fmt.Errorf("natsbus: update %s (replicas %d to %d): %w", cfg.Name, have.Replicas, want.Replicas, err)
		}
		return st, nil
	}
}

// settled returns nil once stream st (and, for a work queue, each of its
// consumers) has a leader, no change of peers under way and its replicas
// in place, a majority of them current; else an error saying what it
// waits for. A peer that is down counts as in place (it is not replaced
// while it is away), so a cluster missing a node settles.
func settled(ctx context.Context, st jetstream.Stream) error {
	info, err := st.Info(ctx)
	if err != nil {
		return err
	}
	r := info.Config.Replicas
	if r <= 1 {
		return nil
	}
	if err := groupSettled(info.Cluster, r); err != nil {
		return fmt.Errorf("stream %s: %w", info.Config.Name, err)
	}
	if info.Config.Retention == jetstream.LimitsPolicy {
		return nil // its consumers (the followers') have one replica of their own
	}
	l := st.ListConsumers(ctx)
	for ci := range l.Info() {
		if err := groupSettled(ci.Cluster, r); err != nil {
			return fmt.Errorf("consumer %s of %s: %w", ci.Name, info.Config.Name, err)
		}
	}
	return l.Err()
}

func groupSettled(ci *jetstream.ClusterInfo, r int) error {
	switch {
	case ci == nil:
		return nil // not clustered
	case ci.Leader == "":
		return errors.New("no leader yet")
	case ci.Desired != nil:
		what := "its peers are changing"
		if ci.Desired.Status != nil && ci.Desired.Status.Description != "" {
			what += " (" + ci.Desired.Status.Description + ")"
		}
		return errors.New(what)
	}
	peers, current := 1, 1
	for _, p := range ci.Replicas {
		if p.Pending {
			return fmt.Errorf("peer %s is joining or leaving", p.Name)
		}
		peers++
		if p.Current && !p.Offline {
			current++
		}
	}
	if peers < r || current < r/2+1 {
		return fmt.Errorf("%d of %d peers in place, %d current", peers, r, current)
	}
	return nil
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
