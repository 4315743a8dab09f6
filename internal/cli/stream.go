package cli

import (
	"context"
	"fmt"
	"net"
	neturl "net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// streamFlags are the flags of the partitioned path.
type streamFlags struct {
	url        string // nats://… or "embedded"
	partitions int
	workers    int // in-process workers with --nats embedded
	replicas   int
	reduces    int // reduce partitions; 0: the run gathers the pairs
	// storeDir keeps the embedded server's streams across restarts (serve:
	// --data/nats); empty: a temporary directory removed on exit
	storeDir string
	listen   string // serve: the embedded server's address; "": a free loopback port
	creds    string // --nats-creds: the credentials file for a nats:// URL
}

func (s *streamFlags) add(f interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}) {
	f.StringVar(&s.url, "nats", "", `compute pairs through NATS JetStream: a nats:// URL of a server or cluster (with "tahqiq worker" processes), or "embedded" for an in-process server and workers; empty: one process, no bus`)
	f.IntVar(&s.partitions, "partitions", 16, "with --nats: object partitions of the work stream")
	f.IntVar(&s.workers, "stream-workers", 2, "with --nats embedded: in-process workers")
	f.IntVar(&s.replicas, "replicas", 1, replicasUsage)
	f.IntVar(&s.reduces, "reduce-partitions", 4, "with --nats: account-pair partitions whose partial aggregates the workers' reducers merge; 0: the run gathers the pairs and aggregates them itself")
	f.StringVar(&s.creds, "nats-creds", "", credsUsage)
}

// replicasUsage documents --replicas wherever a command sets streams up.
const replicasUsage = "with --nats: replicas of the JetStream streams this command sets up (3 on a three-node cluster); an existing stream with fewer is raised to them, one with more keeps its own (never lowered)"

// credsUsage documents --nats-creds wherever a command takes a nats:// URL.
const credsUsage = "credentials for the nats:// URL: an NKey seed file (tahqiq serve's embedded server keeps its own in DATA/nats/client.nk, which commands given the same --data use for a loopback URL) or a .creds file of an operator-mode cluster"

// natsCreds returns the credentials to show the server at url: those of
// file (--nats-creds), or, for a URL on this machine, those of the
// embedded server of --data (DATA/nats/client.nk) if it has any; else
// none (a cluster may take a user and password in the URL).
func (e *env) natsCreds(url, file string) (*natsbus.Creds, string, error) {
	if file != "" {
		c, err := natsbus.ReadCreds(file)
		if err != nil {
			return nil, file, tahqiq.Errorf(tahqiq.EINVALID, "--nats-creds: %w", err)
		}
		return c, file, nil
	}
	if !loopbackURL(url) {
		return nil, "", nil
	}
	path := filepath.Join(e.dataDir, "nats", natsbus.CredsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, "", nil
	}
	c, err := natsbus.ReadCreds(path)
	if err != nil {
		return nil, path, tahqiq.Errorf(tahqiq.EINVALID, "%w", err)
	}
	return c, path, nil
}

// loopbackURL reports whether every server of url (nats://host:port,
// several separated by commas) is on this machine.
func loopbackURL(u string) bool {
	for _, one := range strings.Split(u, ",") {
		pu, err := neturl.Parse(strings.TrimSpace(one))
		if err != nil || pu.Hostname() == "" {
			return false
		}
		if h := pu.Hostname(); h != "localhost" {
			if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
				return false
			}
		}
	}
	return true
}

// connectBus connects to the server at url with the credentials of
// credsFile (see natsCreds), or for "embedded" an in-process server on a
// temporary directory, and sets up no stream: the caller sets up those it
// uses (Setup, SetupLive), with replicas replicas, which never lowers an
// existing stream's.
func (e *env) connectBus(ctx context.Context, url, credsFile string, replicas int) (*natsbus.Bus, func(), error) {
	return e.openBus(ctx, url, credsFile, "", "", 0, replicas, false)
}

// connectBusIn is connectBus whose embedded server keeps its streams in
// dir when dir is set: the live stream survives a restart (so a watch can
// resume), and the work streams, which only this process used, are
// purged of what a previous process left. The embedded server requires
// credentials of every client: kept in dir/client.nk (made on first use,
// mode 0600) when dir is set, so that feeds on the machine can connect;
// held in memory only otherwise.
func (e *env) connectBusIn(ctx context.Context, url, credsFile, dir, listen string, partitions, replicas int) (*natsbus.Bus, func(), error) {
	return e.openBus(ctx, url, credsFile, dir, listen, partitions, replicas, true)
}

// openBus is connectBusIn, which sets the work streams up when work is
// set, and connectBus, which does not.
func (e *env) openBus(ctx context.Context, url, credsFile, dir, listen string, partitions, replicas int, work bool) (*natsbus.Bus, func(), error) {
	var cleanup []func()
	done := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	persistent := url == "embedded" && dir != ""
	var creds *natsbus.Creds
	var credsPath string
	if url == "embedded" && credsFile != "" {
		return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "--nats-creds is for a nats:// URL: the embedded server makes its own credentials")
	}
	if url == "embedded" {
		if dir != "" {
			var err error
			if creds, credsPath, err = natsbus.EmbeddedCreds(dir); err != nil {
				return nil, nil, fmt.Errorf("the embedded NATS server's credentials: %w", err)
			}
		}
		if dir == "" {
			tmp, err := os.MkdirTemp("", "tahqiq-nats-")
			if err != nil {
				return nil, nil, err
			}
			cleanup = append(cleanup, func() { os.RemoveAll(tmp) })
			dir = tmp
		} else if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, err
		} else if unlock, err := lockDir(dir); err != nil {
			// another process's embedded server has it (two servers on one
			// --data): this one's streams are temporary
			fmt.Fprintf(e.stderr, "%s is in use by another tahqiq process (%v): this process's embedded NATS server keeps its streams in a temporary directory, so its watch will not resume after a restart\n", dir, err)
			persistent = false
			tmp, err := os.MkdirTemp("", "tahqiq-nats-")
			if err != nil {
				return nil, nil, err
			}
			cleanup = append(cleanup, func() { os.RemoveAll(tmp) })
			dir = tmp
		} else {
			cleanup = append(cleanup, unlock)
		}
		srv, err := natsbus.EmbeddedAt(dir, listen, creds)
		if err != nil {
			done()
			return nil, nil, err
		}
		cleanup = append(cleanup, func() { srv.Shutdown(); srv.WaitForShutdown() })
		url, creds = srv.ClientURL(), srv.Creds
		if persistent { // serve: feeds on this machine may publish to it
			fmt.Fprintf(e.stderr, "embedded NATS server at %s (streams in %s; feeds publish to %s<feed>); clients authenticate with the NKey in %s: tahqiq commands given the same --data use it, others --nats-creds %s (nats CLI: --nkey %s)\n", url, dir, natsbus.LivePrefix, credsPath, credsPath, credsPath)
			if !loopbackURL(url) {
				fmt.Fprintf(e.stderr, "warning: the embedded NATS server listens beyond this machine (--nats-listen %s) without TLS: shares travel in clear (the NKey challenge never reveals the credentials)\n", listen)
			}
		}
	} else {
		var err error
		if creds, credsPath, err = e.natsCreds(url, credsFile); err != nil {
			return nil, nil, err
		}
	}
	bus, err := natsbus.Dial(url, creds)
	if err != nil && creds != nil && credsPath != "" && credsFile == "" && natsbus.IsNkeysUnsupported(err) {
		// the credentials found in --data are the embedded server's; this
		// server on the machine is another, which asks for none
		bus, err = natsbus.Dial(url, nil)
	}
	if err != nil {
		done()
		if natsbus.IsAuthError(err) {
			if creds == nil {
				return nil, nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "--nats %s: the server requires credentials (%v): give them with --nats-creds FILE (tahqiq serve's embedded server keeps them in DATA/nats/%s, which commands given the same --data find themselves)", url, err, natsbus.CredsFile)
			}
			return nil, nil, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "--nats %s: the server refused the credentials of %s (%w)", url, credsPath, err)
		}
		return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "--nats %s: cannot connect: %w", url, err)
	}
	cleanup = append(cleanup, bus.Close)
	bus.Partitions, bus.Replicas = partitions, replicas
	bus.Log = func(f string, a ...any) { fmt.Fprintf(e.stderr, f+"\n", a...) }
	if !work {
		return bus, done, nil
	}
	if err := bus.Setup(ctx); err != nil {
		done()
		return nil, nil, err
	}
	if persistent {
		if err := bus.PurgeWork(ctx); err != nil {
			done()
			return nil, nil, err
		}
	}
	return bus, done, nil
}

// partitioner returns the engine of --nats: the workers' reducers
// (--reduce-partitions above 0) or the pairs gathered by the run, with
// in-process workers when the server is embedded.
func (e *env) partitioner(ctx context.Context, s streamFlags) (*coordEngine, func(), error) {
	bus, done, err := e.connectBusIn(ctx, s.url, s.creds, s.storeDir, s.listen, s.partitions, s.replicas)
	if err != nil {
		return nil, nil, err
	}
	stop := func() {}
	if s.url == "embedded" {
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range max(s.workers, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &natsbus.Worker{Bus: bus, Name: "embedded-" + strconv.Itoa(i)}
				if err := w.Run(wctx); err != nil {
					e.log.Error("stream worker", "err", err)
				}
			}()
		}
		stop = func() { cancel(); wg.Wait() }
	}
	logf := func(f string, a ...any) { e.log.Warn(fmt.Sprintf(f, a...)) }
	part := &natsbus.Partitioner{Bus: bus, Log: logf}
	eng := &coordEngine{bus: bus, engine: coord.Partitioned(part), describe: fmt.Sprintf("%d partitions, pairs gathered by the run", bus.Partitions)}
	var red *natsbus.Reducer
	if s.reduces > 0 {
		red = &natsbus.Reducer{Bus: bus, Reduces: s.reduces, Log: logf}
		eng.engine = coord.Reduced(red)
		eng.describe = fmt.Sprintf("%d partitions, partial aggregates merged in %d account-pair partitions", bus.Partitions, red.Reduces)
	}
	if m := progress.FromContext(ctx); m != nil {
		// each is told from one goroutine of the run
		var paired, folded *progress.Phase
		part.Progress = func(done, total int) {
			if paired == nil {
				paired = m.Phase("pairs made by the workers", "batches", int64(total))
			}
			paired.Set(int64(done))
		}
		if red != nil {
			red.Progress = func(done, total int) {
				if folded == nil {
					folded = m.Phase("pairs folded by the workers", "tasks", int64(total))
				}
				folded.Set(int64(done))
			}
		}
	}
	return eng, func() { stop(); done() }, nil
}

func newWorkerCmd(e *env) *cobra.Command {
	var url, parts, creds string
	var partitions, replicas int
	cmd := &cobra.Command{
		Use:   "worker --nats nats://… [--partitions 0,1,2]",
		Short: "Compute coordination pairs for runs started with tahqiq coord --nats (NATS JetStream)",
		Long: `A worker takes batches of objects from the JetStream work stream (durable
pull consumers, one per partition it serves), computes each object's
in-window pairs with the same kernel as the single-machine engine and
publishes them back. A batch is acknowledged only after its pairs are
published; a worker that dies leaves its batches to be redelivered to
another. Run as many as you like, on as many machines; stop with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" || url == "embedded" {
				return tahqiq.Errorf(tahqiq.EINVALID, "worker needs --nats nats://… (the server the runs publish to)")
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			bus, done, err := e.connectBus(ctx, url, creds, replicas)
			if err != nil {
				return err
			}
			defer done()
			bus.Partitions = partitions
			if err := bus.Setup(ctx); err != nil {
				if ctx.Err() != nil {
					return nil // stopped (Ctrl-C, SIGTERM) while it waited for the streams
				}
				return err
			}
			w := &natsbus.Worker{Bus: bus, Name: hostname(), Log: func(f string, a ...any) { fmt.Fprintf(e.stderr, f+"\n", a...) }}
			if parts != "" {
				for _, p := range strings.Split(parts, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(p))
					if err != nil || n < 0 || n >= partitions {
						return tahqiq.Errorf(tahqiq.EINVALID, "--partitions-served %q: want numbers from 0 to %d", p, partitions-1)
					}
					w.Partitions = append(w.Partitions, n)
				}
			}
			n := 0
			w.OnTask = func(batch int) {
				n++
				if !e.quiet && n%100 == 0 {
					fmt.Fprintf(e.stderr, "worker %s: %d batches\n", w.Name, n)
				}
			}
			fmt.Fprintf(e.stderr, "worker %s serving %s; stop with Ctrl-C\n", w.Name, url)
			return w.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&url, "nats", "", "nats:// URL of the server or cluster (several separated by commas)")
	cmd.Flags().IntVar(&partitions, "partitions", 16, "object partitions of the work stream (as the runs use)")
	cmd.Flags().StringVar(&parts, "partitions-served", "", "serve only these partitions, e.g. 0,1,2 (default: all)")
	cmd.Flags().StringVar(&creds, "nats-creds", "", credsUsage)
	cmd.Flags().IntVar(&replicas, "replicas", 1, replicasUsage)
	return cmd
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "worker"
	}
	return h + "-" + strconv.Itoa(os.Getpid())
}

// lockDir takes an exclusive lock on dir/.lock for as long as this
// process runs (or until the returned function is called), so that two
// embedded NATS servers never share a store directory.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
