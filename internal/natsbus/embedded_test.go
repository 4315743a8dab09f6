package natsbus_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/natsbus/natstest"
)

// TestEmbeddedRequiresCredentials: the embedded server refuses a client
// without its credentials (another local process could otherwise read
// every organisation's live shares), with other credentials, or with a
// user and password; its own credentials publish and read the live
// stream; it listens on loopback and opens no monitoring or other port.
func TestEmbeddedRequiresCredentials(t *testing.T) {
	srv, err := natsbus.Embedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	url := srv.ClientURL()
	other, _ := natsbus.NewCreds()
	for name, opts := range map[string][]nats.Option{
		"no credentials":    nil,
		"other credentials": {other.Option()},
		"user and password": {nats.UserInfo("tahqiq", "tahqiq")},
		"token":             {nats.Token("tahqiq")},
	} {
		nc, err := nats.Connect(url, opts...)
		if err == nil {
			// had it connected, it could read everything
			sub, serr := nc.SubscribeSync(natsbus.LivePrefix + ">")
			nc.Close()
			t.Fatalf("%s: connected to the embedded server (subscribe: %v, %v)", name, sub, serr)
		}
		if !natsbus.IsAuthError(err) {
			t.Errorf("%s: err = %v, want an authorization error", name, err)
		}
	}
	if _, err := natsbus.Dial(url, nil); !natsbus.IsAuthError(err) {
		t.Errorf("Dial without credentials: %v", err)
	}
	bus, err := natsbus.Dial(url, srv.Creds)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := bus.SetupLive(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(ctx, natsbus.LivePrefix+"x", []tahqiq.Share{{Type: tahqiq.ObjURL, Object: "u", AccountID: "a", PostID: "1", Time: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, last, err := bus.LiveSeqs(ctx); err != nil || last != 1 {
		t.Errorf("live stream: last %d, %v", last, err)
	}
	host, _, _ := net.SplitHostPort(srv.Addr().String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("listens on %s, want loopback", srv.Addr())
	}
	for name, addr := range map[string]*net.TCPAddr{"monitoring": srv.MonitorAddr(), "cluster": srv.ClusterAddr(), "profiler": srv.ProfilerAddr(), "gateway": srv.GatewayAddr()} {
		if addr != nil {
			t.Errorf("%s port open at %s", name, addr)
		}
	}
}

// TestEmbeddedCreds: the embedded server's credentials are made once, in
// a file of mode 0600 in a directory made 0700, the same for processes
// that start together; a file others may read is refused.
func TestEmbeddedCreds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nats")
	os.MkdirAll(dir, 0o755) // as an older tahqiq made it
	var wg sync.WaitGroup
	seeds := make([]string, 8)
	for i := range seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, path, err := natsbus.EmbeddedCreds(dir)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := os.ReadFile(path)
			seeds[i] = string(b)
		}()
	}
	wg.Wait()
	for _, p := range seeds[1:] {
		if p != seeds[0] || !strings.HasPrefix(seeds[0], "SU") {
			t.Fatalf("credentials made together differ or are not an NKey user seed: %d files", len(seeds))
		}
	}
	path := filepath.Join(dir, natsbus.CredsFile)
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%s holds %d files, want only %s", dir, len(entries), natsbus.CredsFile)
	}
	// a server restarted on the directory takes the same credentials
	c, _, _ := natsbus.EmbeddedCreds(dir)
	srv, err := natsbus.EmbeddedAt(dir, "", c)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	again, err := natsbus.ReadCreds(path)
	if err != nil {
		t.Fatal(err)
	}
	if bus, err := natsbus.Dial(srv.ClientURL(), again); err != nil {
		t.Errorf("the credentials read back: %v", err)
	} else {
		bus.Close()
	}
	os.Chmod(path, 0o644)
	if _, err := natsbus.ReadCreds(path); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a world-readable credentials file: %v", err)
	}
}

// TestEmbeddedPortZero: an address with port 0 takes a free port, as
// net.Listen does, not NATS's default 4222.
func TestEmbeddedPortZero(t *testing.T) {
	srv, err := natsbus.EmbeddedAt(t.TempDir(), "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	if _, port, _ := net.SplitHostPort(srv.Addr().String()); port == "4222" || port == "0" {
		t.Errorf("127.0.0.1:0 listens on %s", srv.Addr())
	}
}

// TestWatchStoppedWhileStarting: a watch stopped before it follows the
// live stream (while it asks where the stream ends) is a clean stop, as
// one stopped while it opens its consumer is: `tahqiq watch` interrupted
// at its start exited 130 ("natsbus: TAHQIQ_LIVE: context canceled").
func TestWatchStoppedWhileStarting(t *testing.T) {
	bus := natstest.EmbeddedBus(context.Background(), t, 1)
	if err := bus.SetupLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := bus.Watch(ctx, natsbus.LivePrefix+">", natsbus.WatchFrom{}, func(string, uint64, []tahqiq.Share) {}, nil); err != nil {
		t.Fatalf("a watch stopped before it started: %v, want a clean stop", err)
	}
}
