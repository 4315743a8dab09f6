// Package busrun runs the NATS JetStream bus (internal/natsbus) inside a
// tahqiq process, for the commands that use one (coord, serve, worker,
// watch, publish, import): it connects to a server or cluster with its
// credentials, or starts the embedded server on a store directory that a
// lock keeps to one process, sets the work streams up, runs in-process
// workers, gives coordination runs their engine on the bus (Engine), and
// keeps a watch of the live stream with its position and webhooks
// (Watch, StartWatch). internal/cli parses the flags and prints; this
// package does the work and says what it started on Stderr.
package busrun

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/filelock"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// Creds returns the credentials to show the server at url: those of
// file (--nats-creds), or, for a URL on this machine, those of the
// embedded server of --data (DATA/nats/client.nk) if it has any; else
// none (a cluster may take a user and password in the URL).
func (r *Runtime) Creds(url, file string) (*natsbus.Creds, string, error) {
	if file != "" {
		c, err := natsbus.ReadCreds(file)
		if err != nil {
			return nil, file, tahqiq.Errorf(tahqiq.EINVALID, "--nats-creds: %w", err)
		}
		return c, file, nil
	}
	if !LoopbackURL(url) {
		return nil, "", nil
	}
	path := filepath.Join(r.DataDir, "nats", natsbus.CredsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, "", nil
	}
	c, err := natsbus.ReadCreds(path)
	if err != nil {
		return nil, path, tahqiq.Errorf(tahqiq.EINVALID, "%w", err)
	}
	return c, path, nil
}

// LoopbackURL reports whether every server of url (nats://host:port,
// several separated by commas) is on this machine.
func LoopbackURL(u string) bool {
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

// A Runtime opens buses for one tahqiq process.
type Runtime struct {
	// DataDir is the process's --data: with a nats:// URL on this
	// machine, the credentials of its embedded server
	// (DATA/nats/client.nk) are used when none are given.
	DataDir string
	Stderr  io.Writer    // what was started, and warnings
	Log     *slog.Logger // the workers' and engines' errors
}

// Connect connects to the server at url with the credentials of
// credsFile (see natsCreds), or for "embedded" an in-process server on a
// temporary directory, and sets up no stream: the caller sets up those it
// uses (Setup, SetupLive), with replicas replicas, which never lowers an
// existing stream's.
func (r *Runtime) Connect(ctx context.Context, url, credsFile string, replicas int) (*natsbus.Bus, func(), error) {
	return r.open(ctx, url, credsFile, "", "", 0, replicas, false)
}

// ConnectIn is Connect whose embedded server keeps its streams in
// dir when dir is set: the live stream survives a restart (so a watch can
// resume), and the work streams, which only this process used, are
// purged of what a previous process left. The embedded server requires
// credentials of every client: kept in dir/client.nk (made on first use,
// mode 0600) when dir is set, so that feeds on the machine can connect;
// held in memory only otherwise.
func (r *Runtime) ConnectIn(ctx context.Context, url, credsFile, dir, listen string, partitions, replicas int) (*natsbus.Bus, func(), error) {
	return r.open(ctx, url, credsFile, dir, listen, partitions, replicas, true)
}

// open is ConnectIn, which sets the work streams up when work is set,
// and Connect, which does not.
func (r *Runtime) open(ctx context.Context, url, credsFile, dir, listen string, partitions, replicas int, work bool) (*natsbus.Bus, func(), error) {
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
			fmt.Fprintf(r.Stderr, "%s is in use by another tahqiq process (%v): this process's embedded NATS server keeps its streams in a temporary directory, so its watch will not resume after a restart\n", dir, err)
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
			fmt.Fprintf(r.Stderr, "embedded NATS server at %s (streams in %s; feeds publish to %s<feed>); clients authenticate with the NKey in %s: tahqiq commands given the same --data use it, others --nats-creds %s (nats CLI: --nkey %s)\n", url, dir, natsbus.LivePrefix, credsPath, credsPath, credsPath)
			if !LoopbackURL(url) {
				fmt.Fprintf(r.Stderr, "warning: the embedded NATS server listens beyond this machine (--nats-listen %s) without TLS: shares travel in clear (the NKey challenge never reveals the credentials)\n", listen)
			}
		}
	} else {
		var err error
		if creds, credsPath, err = r.Creds(url, credsFile); err != nil {
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
	bus.Log = func(f string, a ...any) { fmt.Fprintf(r.Stderr, f+"\n", a...) }
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

// Config is where a command's coordination runs go on the bus (the
// flags of the partitioned path).
type Config struct {
	URL        string // nats://… or "embedded"
	Partitions int    // object partitions of the work stream
	Workers    int    // in-process workers with an embedded server
	Replicas   int    // replicas of the streams set up
	Reduces    int    // reduce partitions; 0: the run gathers the pairs
	// StoreDir keeps the embedded server's streams across restarts
	// (serve: DATA/nats); empty: a temporary directory removed on exit
	StoreDir string
	Listen   string // the embedded server's address; "": a free loopback port
	Creds    string // the credentials file for a nats:// URL
	// WorkerMem is each in-process worker's memory budget (natsbus.Worker.Mem;
	// 0: none): a reducer spills its partition's merged partials beyond a
	// third of it, a mapper folds a task in passes
	WorkerMem int64
}

// An Engine is where a command's coordination runs make and fold their
// pairs, and the bus it uses (nil in this process).
type Engine struct {
	Coord    coord.Engine // nil: this process
	Bus      *natsbus.Bus
	Reducer  *natsbus.Reducer // with reduce partitions: the engine's reducers (coord --parts writes through them)
	Describe string
}

// Engine returns the engine of c.URL: the workers' reducers (c.Reduces
// above 0) or the pairs gathered by the run, with in-process workers when
// the server is embedded.
func (r *Runtime) Engine(ctx context.Context, s Config) (*Engine, func(), error) {
	bus, done, err := r.ConnectIn(ctx, s.URL, s.Creds, s.StoreDir, s.Listen, s.Partitions, s.Replicas)
	if err != nil {
		return nil, nil, err
	}
	stop := func() {}
	if s.URL == "embedded" {
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range max(s.Workers, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &natsbus.Worker{Bus: bus, Name: "embedded-" + strconv.Itoa(i), Mem: s.WorkerMem,
					Log: func(f string, a ...any) { r.Log.Warn(fmt.Sprintf(f, a...)) }}
				if err := w.Run(wctx); err != nil {
					r.Log.Error("stream worker", "err", err)
				}
			}()
		}
		stop = func() { cancel(); wg.Wait() }
	}
	logf := func(f string, a ...any) { r.Log.Warn(fmt.Sprintf(f, a...)) }
	part := &natsbus.Partitioner{Bus: bus, Log: logf}
	eng := &Engine{Bus: bus, Coord: coord.Partitioned(part), Describe: fmt.Sprintf("%d partitions, pairs gathered by the run", bus.Partitions)}
	var red *natsbus.Reducer
	if s.Reduces > 0 {
		red = &natsbus.Reducer{Bus: bus, Reduces: s.Reduces, Log: logf}
		eng.Coord, eng.Reducer = coord.Reduced(red), red
		eng.Describe = fmt.Sprintf("%d partitions, partial aggregates merged in %d account-pair partitions", bus.Partitions, red.Reduces)
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

// lockDir takes an exclusive lock on dir/.lock for as long as this
// process runs (or until the returned function is called), so that two
// embedded NATS servers never share a store directory.
func lockDir(dir string) (func(), error) {
	return filelock.TryLock(filepath.Join(dir, ".lock"))
}
