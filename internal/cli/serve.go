package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/busrun"
	"github.com/tahqiq/tahqiq/internal/httpapi"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/ledger"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func newServeCmd(e *env) *cobra.Command {
	var addr string
	var secure bool
	var sf streamFlags
	var maxUpload int64
	var grace time.Duration
	lf := limitFlags{cmd: "tahqiq serve "}
	wf := watchFlags{window: "60s", horizon: "24h", minWeight: 2, group: 5}
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the web UI and the HTTP API (docs/api.md) on the embedded store",
		Long: `Serve the web UI at / and the JSON API under /api/v1 (docs/api.md; the
OpenAPI document is at /api/v1/openapi.json) over the store in --data.

On first run, open the address in a browser: it asks for the first admin's
organisation, name and password (there is no default password). Passwords
are hashed with argon2id; browsers get an HttpOnly, SameSite=Strict session
cookie and send a CSRF token with every change; scripts use API tokens.

Imports, coordination and audit runs and verification run as background
jobs. An uploaded .gz file that expands to more than --max-ratio times its
compressed size (beyond its first 8 MiB) or to more than --max-decompressed
is refused, and its import with it. On SIGINT or SIGTERM the server stops accepting connections, lets
requests in flight (uploads too) finish, waits for running jobs up to
--grace, then cancels the rest (rolled back, marked cancelled).

Coordination runs are made in the server's process, as tahqiq coord makes
them, and kept in --data/runs beside the CLI's runs of stored datasets.
--nats nats://… hands their pairs to the tahqiq worker processes of a NATS
server or cluster instead (the files are the same). The embedded NATS
server is started only for --watch (or --nats embedded): it carries the
live stream that imports and feeds publish to.

With --watch, the server also runs the streaming mode of tahqiq watch: the
shares of every import are published to the live stream (tahqiq.live.
DATASET), as are those of any feed or tahqiq publish; a watcher per feed
keeps sliding windows open and raises an alert when a group of accounts
starts acting together (edges count the pairs of the last --watch-horizon;
see tahqiq watch). Alerts are kept in --data/alerts.jsonl, listed at
/api/v1/alerts, streamed as server-sent events at /api/v1/alerts/events,
shown on the Alerts page, logged, and POSTed to --webhook when given. The
watch's position is kept in --data/watch.json: a restarted server replays
the live stream from the point that rebuilds its edges and groups and goes
on without raising an alert twice (the embedded server keeps its streams
in --data/nats; the work of runs a stopped server left is purged).

The embedded NATS server listens on loopback (--nats-listen to choose the
address) and requires credentials of every client: an NKey user made on
first start, its seed in --data/nats/client.nk (mode 0600). tahqiq commands
given the same --data use it; other clients take it with --nats-creds FILE
(nats CLI: --nkey FILE). Only the file's path is printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e.creates = true // a first import, the demo or the server may make the store
			ctx := cmd.Context()
			cw, db, err := openCasework(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			e.warnIsolation(ctx, db)
			// every run the server stores is logged by its service before it
			// is listed, and checked by its verification
			rs := &runs.Store{Dir: filepath.Join(e.dataDir, "runs"), Limits: lf.limits(), Log: cw.LogRun}
			cw.Runs = rs
			// Runs are made in this process, as the CLI makes them, unless
			// --nats names a cluster with tahqiq worker processes (or
			// "embedded": in-process workers on the embedded server). The
			// embedded NATS server is otherwise started for --watch alone:
			// the live stream the imports and feeds publish to.
			noBus := sf.url == "off"
			if noBus {
				sf.url = ""
			}
			embedded := sf.url == "embedded" || (sf.url == "" && wf.on && !noBus)
			if embedded {
				sf.storeDir = filepath.Join(e.dataDir, "nats") // the live stream outlives a restart
			} else if sf.listen != "" {
				if sf.url == "" && !noBus {
					return tahqiq.Errorf(tahqiq.EINVALID, "--nats-listen sets the embedded NATS server's address, and serve starts one only with --watch (or --nats embedded)")
				}
				return tahqiq.Errorf(tahqiq.EINVALID, "--nats-listen sets the embedded NATS server's address; with --nats %s there is none", cmp.Or(sf.url, "off"))
			}
			eng, stop, err := e.coordEngine(ctx, sf)
			if err != nil {
				return err
			}
			defer stop()
			rs.Engine = eng.Coord
			bus := eng.Bus
			if sf.url != "" {
				fmt.Fprintf(e.stderr, "coordination runs go through NATS JetStream (%s, %s)\n", sf.url, eng.Describe)
			} else if embedded {
				b, done, err := e.bus().ConnectIn(ctx, "embedded", "", sf.storeDir, sf.listen, sf.partitions, sf.replicas)
				if err != nil {
					return err
				}
				defer done()
				bus = b
			}
			jm, err := jobs.Open(filepath.Join(e.dataDir, "jobs"), 2, e.log)
			if err != nil {
				return err
			}
			im := e.importer()
			im.Limits = lf.limits()
			s := &httpapi.Server{
				Store: db, Cases: cw, Importer: im,
				Runs:    rs,
				Jobs:    jm,
				Uploads: &httpapi.Uploads{Dir: filepath.Join(e.dataDir, "uploads"), Max: maxUpload},
				InitKey: func(org string) error {
					signer, v, err := keyfile.CreateKey(e.dataDir, keyName(org))
					if err != nil {
						return err
					}
					cw.Signer, cw.LogKey, cw.Origin = signer, v, signer.Name()
					return nil
				},
				UI:      webUI(),
				Version: Version, Log: e.log, Secure: secure,
				Password: auth.DefaultParams,
				DataDir:  e.dataDir, // the claim sets are read from DATA/claimsets, as the CLI reads them
			}
			// bundles sent to the server are checked against the keys its
			// operator pinned (tahqiq trust add), besides its own
			if p := ledger.DefaultTrustedKeysPath(); p != "" {
				if t, err := ledger.ReadTrustedKeys(p); err == nil {
					s.Trusted = t
				}
			}
			if wf.on {
				if bus == nil {
					return tahqiq.Errorf(tahqiq.EINVALID, "--watch needs the bus: leave --nats out (the embedded server) or give a nats:// URL")
				}
				stop, err := wf.start(ctx, e, s, bus, embedded)
				if err != nil {
					return err
				}
				defer stop()
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "serve: cannot listen on %s: %w", addr, err)
			}
			srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			if s.Alerts != nil {
				srv.RegisterOnShutdown(func() { s.Alerts.Close() }) // ends the event streams
			}
			fmt.Fprintf(e.stderr, "tahqiq %s serving http://%s (data %s); stop with Ctrl-C\n", Version, ln.Addr(), e.dataDir)
			if has, err := cw.HasOrganisations(ctx); err == nil && !has {
				fmt.Fprintf(e.stderr, "first-run setup is open: the first visitor of http://%s becomes the administrator (on an address others can reach, run tahqiq org init and org passwd first)\n", ln.Addr())
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			fmt.Fprintln(e.stderr, "shutting down: finishing requests and jobs")
			sctx, cancel := context.WithTimeout(context.Background(), grace)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			if err := jm.Shutdown(sctx); err != nil {
				fmt.Fprintln(e.stderr, "jobs still running at the end of --grace were cancelled (rolled back)")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.BoolVar(&secure, "secure-cookies", false, "mark cookies Secure (set when a TLS proxy is in front; TLS requests get it anyway)")
	f.Int64Var(&maxUpload, "max-upload", 20<<30, "largest upload accepted, bytes")
	lf.add(f, "an uploaded .gz file (imports and audits)", false)
	f.DurationVar(&grace, "grace", 60*time.Second, "how long shutdown waits for requests and jobs")
	sf.add(f)
	wf.add(f)
	f.StringVar(&sf.listen, "nats-listen", "", "address of the embedded NATS server, e.g. 127.0.0.1:4222, for feeds to publish to (default: a free loopback port)")
	f.Lookup("nats").Usage = `coordination runs compute their pairs through NATS JetStream: a nats:// URL of a server or cluster (with tahqiq worker processes; --watch then uses its live stream too), or "embedded" (an in-process server and workers); default: runs in the server's process, and with --watch an embedded server for the live stream alone; "off": no bus at all`
	return cmd
}

// watchFlags are serve's streaming-mode options.
type watchFlags struct {
	on        bool
	window    string
	horizon   string
	lateness  int64
	minWeight int64
	group     int
	by        string
	webhook   string
}

func (w *watchFlags) add(f *pflag.FlagSet) {
	f.BoolVar(&w.on, "watch", false, "streaming mode: publish imports to the live stream, watch it and raise alerts (needs the bus)")
	f.StringVar(&w.window, "watch-window", w.window, "with --watch: sliding window")
	f.StringVar(&w.horizon, "watch-horizon", w.horizon, "with --watch: data time an edge's weight counts pairs over (none: since the start)")
	f.Int64Var(&w.lateness, "watch-lateness", 0, "with --watch: seconds a share may arrive behind the newest one and still pair (default: the window)")
	f.Int64Var(&w.minWeight, "watch-min-weight", w.minWeight, "with --watch: co-share pairs that make an edge count toward groups")
	f.IntVar(&w.group, "watch-group", w.group, "with --watch: accounts in a group that raise an alert")
	f.StringVar(&w.by, "watch-by", "", "with --watch: object types compared, e.g. retweet,url (default: all)")
	f.StringVar(&w.webhook, "webhook", "", "with --watch: also POST each alert as JSON to this URL")
}

// start wires the streaming mode into s (busrun.StartWatch): the alert
// hub, a watcher per feed on the live stream, and the publishing of
// imports. fromStart reads the live stream from its beginning (an
// embedded server's stream is new with the process).
func (w *watchFlags) start(ctx context.Context, e *env, s *httpapi.Server, bus *natsbus.Bus, fromStart bool) (func(), error) {
	win, err := runs.ParseWindow("watch_window", w.window)
	if err != nil {
		return nil, err
	}
	hor, err := busrun.ParseHorizon("watch_horizon", w.horizon, win)
	if err != nil {
		return nil, err
	}
	params := live.Watcher{Window: win, Lateness: w.lateness, MinWeight: w.minWeight, GroupSize: w.group, Horizon: hor}
	if w.by != "" {
		if params.Types, err = runs.ParseTypes("watch_by", strings.Split(w.by, ",")); err != nil {
			return nil, err
		}
	}
	watching, stop, err := e.bus().StartWatch(ctx, bus, params, w.webhook, fromStart)
	if err != nil {
		return nil, err
	}
	s.Alerts, s.Watchers, s.Publish = watching.Hub, watching.Watchers, watching.Publish
	fmt.Fprintf(e.stderr, "watching %s> (window %s, horizon %s, min weight %d, groups of %d); alerts in %s\n", natsbus.LivePrefix, w.window, w.horizon, w.minWeight, w.group, filepath.Join(e.dataDir, "alerts.jsonl"))
	return stop, nil
}
