package natsbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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

// TestFetchPartChecksDigest: the run takes a part's SHA-256 from the
// store's digest, which the get checks the bytes against, and refuses a
// part whose digest or size is not what its writer reported, before it
// writes anything.
func TestFetchPartChecksDigest(t *testing.T) {
	_, js := embeddedJS(t)
	ctx := context.Background()
	obs, err := (&Bus{JS: js}).partsStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("a,b\n"), 100000)
	info, err := putStreaming(ctx, obs, "run/p.csv", func(w io.Writer) error { _, err := w.Write(body); return err })
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if got, err := objectSHA256(info); err != nil || got != hex.EncodeToString(sum[:]) || int(info.Size) != len(body) {
		t.Fatalf("the put's digest: %s, %d bytes, %v; want %x, %d", got, info.Size, err, sum, len(body))
	}
	f := coord.PartFile{Name: "p.csv", Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
	other := sha256.Sum256([]byte("other"))
	for _, bad := range []coord.PartFile{
		{Name: f.Name, Bytes: f.Bytes, SHA256: hex.EncodeToString(other[:])},
		{Name: f.Name, Bytes: f.Bytes - 1, SHA256: f.SHA256},
	} {
		dir := t.TempDir()
		err := fetchPartOnce(ctx, obs, "run", dir, bad)
		if err == nil || !strings.Contains(err.Error(), "its writer reported") {
			t.Fatalf("a part not as reported: %v", err)
		}
		if _, serr := os.Stat(filepath.Join(dir, f.Name)); !errors.Is(serr, os.ErrNotExist) {
			t.Fatalf("the refused part was written: %v", serr)
		}
	}
	dir := t.TempDir()
	if err := fetchPartOnce(ctx, obs, "run", dir, f); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, f.Name)); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("fetched: %d bytes, %v", len(got), err)
	}
	if _, err := obs.GetInfo(ctx, "run/p.csv"); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Fatalf("the fetched part is still in the store: %v", err)
	}
}
