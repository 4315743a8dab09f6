package natsbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tahqiq/tahqiq/internal/coord"
)

// failingGets is an object store whose first fail reads time out.
type failingGets struct {
	jetstream.ObjectStore
	fail int
}

func (s *failingGets) Get(ctx context.Context, name string, opts ...jetstream.GetObjectOpt) (jetstream.ObjectResult, error) {
	if s.fail > 0 {
		s.fail--
		return nil, nats.ErrTimeout
	}
	return s.ObjectStore.Get(ctx, name, opts...)
}

// TestFetchPartRetries: a part whose read times out (a busy server) is
// fetched again; a part that cannot be read after fetchTries fails with
// the reason and the number of tries.
func TestFetchPartRetries(t *testing.T) {
	srv, err := Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL(), srv.Creds.Option())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obs, err := (&Bus{JS: js}).partsStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("account_a,account_b\n"), 1000)
	sum := sha256.Sum256(body)
	f := coord.PartFile{Name: "edges-00000-of-00001.csv", Of: "edges.csv", Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
	if _, err := obs.PutBytes(ctx, "run/"+f.Name, body); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := fetchPart(ctx, &failingGets{obs, 2}, "run", dir, f); err != nil {
		t.Fatalf("two timeouts, then the part: %v", err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, f.Name)); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("fetched part: %d bytes, %v", len(got), err)
	}
	defer func(n int) { fetchTries = n }(fetchTries)
	fetchTries = 2
	err = fetchPart(ctx, &failingGets{obs, 5}, "run", dir, f)
	if !errors.Is(err, nats.ErrTimeout) || !strings.Contains(err.Error(), "2 tries") {
		t.Fatalf("always timing out: %v", err)
	}
}
