package natsbus

// Reading and writing the streams through failures: bounded pulls, a
// follower that reopens after a failover, retried requests.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pull fetches up to n messages: those waiting now when wait is 0, else
// waiting up to wait (the pull's expiry on the server, so that a message
// on its way is never cut off by the client). The client gives up after
// wait plus pullGrace all the same: after a failover, a pull whose server
// went away was seen never to end (its timer restarts whenever other
// traffic wakes it). A message received after that is not lost: a work
// queue redelivers it after AckWait.
func pull(ctx context.Context, c jetstream.Consumer, n int, wait time.Duration) ([]jetstream.Msg, error) {
	var mb jetstream.MessageBatch
	var err error
	if wait <= 0 {
		mb, err = c.FetchNoWait(n)
	} else {
		mb, err = c.Fetch(n, jetstream.FetchMaxWait(wait))
	}
	if err != nil {
		return nil, err
	}
	giveUp := time.NewTimer(wait + pullGrace)
	defer giveUp.Stop()
	var out []jetstream.Msg
	for {
		select {
		case m, ok := <-mb.Messages():
			if !ok {
				err = mb.Error()
				if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
					err = nil
				}
				return out, err
			}
			out = append(out, m)
		case <-giveUp.C:
			return out, fmt.Errorf("a pull of %s did not end within %s", wait, wait+pullGrace)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}

// pullGrace is how long after its wait a pull is given up.
const pullGrace = 10 * time.Second

// follower reads one subject of a stream from its start, in order, for
// as long as a run gathers it: an ordered consumer with a continuous pull
// (Fetch on an ordered consumer makes a new consumer at every call, which
// costs more than the messages). Every wait is bounded by a context. When
// the iterator fails or stays silent (a failover), it starts again after
// the last message it handed over; the gatherers skip anything seen twice.
type follower struct {
	js      jetstream.JetStream
	stream  string
	subject string
	it      jetstream.MessagesContext
	last    uint64        // stream sequence of the last message handed over
	heard   time.Time     // when a message last came (or the iterator opened)
	from    uint64        // before any message: the first sequence to read (0: the stream's first)
	stall   time.Duration // silence after which it reopens (default followStall)
}

// followStall is how long a follower waits without a message before it
// opens a new iterator after the last message it handed over: after a
// failover an ordered consumer was seen to stay silent for minutes.
const followStall = 5 * time.Second

func follow(ctx context.Context, js jetstream.JetStream, stream, subject string) (*follower, error) {
	f := &follower{js: js, stream: stream, subject: subject}
	return f, f.open(ctx)
}

func (f *follower) open(ctx context.Context) error {
	if f.it != nil {
		f.it.Stop()
		f.it = nil
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{f.subject}}
	switch {
	case f.last > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.last+1
	case f.from > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.from
	}
	f.heard = time.Now()
	c, err := f.js.OrderedConsumer(cctx, f.stream, cfg)
	if err != nil {
		return fmt.Errorf("natsbus: follow %s: %w", f.subject, err)
	}
	// a few messages ahead at most: they may be 1 MiB each, and a client
	// whose pending bytes overflow drops messages (a slow consumer)
	it, err := c.Messages(jetstream.PullMaxMessages(16))
	if err != nil {
		return fmt.Errorf("natsbus: follow %s: %w", f.subject, err)
	}
	f.it = it
	return nil
}

// next returns up to max messages: waits up to wait for the first, then
// takes what has arrived. On a failure it reopens (after logging it) and
// returns what it had.
func (f *follower) next(ctx context.Context, max int, wait time.Duration, log func(string, ...any)) ([]jetstream.Msg, error) {
	var out []jetstream.Msg
	for len(out) < max {
		d := wait
		if len(out) > 0 {
			d = time.Millisecond
		}
		nctx, cancel := context.WithTimeout(ctx, d)
		m, err := f.it.Next(jetstream.NextContext(nctx))
		cancel()
		if err == nil {
			if meta, merr := m.Metadata(); merr == nil {
				f.last = meta.Sequence.Stream
			}
			f.heard = time.Now()
			out = append(out, m)
			continue
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
			stall := f.stall
			if stall <= 0 {
				stall = followStall
			}
			if len(out) == 0 && time.Since(f.heard) > stall {
				if log != nil {
					log("natsbus: follow %s: nothing for %s, following again after message %d", f.subject, stall, f.last)
				}
				if oerr := f.open(ctx); oerr != nil && log != nil {
					log("%v", oerr)
				}
			}
			return out, nil
		}
		if log != nil {
			log("natsbus: follow %s: %v (following again after message %d)", f.subject, err, f.last)
		}
		time.Sleep(200 * time.Millisecond)
		if oerr := f.open(ctx); oerr != nil && log != nil {
			log("%v", oerr)
		}
		return out, nil
	}
	return out, nil
}

func (f *follower) stop() {
	if f.it != nil {
		f.it.Stop()
	}
}

// retry calls fn until it succeeds or ctx ends, backing off up to 2 s
// (a cluster electing a new stream leader answers with errors meanwhile).
// Each attempt has 5 s: a request to a server that just died is never
// answered.
func retry(ctx context.Context, fn func(ctx context.Context) error) error {
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(actx)
		cancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject) || errors.Is(err, jetstream.ErrStreamNotFound) {
			return err // retrying cannot help
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}
