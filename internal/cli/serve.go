package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/httpapi"
	"github.com/tahqiq/tahqiq/internal/jobs"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func newServeCmd(e *env) *cobra.Command {
	var addr string
	var secure bool
	var sf streamFlags
	var maxUpload int64
	var grace time.Duration
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
jobs. On SIGINT or SIGTERM the server stops accepting connections, lets
requests in flight (uploads too) finish, waits for running jobs up to
--grace, then cancels the rest (rolled back, marked cancelled).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cw, db, err := openCasework(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			e.warnIsolation(ctx, db)
			rs := &runs.Store{Dir: filepath.Join(e.dataDir, "runs")}
			switch sf.url {
			case "off":
				sf.url = ""
			case "":
				sf.url = "embedded" // one binary: the bus runs inside it
			}
			if sf.url != "" {
				part, stop, err := e.partitioner(ctx, sf)
				if err != nil {
					return err
				}
				defer stop()
				rs.Partitioner = part
				fmt.Fprintf(e.stderr, "coordination runs compute their pairs through NATS JetStream (%s, %d partitions)\n", sf.url, sf.partitions)
			}
			jm, err := jobs.Open(filepath.Join(e.dataDir, "jobs"), 2, e.log)
			if err != nil {
				return err
			}
			s := &httpapi.Server{
				Store: db, Cases: cw, Importer: e.importer(),
				Runs:    rs,
				Jobs:    jm,
				Uploads: &httpapi.Uploads{Dir: filepath.Join(e.dataDir, "uploads"), Max: maxUpload},
				InitKey: func(org string) error {
					signer, v, err := casework.CreateKey(e.dataDir, keyName(org))
					if err != nil {
						return err
					}
					cw.Signer, cw.LogKey, cw.Origin = signer, v, signer.Name()
					return nil
				},
				UI:      webUI(),
				Version: Version, Log: e.log, Secure: secure,
				Password: auth.DefaultParams,
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "serve: cannot listen on %s: %v", addr, err)
			}
			srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(e.stderr, "tahqiq %s serving http://%s (data %s); stop with Ctrl-C\n", Version, ln.Addr(), e.dataDir)
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
	f.DurationVar(&grace, "grace", 60*time.Second, "how long shutdown waits for requests and jobs")
	sf.add(f)
	f.Lookup("nats").Usage = `coordination runs compute their pairs through NATS JetStream: a nats:// URL of a server or cluster (with tahqiq worker processes), or "embedded" (the default: an in-process server and workers); "off": in the server's process, no bus`
	return cmd
}
