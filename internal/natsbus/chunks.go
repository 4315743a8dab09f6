package natsbus

// Messages larger than the server takes in one. A stock nats-server
// takes 1 MB a message (max_payload); tasks and results are cut to half
// of that, but one object's shares (a hashtag everyone used), or one
// account pair's partials, may need more. Such a body travels in chunks
// on the chunks stream (tahqiq.chunks.<run>, each chunk at most half the
// server's max_payload, with an id per chunk so that a retry or a redone
// task counts once), and a reference takes its place on its own subject:
//
//	"TQBG" {"seqs":[…],"size":N,"sha256":"…"}
//
// with the chunks' stream sequences in order. A reader gets each chunk by
// its sequence (a request to the stream's leader, bounded by its context),
// checks the size and the SHA-256, and goes on with the body as if it had
// come whole. A run's chunks are purged when the run ends, with its pairs
// and partials; any left (a run that was killed) go after a day.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The chunks stream.
const (
	ChunksStream = "TAHQIQ_CHUNKS" // tahqiq.chunks.<run>
	chunksPrefix = "tahqiq.chunks."
	bigMagic     = "TQBG"
)

// bigRef is the reference that replaces a body sent in chunks.
type bigRef struct {
	Seqs   []uint64 `json:"seqs"`
	Size   int      `json:"size"`
	SHA256 string   `json:"sha256"`
}

// chunksConfig is the chunks stream's configuration.
func chunksConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: ChunksStream, Subjects: []string{chunksPrefix + ">"}, Retention: jetstream.LimitsPolicy,
		Storage: jetstream.FileStorage, Replicas: replicas, MaxAge: 24 * time.Hour, Duplicates: 10 * time.Minute}
}

// send publishes body to subject with message id id, retrying until the
// stream takes it (the id makes a retry count once); a body larger than
// the server takes in one message goes first in chunks, for run, and a
// reference to them in its place. failed, when set, hears of each failed
// attempt.
func (b *Bus) send(ctx context.Context, subject, run, id string, body []byte, failed func(error)) error {
	nc := b.JS.Conn()
	publish := func(subject, id string, data []byte) (*jetstream.PubAck, error) {
		msg := &nats.Msg{Subject: subject, Data: data}
		var ack *jetstream.PubAck
		err := retry(ctx, func(ctx context.Context) error {
			var err error
			ack, err = b.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(id))
			if err != nil && failed != nil {
				failed(err)
			}
			return err
		})
		return ack, err
	}
	if len(body) > maxBody(nc) {
		sum := sha256.Sum256(body)
		ref := bigRef{Size: len(body), SHA256: hex.EncodeToString(sum[:])}
		size := batchBytes(nc)
		n := (len(body) + size - 1) / size
		for c := 0; len(body) > 0; c++ {
			k := min(len(body), size)
			ack, err := publish(chunksPrefix+run, id+"/chunk/"+strconv.Itoa(c), body[:k])
			if err != nil {
				return fmt.Errorf("%d bytes, sent in %d chunks as more than the server's max_payload (%d bytes): chunk %d: %w%s", ref.Size, n, nc.MaxPayload(), c+1, err, storageHint(ChunksStream, err))
			}
			ref.Seqs = append(ref.Seqs, ack.Sequence)
			body = body[k:]
		}
		j, _ := json.Marshal(ref)
		body = append([]byte(bigMagic), j...)
	}
	if _, err := publish(subject, id, body); err != nil {
		return fmt.Errorf("%w%s", err, storageHint(streamOf(subject), err))
	}
	return nil
}

// errChunkGone says that a body's chunks are no longer in the stream:
// the run they belonged to ended (or the stream was purged). A task
// whose chunks are gone can never be done.
var errChunkGone = errors.New("its chunks are gone from " + ChunksStream + " (the run ended, or the stream was purged)")

// receive returns the body of a message: data itself, or the body its
// chunks hold when data is a reference to them.
func (b *Bus) receive(ctx context.Context, data []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte(bigMagic))
	if !ok {
		return data, nil
	}
	var ref bigRef
	if err := json.Unmarshal(rest, &ref); err != nil || ref.Size < 0 || len(ref.Seqs) == 0 {
		return nil, fmt.Errorf("a reference to chunks that does not parse (%v)", err)
	}
	var st jetstream.Stream
	if err := retry(ctx, func(ctx context.Context) error {
		var err error
		st, err = b.JS.Stream(ctx, ChunksStream)
		return err
	}); err != nil {
		return nil, err
	}
	body := make([]byte, 0, min(ref.Size, 1<<30))
	for i, seq := range ref.Seqs {
		var m *jetstream.RawStreamMsg
		err := retry(ctx, func(ctx context.Context) error {
			var err error
			m, err = st.GetMsg(ctx, seq)
			return err
		})
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, errChunkGone
		}
		if err != nil {
			return nil, fmt.Errorf("chunk %d of %d: %w", i+1, len(ref.Seqs), err)
		}
		body = append(body, m.Data...)
		if len(body) > ref.Size {
			break
		}
	}
	sum := sha256.Sum256(body)
	if len(body) != ref.Size || hex.EncodeToString(sum[:]) != ref.SHA256 {
		return nil, fmt.Errorf("its chunks hold %d bytes with another SHA-256, not the %d bytes sent", len(body), ref.Size)
	}
	return body, nil
}

// purgeRun removes what a run left on the streams once it ends, whether
// it completed or not: its chunks, and the subject of each stream given
// (its pairs, its partials); then it marks the run ended (runEnded), so
// that a worker given one of its tasks after that (a task redelivered,
// or left in the queue by a run stopped early) drops it instead of
// waiting for what was purged. Best effort: a run's end does not fail for
// it, and what is left goes after a day.
func (b *Bus) purgeRun(run string, subjects map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, merr := b.JS.Publish(ctx, endedSubject(run), nil)
	subjects[ChunksStream] = chunksPrefix + run
	for stream, subject := range subjects {
		if st, err := b.JS.Stream(ctx, stream); err == nil {
			st.Purge(ctx, jetstream.WithPurgeSubject(subject))
		}
	}
	if merr != nil {
		// a full store refused the mark: there is room now
		b.JS.Publish(ctx, endedSubject(run), nil)
	}
}

// endedSubject is where a run's end is marked (on the chunks stream,
// kept a day).
func endedSubject(run string) string { return chunksPrefix + run + ".ended" }

// runEnded reports whether run has ended (false when the stream cannot
// say: the task is then done as usual).
func (b *Bus) runEnded(ctx context.Context, run string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := b.JS.Stream(ctx, ChunksStream)
	if err != nil {
		return false
	}
	_, err = st.GetLastMsgForSubject(ctx, endedSubject(run))
	return err == nil
}
