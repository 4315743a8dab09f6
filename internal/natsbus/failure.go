package natsbus

// A run that cannot complete, said at once. A worker whose result the
// server refuses for good (its JetStream storage full, a stream at its
// max bytes, a message over a stream's size limit) cannot hand the
// result on, and no other worker could: left unacknowledged, the task
// came back every AckWait and failed again, and the run waited to its
// deadline. The worker now tells the run on a core NATS subject,
// tahqiq.failed.<run>, which needs no storage (a stream that refuses the
// results would refuse the report too); the run, which listens there
// from its start, ends with the worker's error. A report lost on the way
// (the run's connection down for a moment) is made again when the task
// comes back and fails again.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// failedPrefix is the core NATS subject (no stream) of a run's failure
// reports.
const failedPrefix = "tahqiq.failed."

// runFailed is a worker's report that a run cannot complete.
type runFailed struct{ msg string }

func (e *runFailed) Error() string { return e.msg }

// watchRun returns a context that ends, with the report as its cause,
// when a worker reports that run cannot complete; stop ends the watch.
// Without a connection that takes subscriptions it returns ctx.
func (b *Bus) watchRun(ctx context.Context, run string) (context.Context, func()) {
	nc := b.JS.Conn()
	wctx, cancel := context.WithCancelCause(ctx)
	sub, err := nc.Subscribe(failedPrefix+run, func(m *nats.Msg) {
		cancel(&runFailed{msg: string(m.Data)})
	})
	if err != nil {
		return ctx, func() { cancel(nil) }
	}
	return wctx, func() {
		sub.Unsubscribe()
		cancel(nil)
	}
}

// runErr returns the worker's report when ctx (made by watchRun) ended
// for one, else err.
func runErr(ctx context.Context, run string, err error) error {
	if err == nil {
		return nil
	}
	var rf *runFailed
	if cause := context.Cause(ctx); errors.As(cause, &rf) {
		return fmt.Errorf("natsbus: run %s: %w", run, rf)
	}
	return err
}

// refused reports whether err is a server's refusal of a message that no
// retry, and no other worker, can mend: its storage is full, a stream is
// at its limits, the message is over a stream's size limit.
func refused(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case 10002, // resource limits exceeded for the account
		10023, // insufficient resources
		10047, // insufficient storage resources
		10054: // message size exceeds a stream's maximum
		return true
	case 10077: // the stream could not store it: its max bytes or messages
		return strings.Contains(apiErr.Description, "maximum")
	}
	return false
}

// reportRefused tells run that it cannot complete, when err is a
// refusal of the kind refused reports (once more each time it happens:
// a report is not stored); it returns err.
func (w *Worker) reportRefused(run string, err error) error {
	if err == nil || run == "" || !refused(err) {
		return err
	}
	nc := w.Bus.JS.Conn()
	nc.Publish(failedPrefix+run, []byte(err.Error()))
	nc.Flush()
	return err
}

// streamOf names the stream of a subject of the partitioned paths ("" if
// none).
func streamOf(subject string) string {
	for prefix, stream := range map[string]string{objectsPrefix: ObjectsStream, pairsPrefix: PairsStream,
		partialsPrefix: PartialsStream, chunksPrefix: ChunksStream, LivePrefix: LiveStream} {
		if strings.HasPrefix(subject, prefix) {
			return stream
		}
	}
	if subject == reduceSubject {
		return ReduceStream
	}
	return ""
}

// storageHint says which server setting to change when err is a
// server's refusal for lack of storage, naming the stream (or object
// store) that refused.
func storageHint(stream string, err error) string {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	on := ""
	if stream != "" {
		on = " for stream " + stream
	}
	switch apiErr.ErrorCode {
	case 10002, 10023, 10047:
		return " (the NATS server's JetStream storage is full or too small" + on + ": make room, or raise max_file_store " +
			"in the jetstream block of every node holding its replicas; each of a stream's --replicas is a full copy on its own node)"
	case 10054:
		return " (stream " + stream + " has a max_msg_size below the server's max_payload: raise or remove it)"
	case 10077:
		if strings.Contains(apiErr.Description, "maximum") {
			return " (stream " + stream + " is at its max bytes or messages, which an operator set: raise or remove them " +
				"(nats stream edit " + stream + "), or make room)"
		}
	}
	return ""
}
