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
// as long as a run gathers it. It does the ordered consumer's work
// itself, so that every wait is bounded by a context: a consumer of its
// own (ephemeral, one replica in memory, no acks) with a continuous pull,
// replaced by a new one starting after the last message handed over when
// the iterator fails, when a consumer sequence is skipped (a message
// lost on the way), or when the consumer stops answering or holds
// messages it does not deliver (after a failover). jetstream's ordered
// consumer retries its reset for ever with no context, so a worker whose
// stream was unreachable could not be stopped. The gatherers skip
// anything seen twice.
type follower struct {
	js      jetstream.JetStream
	stream  string
	subject string
	cons    jetstream.Consumer
	it      jetstream.MessagesContext // nil: to be opened
	last    uint64                    // stream sequence of the last message handed over
	dseq    uint64                    // consumer sequence of the last message of cons
	heard   time.Time                 // when a message last came, or the consumer was last checked
	from    uint64                    // before any message: the first sequence to read (0: the stream's first)
	stall   time.Duration             // silence after which the consumer is checked (default followStall)
	failed  time.Time                 // when a failure to open was last logged
}

// followStall is how long a follower waits without a message before it
// asks its consumer whether messages are waiting: silence alone is no
// failure (a run's gather waits as long as its workers compute), but
// after a failover a consumer was seen to stay silent for minutes.
const followStall = 5 * time.Second

// follow starts following subject, trying again while the stream does
// not answer (a leader being elected) until ctx ends; a stream that does
// not exist is an error at once.
func follow(ctx context.Context, js jetstream.JetStream, stream, subject string) (*follower, error) {
	f := &follower{js: js, stream: stream, subject: subject}
	return f, retry(ctx, f.open)
}

// open makes a new consumer starting after the last message handed over
// (or at from) and its iterator. On failure the follower has none, and
// next tries again.
func (f *follower) open(ctx context.Context) error {
	f.close()
	cfg := jetstream.ConsumerConfig{
		FilterSubject: f.subject, AckPolicy: jetstream.AckNonePolicy, DeliverPolicy: jetstream.DeliverAllPolicy,
		Replicas: 1, MemoryStorage: true, InactiveThreshold: time.Minute,
	}
	switch {
	case f.last > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.last+1
	case f.from > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, f.from
	}
	f.heard = time.Now()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := f.js.CreateConsumer(cctx, f.stream, cfg)
	if err != nil {
		return fmt.Errorf("natsbus: follow %s: %w", f.subject, err)
	}
	// a few messages ahead at most: they may be 1 MiB each, and a client
	// whose pending bytes overflow drops messages (a slow consumer)
	it, err := c.Messages(jetstream.PullMaxMessages(16))
	if err != nil {
		f.cons = c
		f.close()
		return fmt.Errorf("natsbus: follow %s: %w", f.subject, err)
	}
	f.cons, f.it, f.dseq = c, it, 0
	return nil
}

// close stops the iterator and deletes the consumer (in the background:
// the server deletes it by itself after a minute of inactivity anyway).
func (f *follower) close() {
	if f.it != nil {
		f.it.Stop()
		f.it = nil
	}
	if f.cons != nil {
		name := f.cons.CachedInfo().Name
		f.cons = nil
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			f.js.DeleteConsumer(ctx, f.stream, name)
		}()
	}
}

// reopen follows again after the last message handed over, saying why.
func (f *follower) reopen(ctx context.Context, log func(string, ...any), why string, a ...any) {
	if log != nil {
		log("natsbus: follow %s: %s: following again after message %d", f.subject, fmt.Sprintf(why, a...), f.last)
	}
	if err := f.open(ctx); err != nil && log != nil && ctx.Err() == nil {
		f.failed = time.Now()
		log("%v (trying again)", err)
	}
}

// next returns up to max messages: waits up to wait for the first, then
// takes what has arrived. On a failure it follows again (after logging
// it) and returns what it had; it returns an error only when ctx ends.
func (f *follower) next(ctx context.Context, max int, wait time.Duration, log func(string, ...any)) ([]jetstream.Msg, error) {
	if f.it == nil {
		if err := f.open(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if log != nil && time.Since(f.failed) > followStall {
				f.failed = time.Now()
				log("%v (trying again)", err)
			}
			select { // do not spin on a server that refuses at once
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(min(wait, time.Second)):
			}
			return nil, nil
		}
	}
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
			meta, merr := m.Metadata()
			if merr != nil {
				continue // not a stream message
			}
			if meta.Sequence.Consumer != f.dseq+1 {
				f.reopen(ctx, log, "message %d of its consumer came after message %d (one was lost on the way)", meta.Sequence.Consumer, f.dseq)
				return out, nil
			}
			f.dseq, f.last = meta.Sequence.Consumer, meta.Sequence.Stream
			f.heard = time.Now()
			out = append(out, m)
			continue
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
			if len(out) == 0 {
				f.check(ctx, log)
			}
			return out, nil
		}
		f.reopen(ctx, log, "%v", err)
		return out, nil
	}
	return out, nil
}

// check asks the consumer, after a silence of stall, whether it holds
// messages: none is a healthy silence (nothing said); messages waiting
// that do not come, or a consumer that does not answer, is a failure,
// and the follower follows again.
func (f *follower) check(ctx context.Context, log func(string, ...any)) {
	stall := f.stall
	if stall <= 0 {
		stall = followStall
	}
	if time.Since(f.heard) < stall {
		return
	}
	f.heard = time.Now()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	info, err := f.cons.Info(cctx)
	cancel()
	switch {
	case ctx.Err() != nil:
	case err != nil:
		f.reopen(ctx, log, "its consumer does not answer (%v)", err)
	case info.NumPending > 0:
		f.reopen(ctx, log, "%d messages wait but none came for %s", info.NumPending, stall)
	}
}

func (f *follower) stop() { f.close() }

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
		if permanent(err) {
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

// permanentError is an error that retrying cannot mend.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// permanent reports whether retrying a request that failed with err
// cannot help: a message too large, a bad subject, a stream or message
// that does not exist, a server whose storage limits refuse the message.
func permanent(err error) bool {
	if errors.Is(err, nats.ErrMaxPayload) || errors.Is(err, nats.ErrBadSubject) || errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrMsgNotFound) {
		return true
	}
	var perr permanentError
	if errors.As(err, &perr) {
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Code == 400 {
			return true // a bad request (replicas a single server cannot have, …)
		}
		switch apiErr.ErrorCode {
		case jetstream.JSErrCodeStreamNotFound, jetstream.JSErrCodeMessageNotFound,
			10002, // account resource limits exceeded
			10023, // insufficient resources
			10047, // storage resources exceeded
			10054: // message size exceeds the stream's maximum
			return true
		}
	}
	return false
}
