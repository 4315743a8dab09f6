package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/busrun"
	"github.com/tahqiq/tahqiq/internal/live"
	"github.com/tahqiq/tahqiq/internal/natsbus"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func newWatchCmd(e *env) *cobra.Command {
	var url, subject, window, horizon, webhook, by, state, creds string
	var fromStart bool
	var replicas int
	p := live.Watcher{MinWeight: 2, GroupSize: 5}
	cmd := &cobra.Command{
		Use:   "watch --nats nats://… [--window 60s] [--horizon 24h] [--min-weight 2] [--group 5] [--state FILE] [--webhook URL]",
		Short: "Watch a live stream of shares and alert when a group of accounts starts acting together",
		Long: `watch reads the shares published to the live stream (subjects tahqiq.live.…,
JSON arrays of shares: a feed, or tahqiq publish) with one watcher per feed
(shares of two feeds never pair). A watcher keeps a sliding window of
recent shares per object, adds each co-share pair to its account pair's
edge (the pairs weight of tahqiq coord's sliding window), and raises an
alert when accounts joined by edges of at least --min-weight pairs form a
group of --group accounts (and again each time it grows by --group more).

An edge's weight counts the pairs of the last --horizon of data time (in
eighths of it); older pairs drop out, edges left with none are dropped and
the groups are rebuilt, so memory holds one horizon of activity however
long the watch runs, and a group that broke up and forms again alerts
again. --horizon none counts every pair since the start.

Each alert, with the group's edges and the co-share pairs behind them, is
printed as one JSON line on stdout, logged on stderr and, with --webhook,
POSTed as JSON. With --state FILE the watch saves its position there and,
started again, replays the live stream from the point that rebuilds its
edges and groups (without raising their alerts again) and goes on where it
stopped. Stop with Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "watch needs --nats nats://… (the server feeds publish to)")
			}
			var err error
			if p.Window, err = runs.ParseWindow("window", window); err != nil {
				return err
			}
			if p.Horizon, err = busrun.ParseHorizon("horizon", horizon, p.Window); err != nil {
				return err
			}
			if by != "" {
				if p.Types, err = runs.ParseTypes("by", strings.Split(by, ",")); err != nil {
					return err
				}
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			bus, done, err := e.bus().Connect(ctx, url, creds, replicas)
			if err != nil {
				return err
			}
			defer done()
			if err := bus.SetupLive(ctx); err != nil {
				if ctx.Err() != nil {
					return nil // stopped while it waited for the stream
				}
				return err
			}
			enc := json.NewEncoder(e.stdout)
			ws := &live.Watchers{Params: p, OnAlert: func(r live.Record, _ error) {
				enc.Encode(r)
				fmt.Fprintf(e.stderr, "ALERT %s on %s: %d accounts acting together (edges of >= %d co-shares within %d s), e.g. %s\n",
					r.Time.Format(time.RFC3339), r.Subject, len(r.Accounts), r.MinWeight, r.Window, r.Accounts[:min(3, len(r.Accounts))])
				if webhook != "" {
					if err := busrun.PostAlert(ctx, webhook, r); err != nil {
						fmt.Fprintf(e.stderr, "webhook %s: %v\n", webhook, err)
					}
				}
			}}
			fmt.Fprintf(e.stderr, "watching %s on %s (window %s, horizon %s, min weight %d, groups of %d)\n", subject, url, window, horizon, p.MinWeight, p.GroupSize)
			err = busrun.Watch(ctx, bus, ws, subject, natsbus.WatchFrom{All: fromStart}, state, e.stderr)
			var st live.WatchStats
			for _, s := range ws.Stats() {
				st.Shares, st.Late, st.Pairs, st.Expired, st.Alerts = st.Shares+s.Shares, st.Late+s.Late, st.Pairs+s.Pairs, st.Expired+s.Expired, st.Alerts+s.Alerts
				st.Edges += s.Edges
			}
			fmt.Fprintf(e.stderr, "watch: %d feeds, %d shares, %d late, %d pairs (%d past the horizon), %d edges, %d alerts\n",
				len(ws.Stats()), st.Shares, st.Late, st.Pairs, st.Expired, st.Edges, st.Alerts)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "nats", "", "nats:// URL of the server or cluster")
	f.StringVar(&creds, "nats-creds", "", credsUsage)
	f.IntVar(&replicas, "replicas", 1, liveReplicasUsage)
	f.StringVar(&subject, "subject", natsbus.LivePrefix+">", "subjects to watch")
	f.BoolVar(&fromStart, "from-start", false, "read the live stream from its first kept share, not only new ones")
	f.StringVar(&window, "window", "60s", "sliding window")
	f.StringVar(&horizon, "horizon", "24h", "data time an edge's weight counts pairs over (none: since the start)")
	f.Int64Var(&p.Lateness, "lateness", 0, "seconds a share may arrive behind the newest one and still pair (default: the window)")
	f.Int64Var(&p.MinWeight, "min-weight", p.MinWeight, "co-share pairs that make an edge count toward groups")
	f.IntVar(&p.GroupSize, "group", p.GroupSize, "accounts in a group that raise an alert")
	f.StringVar(&by, "by", "", "object types compared, e.g. retweet,url (default: all)")
	f.StringVar(&state, "state", "", "save the watch's position in FILE and resume from it when started again")
	f.StringVar(&webhook, "webhook", "", "also POST each alert as JSON to this URL")
	return cmd
}

// liveReplicasUsage documents --replicas of the commands that set the
// live stream up.
const liveReplicasUsage = "replicas of the live stream when this command creates it (3 on a three-node cluster); an existing stream with fewer is raised to them, one with more keeps its own (never lowered)"

func newPublishCmd(e *env) *cobra.Command {
	var url, dataset, subject, creds string
	var replicas int
	cmd := &cobra.Command{
		Use:   "publish --nats nats://… --dataset NAME [--subject tahqiq.live.NAME]",
		Short: "Publish a dataset's shares, in time order, to the live stream (a replay feed for tahqiq watch)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if url == "" || dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "publish needs --nats nats://… and --dataset NAME")
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := e.readDataset(ctx, db, dataset); err != nil {
				return err
			}
			shares, _, err := runs.DatasetShares(ctx, db, dataset, nil)
			if err != nil {
				return err
			}
			bus, done, err := e.bus().Connect(ctx, url, creds, replicas)
			if err != nil {
				return err
			}
			defer done()
			if err := bus.SetupLive(ctx); err != nil {
				return err
			}
			if subject == "" {
				subject = natsbus.LivePrefix + dataset
			}
			if err := bus.Publish(ctx, subject, shares); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "published %d shares of %s to %s\n", len(shares), dataset, subject)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "nats", "", "nats:// URL of the server or cluster")
	cmd.Flags().StringVar(&creds, "nats-creds", "", credsUsage)
	cmd.Flags().IntVar(&replicas, "replicas", 1, liveReplicasUsage)
	cmd.Flags().StringVar(&dataset, "dataset", "", "dataset of the store to publish")
	cmd.Flags().StringVar(&subject, "subject", "", "subject (default tahqiq.live.DATASET)")
	return cmd
}
