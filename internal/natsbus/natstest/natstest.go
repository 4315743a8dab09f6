// Package natstest runs NATS JetStream servers as separate processes for
// tests: each node of a cluster is a child process of the test binary
// (which runs the server of github.com/nats-io/nats-server/v2, the module
// tahqiq already uses, when natstest.Main finds it was started as one), so
// that a test can kill a node as a machine dies (SIGKILL: no shutdown,
// no goodbye to the cluster) while its own process, the run and the
// workers go on. Tests only.
//
// A test binary that uses it calls Main first thing in its TestMain.
package natstest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// envNode carries a node's configuration (JSON) to the child process.
const envNode = "TAHQIQ_NATSTEST_NODE"

// node is what a child process needs to start its server.
type node struct {
	Name       string   `json:"name"`
	Port       int      `json:"port"`          // client port
	Cluster    int      `json:"cluster"`       // cluster port (0: a single server)
	Routes     []string `json:"routes"`        // the cluster's route URLs
	Dir        string   `json:"dir"`           // JetStream store
	MaxPayload int32    `json:"max_payload"`   // 0: NATS's default (1 MB)
	MaxStore   int64    `json:"max_store"`     // JetStream file store limit (0: the server's default)
	Log        bool     `json:"log,omitempty"` // the server logs to stderr
}

// Main runs a NATS server and exits when the test binary was started by
// Start as a node; otherwise it returns at once. The node stops when its
// standard input closes (the test process ended), or when killed.
func Main() {
	cfg := os.Getenv(envNode)
	if cfg == "" {
		return
	}
	var n node
	if err := json.Unmarshal([]byte(cfg), &n); err != nil {
		fmt.Fprintf(os.Stderr, "natstest: node configuration: %v\n", err)
		os.Exit(2)
	}
	opts := &server.Options{
		ServerName: n.Name, Host: "127.0.0.1", Port: n.Port,
		JetStream: true, StoreDir: n.Dir, NoSigs: true, NoLog: !n.Log, Debug: false,
		MaxPayload: n.MaxPayload, JetStreamMaxStore: n.MaxStore,
	}
	if n.Cluster > 0 {
		opts.Cluster = server.ClusterOpts{Name: "tahqiq-test", Host: "127.0.0.1", Port: n.Cluster}
		for _, r := range n.Routes {
			u, err := url.Parse(r)
			if err != nil {
				fmt.Fprintf(os.Stderr, "natstest: route %q: %v\n", r, err)
				os.Exit(2)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "natstest: %v\n", err)
		os.Exit(2)
	}
	if n.Log {
		s.ConfigureLogger()
	}
	go s.Start()
	if !s.ReadyForConnections(time.Minute) {
		fmt.Fprintf(os.Stderr, "natstest: node %s not ready after a minute\n", n.Name)
		os.Exit(2)
	}
	fmt.Printf("ready %s\n", s.ClientURL())
	io.Copy(io.Discard, os.Stdin) // until the test process goes away
	s.Shutdown()
	s.WaitForShutdown()
	os.Exit(0)
}

// Options of a cluster.
type Options struct {
	MaxPayload int32 // bytes; 0: NATS's default, 1 MB (a stock server)
	MaxStore   int64 // JetStream file store per node, bytes; 0: the server's default
}

// Cluster is a set of JetStream servers in child processes, routed into
// one cluster when there are several.
type Cluster struct {
	Nodes []*Node
}

// Node is one server process.
type Node struct {
	Name string
	URL  string // nats://127.0.0.1:PORT
	cmd  *exec.Cmd
	in   io.WriteCloser
	mu   sync.Mutex
	dead bool
	done chan struct{}

	readyc chan string
}

// Start starts n JetStream servers (a cluster when n > 1) as child
// processes of the test binary and waits until JetStream answers (the
// cluster has elected its meta leader). They stop when the test ends.
// Their logs go to the test's stderr when TAHQIQ_NATS_LOG is set.
func Start(tb testing.TB, n int, o Options) *Cluster {
	tb.Helper()
	clients, routes := make([]int, n), make([]int, n)
	for i := range n {
		clients[i], routes[i] = freePort(tb), freePort(tb)
	}
	var routeURLs []string
	if n > 1 {
		for _, p := range routes {
			routeURLs = append(routeURLs, fmt.Sprintf("nats://127.0.0.1:%d", p))
		}
	}
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = tb.TempDir()
	}
	c := &Cluster{}
	tb.Cleanup(c.stop) // before the directories are removed (cleanups run last first)
	for i := range n {
		cfg := node{Name: fmt.Sprint("n", i), Port: clients[i], Routes: routeURLs, Dir: dirs[i],
			MaxPayload: o.MaxPayload, MaxStore: o.MaxStore, Log: os.Getenv("TAHQIQ_NATS_LOG") != ""}
		if n > 1 {
			cfg.Cluster = routes[i]
		}
		nd, err := startNode(cfg)
		if err != nil {
			tb.Fatal(err)
		}
		c.Nodes = append(c.Nodes, nd)
	}
	for _, nd := range c.Nodes {
		if err := nd.ready(); err != nil {
			tb.Fatal(err)
		}
	}
	// JetStream answers once the meta leader is elected
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	nc, js := c.connect(tb)
	defer nc.Close()
	for {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.AccountInfo(actx)
		acancel()
		if err == nil {
			return c
		}
		if ctx.Err() != nil {
			tb.Fatalf("natstest: JetStream of the %d-node cluster never answered: %v", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startNode(cfg node) (*Node, error) {
	b, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envNode+"="+string(b))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("natstest: start node %s: %w", cfg.Name, err)
	}
	nd := &Node{Name: cfg.Name, cmd: cmd, in: in, done: make(chan struct{})}
	readyc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				readyc <- u
			}
		}
		close(readyc)
	}()
	go func() { cmd.Wait(); close(nd.done) }()
	nd.URL = fmt.Sprintf("nats://127.0.0.1:%d", cfg.Port)
	nd.readyc = readyc
	return nd, nil
}

func (n *Node) ready() error {
	select {
	case u, ok := <-n.readyc:
		if !ok {
			return fmt.Errorf("natstest: node %s exited before it was ready", n.Name)
		}
		if u != n.URL {
			n.URL = u
		}
		return nil
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("natstest: node %s not ready after 2 minutes", n.Name)
	}
}

// Kill kills the node's process (SIGKILL, as a machine that dies) and
// waits until it is gone.
func (n *Node) Kill() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.dead {
		return
	}
	n.dead = true
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

// Alive reports whether the node has not been killed.
func (n *Node) Alive() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.dead
}

func (c *Cluster) stop() {
	for _, n := range c.Nodes {
		n.mu.Lock()
		if !n.dead {
			n.dead = true
			n.in.Close() // the node shuts down cleanly
			select {
			case <-n.done:
			case <-time.After(30 * time.Second):
				n.cmd.Process.Kill()
				<-n.done
			}
		}
		n.mu.Unlock()
	}
}

// URLs returns the client URLs of every node, separated by commas (as
// --nats takes them).
func (c *Cluster) URLs() string {
	var u []string
	for _, n := range c.Nodes {
		u = append(u, n.URL)
	}
	return strings.Join(u, ",")
}

// Node returns the node called name (nil: none).
func (c *Cluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// connect opens a client connection to the cluster, reconnecting for ever.
func (c *Cluster) connect(tb testing.TB) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(c.URLs(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond), nats.Name("natstest"))
	if err != nil {
		tb.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		tb.Fatal(err)
	}
	return nc, js
}

// Connect opens a client connection to the cluster that reconnects for
// ever; it is closed when the test ends.
func (c *Cluster) Connect(tb testing.TB) jetstream.JetStream {
	tb.Helper()
	nc, js := c.connect(tb)
	tb.Cleanup(nc.Close)
	return js
}

// Leader returns the node that leads stream name, asking until one
// answers or ctx ends.
func (c *Cluster) Leader(ctx context.Context, js jetstream.JetStream, stream string) (*Node, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		st, err := js.Stream(actx, stream)
		cancel()
		if err == nil {
			if ci := st.CachedInfo().Cluster; ci != nil && ci.Leader != "" {
				if n := c.Node(ci.Leader); n != nil {
					return n, nil
				}
				err = fmt.Errorf("leader %q is no node of the cluster", ci.Leader)
			} else {
				err = errors.New("no leader")
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("natstest: leader of %s: %w (last: %v)", stream, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
