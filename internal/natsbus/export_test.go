package natsbus

import (
	"context"
	"io"

	"github.com/nats-io/nats.go/jetstream"
)

// What the external tests (package natsbus_test, which may start
// clusters through natstest) reach of the package's insides.

// PutObject is putObject into the parts store; it returns the chunks
// sent again and those deleted as out of order.
func PutObject(ctx context.Context, b *Bus, name string, r io.Reader, log func(string, ...any)) (*jetstream.ObjectInfo, int, int, error) {
	info, st, err := putObject(ctx, b, PartsBucket, name, r, log)
	return info, st.Resent, st.Deleted, err
}

// PartsStore is the parts object store, made if need be.
func PartsStore(ctx context.Context, b *Bus) (jetstream.ObjectStore, error) {
	return b.partsStore(ctx)
}
