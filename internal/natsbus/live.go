package natsbus

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
)

// The live stream: feeds publish shares to tahqiq.live.<feed> (JSON arrays
// of tahqiq.Share); tahqiq watch reads them.
const (
	LiveStream = "TAHQIQ_LIVE"
	LivePrefix = live.SubjectPrefix
)

// SetupLive creates the live stream if it does not exist (seven days of
// shares are kept, so a watcher started late can begin from the start),
// with Replicas replicas, raising an existing one's but never lowering
// them (as Setup).
func (b *Bus) SetupLive(ctx context.Context) error {
	if err := b.ensureStream(ctx, jetstream.StreamConfig{
		Name: LiveStream, Subjects: []string{LivePrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: max(b.Replicas, 1), MaxAge: 7 * 24 * time.Hour,
	}, false); err != nil {
		return err
	}
	return b.ensureStream(ctx, jetstream.StreamConfig{Name: LiveStream}, true)
}

// Publish sends shares to subject in time order (a stable sort of a copy:
// the watchers pair what arrives within the lateness of the newest share),
// in batches of up to 500.
func (b *Bus) Publish(ctx context.Context, subject string, shares []tahqiq.Share) error {
	shares = slices.Clone(shares)
	slices.SortStableFunc(shares, func(a, b tahqiq.Share) int { return cmp.Compare(a.Time, b.Time) })
	for len(shares) > 0 {
		n := min(len(shares), 500)
		body, err := json.Marshal(shares[:n])
		if err != nil {
			return err
		}
		msg := &nats.Msg{Subject: subject, Data: body}
		if err := retry(ctx, func(ctx context.Context) error { _, err := b.JS.PublishMsg(ctx, msg); return err }); err != nil {
			return fmt.Errorf("natsbus: publish to %s: %w", subject, err)
		}
		shares = shares[n:]
	}
	return nil
}

// LiveSeqs returns the first and last sequences the live stream holds
// (first > last when it holds none).
func (b *Bus) LiveSeqs(ctx context.Context) (first, last uint64, err error) {
	var info *jetstream.StreamInfo
	err = retry(ctx, func(ctx context.Context) error {
		st, err := b.JS.Stream(ctx, LiveStream)
		if err == nil {
			info, err = st.Info(ctx)
		}
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("natsbus: %s: %w", LiveStream, err)
	}
	return info.State.FirstSeq, info.State.LastSeq, nil
}

// WatchFrom says where a watch of the live stream begins: at stream
// sequence Seq when it is not 0, else at the first kept message (All) or
// with the messages published from now on.
type WatchFrom struct {
	All bool
	Seq uint64
}

// Watch hands fn the shares published to subjects matching filter (for
// example tahqiq.live.>), message by message with the message's subject
// and stream sequence, from where from says, until ctx ends. A message
// that is not a JSON array of shares is skipped and handed to bad as an
// error naming it (a bad feed message does not stop the watch).
func (b *Bus) Watch(ctx context.Context, filter string, from WatchFrom, fn func(subject string, seq uint64, shares []tahqiq.Share), bad func(error)) error {
	// a continuous pull, as the gathers read (Fetch on an ordered consumer
	// makes a consumer per call); "new" is resolved to a sequence, so that
	// a reopened iterator misses nothing
	f := &follower{js: b.JS, stream: LiveStream, subject: filter, stall: time.Minute}
	switch {
	case from.Seq > 0:
		f.from = from.Seq
	case !from.All:
		_, last, err := b.LiveSeqs(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return err
		}
		f.from = last + 1
	}
	if err := f.open(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("natsbus: watch %s: %w", filter, err)
	}
	defer f.stop()
	for ctx.Err() == nil {
		msgs, err := f.next(ctx, 64, 500*time.Millisecond, nil)
		for _, m := range msgs {
			var seq uint64
			if meta, _ := m.Metadata(); meta != nil {
				seq = meta.Sequence.Stream
			}
			var shares []tahqiq.Share
			if err := json.Unmarshal(m.Data(), &shares); err != nil {
				if bad != nil {
					bad(tahqiq.Errorf(tahqiq.EINVALID, "live stream %s: message %d on %s is not a JSON array of shares (skipped): %w", LiveStream, seq, m.Subject(), err))
				}
				continue
			}
			fn(m.Subject(), seq, shares)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}
