package natsbus

// Putting an object into the parts store in a way that survives a busy
// server and a failover. jetstream's ObjectStore.Put publishes every
// chunk at once (up to 4,000 asynchronous publishes of 128 KiB in
// flight: three workers' parts overran a stream's inbound queue, and the
// server refused chunks with "429 too many requests"), gives up at the
// first chunk refused, and waits for the last acknowledgement with no
// bound but its context: after the store's leader was killed, a put was
// seen waiting for an acknowledgement that never came, holding the
// reducer, and so the run, to its deadline (TestPartsClusterFailover).
//
// putObject writes the same object (chunks on $O.<bucket>.C.<nuid>, then
// the meta message on $O.<bucket>.M.<name> rolling up any earlier one:
// jetstream's Get reads it as its own), with at most putWindow bytes of
// chunks unacknowledged, each acknowledgement awaited at most putAckWait.
// A chunk refused (a full inbound queue, no leader for a moment) or not
// acknowledged in time is sent again after a back-off, in place: the
// chunks after it that the stream took meanwhile are deleted from the
// stream and sent again after it, so that the object's chunks stay in
// order. A chunk whose fate is unknown (no acknowledgement) is sent
// again with its message id, which the stream's duplicate window answers
// with the sequence it stored it at, if it did. The put gives up only
// when nothing has been acknowledged for putGiveUp, or when the server
// refuses for good (its storage full).

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Tunables of putObject (tests shorten them).
var (
	putChunk   = 128 << 10 // bytes a chunk (jetstream's default)
	putWindow  = 2 << 20   // bytes of chunks in flight, unacknowledged
	putAckWait = 15 * time.Second
	putGiveUp  = 2 * time.Minute // with no chunk acknowledged
)

// putStats counts a put's chunks sent again (tests read it).
type putStats struct {
	Resent  int // chunks sent again after a refusal or a missing acknowledgement
	Deleted int // chunks the stream took out of order, deleted and sent again
}

// inflight is a chunk published and not yet confirmed in order.
type inflight struct {
	index int
	data  []byte
	id    string
	fut   jetstream.PubAckFuture
}

// objectPutter puts one object.
type objectPutter struct {
	js      jetstream.JetStream
	stream  string // OBJ_<bucket>
	subject string // the chunks' subject
	nuid    string
	gen     int // bumped when chunks are deleted, so that their next ids are new
	last    uint64
	acked   time.Time
	stats   putStats
	log     func(string, ...any)
	name    string
}

// putObject puts what r reads as object name of bucket (see above); log,
// when set, hears of chunks sent again.
func putObject(ctx context.Context, b *Bus, bucket, name string, r io.Reader, log func(string, ...any)) (*jetstream.ObjectInfo, putStats, error) {
	js, err := b.putJS()
	if err != nil {
		return nil, putStats{}, err
	}
	p := &objectPutter{js: js, stream: "OBJ_" + bucket, nuid: nuid.Next(), acked: time.Now(), log: log, name: name}
	p.subject = "$O." + bucket + ".C." + p.nuid
	info, err := p.put(ctx, bucket, name, r)
	if err != nil {
		// what it stored of the object goes (best effort: the store's TTL
		// takes what is left)
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if st, serr := js.Stream(pctx, p.stream); serr == nil {
			st.Purge(pctx, jetstream.WithPurgeSubject(p.subject))
		}
		cancel()
		return nil, p.stats, err
	}
	return info, p.stats, nil
}

func (p *objectPutter) put(ctx context.Context, bucket, name string, r io.Reader) (*jetstream.ObjectInfo, error) {
	// an object of that name already there (a put redone) loses its
	// chunks once the new one is in
	var old string
	if err := retry(ctx, func(ctx context.Context) error {
		obs, err := p.js.ObjectStore(ctx, bucket)
		if err != nil {
			return err
		}
		info, err := obs.GetInfo(ctx, name, jetstream.GetObjectInfoShowDeleted())
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil
		}
		if err == nil && !info.Deleted {
			old = info.NUID
		}
		return err
	}); err != nil {
		return nil, err
	}
	h := sha256.New()
	var queue []*inflight
	inWindow := 0
	n, size := 0, uint64(0)
	for eof := false; !eof; {
		buf := make([]byte, putChunk)
		k, err := io.ReadFull(r, buf)
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			eof = true
		case err != nil:
			return nil, err
		}
		if k > 0 {
			c := &inflight{index: n, data: buf[:k]}
			h.Write(c.data)
			n++
			size += uint64(k)
			queue = append(queue, c)
			inWindow += k
			if err := p.send(c); err != nil {
				return nil, err
			}
		}
		// confirm in order until the window has room (all, at the end)
		for len(queue) > 0 && (inWindow > putWindow || eof) {
			var err error
			if queue, err = p.confirm(ctx, queue); err != nil {
				return nil, err
			}
			inWindow = 0
			for _, c := range queue {
				inWindow += len(c.data)
			}
		}
	}
	info := &jetstream.ObjectInfo{ObjectMeta: jetstream.ObjectMeta{Name: name, Opts: &jetstream.ObjectMetaOptions{ChunkSize: uint32(putChunk)}},
		Bucket: bucket, NUID: p.nuid, Size: size, Chunks: uint32(n), Digest: digest(h)}
	body, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	meta := nats.NewMsg("$O." + bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name)))
	meta.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	meta.Data = body
	if err := retry(ctx, func(ctx context.Context) error {
		_, err := p.js.PublishMsg(ctx, meta, jetstream.WithMsgID(p.nuid+".meta"))
		return err
	}); err != nil {
		return nil, fmt.Errorf("object %s: its meta message: %w", name, err)
	}
	info.ModTime = time.Now().UTC()
	if old != "" {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if st, err := p.js.Stream(pctx, p.stream); err == nil {
			st.Purge(pctx, jetstream.WithPurgeSubject("$O."+bucket+".C."+old))
		}
		cancel()
	}
	return info, nil
}

// digest is an object's digest as jetstream writes it.
func digest(h hash.Hash) string {
	return "SHA-256=" + base64.URLEncoding.EncodeToString(h.Sum(nil))
}

// send publishes chunk c (asynchronously) with its id of this
// generation.
func (p *objectPutter) send(c *inflight) error {
	c.id = p.nuid + "." + strconv.Itoa(p.gen) + "." + strconv.Itoa(c.index)
	m := nats.NewMsg(p.subject)
	m.Data = c.data
	fut, err := p.js.PublishMsgAsync(m, jetstream.WithMsgID(c.id))
	c.fut = fut // nil when it could not be sent: awaited as a refusal
	if err != nil && refused(err) {
		return err
	}
	return nil
}

// await waits for chunk c's acknowledgement, at most putAckWait: its
// sequence, or an error (known reports whether the stream is known not
// to have stored it).
func (p *objectPutter) await(ctx context.Context, c *inflight) (seq uint64, known bool, err error) {
	if c.fut == nil {
		return 0, true, errors.New("not sent")
	}
	t := time.NewTimer(putAckWait)
	defer t.Stop()
	select {
	case ack := <-c.fut.Ok():
		return ack.Sequence, true, nil
	case err := <-c.fut.Err():
		// a refusal (429, no responders, a full store) stored nothing; a
		// timeout of the client's own may have
		var apiErr *jetstream.APIError
		known := errors.As(err, &apiErr) || errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse)
		return 0, known, err
	case <-t.C:
		return 0, false, fmt.Errorf("no acknowledgement within %s", putAckWait)
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
}

// confirm waits for the first chunk of queue; once the stream has it in
// order it is dropped from the queue. Otherwise the chunks are put in
// order again (rewind) and the queue returned is what is still in
// flight.
func (p *objectPutter) confirm(ctx context.Context, queue []*inflight) ([]*inflight, error) {
	head := queue[0]
	seq, _, err := p.await(ctx, head)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err == nil && seq > p.last {
		p.last, p.acked = seq, time.Now()
		return queue[1:], nil
	}
	if err == nil {
		err = fmt.Errorf("stored at %d, before the chunk before it (%d)", seq, p.last)
	}
	if refused(err) {
		return nil, err
	}
	if err := p.rewind(ctx, queue, err); err != nil {
		return nil, err
	}
	return nil, nil // all in, in order
}

// rewind puts queue's chunks again, in order, after the first was not
// confirmed (why): it waits for every other chunk's fate, deletes those
// the stream took, sends the first again (with its id: a chunk stored
// after all is answered with its sequence) until it is in, then sends
// the others again with new ids. On return queue's chunks are all in,
// in order.
func (p *objectPutter) rewind(ctx context.Context, queue []*inflight, why error) error {
	st, err := p.streamHandle(ctx)
	if err != nil {
		return err
	}
	// the others' fates: those stored go (they would be out of order)
	for _, c := range queue[1:] {
		seq, known, err := p.await(ctx, c)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil || !known {
			if err != nil {
				// unknown: asked again with the same id, whose answer is
				// its sequence whether it was stored then or now
				if seq, err = p.sendSync(ctx, c); err != nil {
					return err
				}
			}
			if err := retry(ctx, func(ctx context.Context) error {
				err := st.DeleteMsg(ctx, seq)
				if errors.Is(err, jetstream.ErrMsgNotFound) {
					return nil
				}
				return err
			}); err != nil {
				return fmt.Errorf("object %s: delete chunk %d, stored out of order: %w", p.name, c.index, err)
			}
			p.stats.Deleted++
		}
	}
	if p.log != nil {
		p.log("natsbus: object %s: chunk %d: %v: sending it again (and %d after it)", p.name, queue[0].index, why, len(queue)-1)
	}
	p.gen++ // the deleted chunks' ids are in the duplicate window
	for i, c := range queue {
		if i > 0 {
			c.id = ""
		}
		seq, err := p.sendSync(ctx, c)
		if err != nil {
			return err
		}
		if seq <= p.last {
			return fmt.Errorf("object %s: chunk %d stored at %d, before the chunk before it (%d)", p.name, c.index, seq, p.last)
		}
		p.last, p.acked = seq, time.Now()
		p.stats.Resent++
	}
	return nil
}

// sendSync publishes chunk c and waits for its acknowledgement, trying
// again after a back-off until it is in, the server refuses it for good,
// or nothing has been acknowledged for putGiveUp. c keeps its id if it
// has one (a chunk whose fate is unknown), else gets one of this
// generation.
func (p *objectPutter) sendSync(ctx context.Context, c *inflight) (uint64, error) {
	if c.id == "" {
		c.id = p.nuid + "." + strconv.Itoa(p.gen) + "." + strconv.Itoa(c.index)
	}
	wait := 100 * time.Millisecond
	for {
		m := nats.NewMsg(p.subject)
		m.Data = c.data
		actx, cancel := context.WithTimeout(ctx, putAckWait)
		ack, err := p.js.PublishMsg(actx, m, jetstream.WithMsgID(c.id))
		cancel()
		if err == nil {
			return ack.Sequence, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if refused(err) {
			return 0, err
		}
		if time.Since(p.acked) > putGiveUp {
			return 0, fmt.Errorf("object %s: chunk %d not taken for %s: %w", p.name, c.index, putGiveUp, err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (p *objectPutter) streamHandle(ctx context.Context) (jetstream.Stream, error) {
	var st jetstream.Stream
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		st, err = p.js.Stream(ctx, p.stream)
		return err
	})
	return st, err
}

// putJS is the bus's JetStream context for putObject: its asynchronous
// publishes time out (an acknowledgement lost in a failover would
// otherwise hold its message, and a place among the context's pending
// publishes, for ever). One for the bus: each context has a
// subscription of its own for the acknowledgements.
func (b *Bus) putJS() (jetstream.JetStream, error) {
	b.putOnce.Do(func() {
		b.put, b.putErr = jetstream.New(b.JS.Conn(), jetstream.WithPublishAsyncTimeout(putAckWait), jetstream.WithPublishAsyncMaxPending(256))
	})
	return b.put, b.putErr
}

// objectStore is the parts object store on its bus: its puts go
// through putObject.
type objectStore struct {
	jetstream.ObjectStore
	bus *Bus
}
