package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/targets"
)

func newTargetsCmd(e *env) *cobra.Command {
	p := targets.DefaultParams()
	var pf postFlags
	var watchFile, out, run, window, name string
	var otherData, asJSON bool
	cmd := &cobra.Command{
		Use:   "targets --watchlist FILE (--dataset NAME | --input FILE...) --out DIR [--run COORD_RUN_DIR] [flags]",
		Short: "Replies, mentions and quotes aimed at watched accounts: bursts, narratives, co-action",
		Long: `Turn the replies, quotes and mentions aimed at a watchlist of accounts
(returning officers, election commission accounts, journalists) into a
targeting view.

The watchlist is one handle or id per line ('#' comments), or a CSV with an
account column and optional label and aliases (';'-separated names in any
script, matched in the text as weaker "name" events) columns.

An event is a post interacting with a watched account: a reply to it, a
quote of its post, a mention of it (by id where the data gives one, else by
handle), or a name; one event per post and account, of the strongest type.
Reposts copy the original's mentions and are left out (--reposts counts
them). A burst is a run of hours whose events stand out from the previous
--burst-history hours: z = (x - median) / (1.4826 MAD + 1) >= --burst-z and
x >= --burst-min. Two accounts co-act when they reply to the same post
(co_reply) or interact with the same watched account (co_mention) within
--window; an edge of at least --min-pairs pairs makes both "coordinated".

A run of a stored dataset is kept in the store (--data/runs/targets; tahqiq
serve lists it to those who may read the dataset) and also copied to --out
when given; a run of --input files is written to --out only.

Outputs in DIR: targets.csv (per watched account: events by type, actors,
bursts, coordinated actors and their share of events, narratives),
events.csv (every event with its burst, narrative and, with --run, the
actor's community), bursts.csv, edges.csv, evidence.csv (the pairs of posts
behind every edge) and manifest.json; every account's handle and name are
written beside its UID. These are interactions with their
parameters, not attacks: results day brings organic bursts, and repliers
are private persons (docs/narratives.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" && pf.dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--out DIR is required with --input")
			}
			if watchFile == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--watchlist FILE is required")
			}
			if err := pf.check(); err != nil {
				return err
			}
			d, err := time.ParseDuration(window)
			if err != nil || d < 0 || d%time.Second != 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "--window %q: want whole seconds such as 60s", window)
			}
			p.Window = int64(d / time.Second)
			if err := p.Validate(); err != nil {
				return err
			}
			data, err := os.ReadFile(watchFile)
			if err != nil {
				return tahqiq.Errorf(tahqiq.EINVALID, "--watchlist %s: %v", watchFile, err)
			}
			wl, rejects, err := targets.ParseWatchlist(data, watchFile)
			if err != nil {
				return err
			}
			for _, r := range rejects {
				fmt.Fprintf(e.stderr, "tahqiq: watchlist %s:%d: %s\n", r.File, r.Line, r.Reason)
			}
			wlIn, err := rundir.FileInput(watchFile, "watchlist")
			if err != nil {
				return err
			}
			rs := e.runStore(nil)
			var groups *rundir.Communities
			var coordID string
			if run != "" {
				if groups, coordID, err = rs.CoordCommunities(run); err != nil {
					return err
				}
			}
			tr := runs.TargetsRun{Watchlist: wl, WatchlistInput: wlIn, Params: p, Groups: groups, CoordRun: coordID}
			var actor string
			if pf.dataset != "" {
				tr.WatchlistText = data // the stored run keeps its watchlist
				actor, err = e.withDataset(ctx, pf.dataset, func(db runs.PostSource) (err error) {
					tr.Posts, tr.TextRun, err = runs.DatasetTargets(ctx, db, pf.dataset)
					return err
				})
			} else {
				start := time.Now()
				var raw []tahqiq.Post
				names := rundir.Names{}
				var read postsRead
				read, err = e.readPosts(ctx, &pf, names, func(tp *tahqiq.Post) error {
					if tp.Kind != tahqiq.KindService {
						q := *tp
						q.Hashtags, q.Links, q.Media, q.Metrics, q.Labels, q.Objects, q.Author = nil, nil, nil, nil, nil, nil, nil
						raw = append(raw, q)
					}
					return nil
				})
				tr.Posts = make([]targets.Post, len(raw))
				for i, tp := range raw {
					tr.Posts[i] = targets.FromPost(tp, names[tp.AuthorUID].Handle)
				}
				tr.Source, tr.Read, tr.Names = read.Source, time.Since(start).Seconds(), names.Of
			}
			if err != nil {
				return err
			}
			if groups != nil && !otherData {
				if err := groups.SameInputs(tr.Source.Inputs); err != nil {
					return err
				}
			}
			tr.Actor, tr.Name = actor, name
			var m *targets.Manifest
			var in runs.Info
			var dir string
			if pf.dataset != "" {
				if in, m, err = rs.StoreTargets(ctx, &tr, Version); err == nil {
					dir, err = keepRun(rs, runs.Targets, in.ID, out, m.Files)
				}
			} else {
				_, m, err = runs.MakeTargets(ctx, &tr, Version, out)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, struct {
					Run     string             `json:"run,omitempty"` // the stored run's id (--dataset)
					Out     string             `json:"out"`
					Counts  map[string]int64   `json:"counts"`
					Params  targets.Params     `json:"params"`
					Watched []targets.Entry    `json:"watched"`
					Inputs  []rundir.Input     `json:"inputs"`
					Files   []string           `json:"files"`
					Timings map[string]float64 `json:"timings_s"`
				}{in.ID, out, m.Counts, m.Params, m.Watched, m.Inputs, m.Files, m.Timings})
			}
			c := m.Counts
			fmt.Fprintf(e.stdout, "targets: %d watched accounts, %d posts -> %d events (%d replies, %d quotes, %d mentions, %d names), %d bursts, %d co-action edges, %d accounts in edges of >= %d pairs\n",
				len(wl.Entries), c["posts"], c["events"], c["events_reply"], c["events_quote"], c["events_mention"], c["events_name"], c["bursts"], c["edges"], c["coordinated_accounts"], p.MinPairs)
			e.printKept(in.ID, dir, out, m.Files)
			return nil
		},
	}
	f := cmd.Flags()
	pf.add(f)
	f.StringVar(&watchFile, "watchlist", "", "watched accounts: one handle or id per line, or a CSV with account,label[,aliases] (required)")
	f.StringVar(&out, "out", "", "output directory (required with --input; with --dataset the run is kept in the store and also copied here)")
	f.StringVar(&name, "name", "", "what to call the run (shown beside its id)")
	f.StringVar(&run, "run", "", "a tahqiq coord run on the same data (its output directory, or a stored run's id): the actors' communities")
	f.BoolVar(&otherData, "run-other-data", false, "use a --run made on other inputs (accounts are matched by UID)")
	f.BoolVar(&asJSON, "json", false, "print a JSON summary")
	f.StringVar(&window, "window", "60s", "co-reply and co-mention window")
	f.Float64Var(&p.BurstZ, "burst-z", p.BurstZ, "robust z from which an hour is a burst")
	f.IntVar(&p.BurstMin, "burst-min", p.BurstMin, "events an hour needs to be a burst")
	f.IntVar(&p.BurstHistory, "burst-history", p.BurstHistory, "hours of history for the burst baseline (median and MAD)")
	f.IntVar(&p.MinPairs, "min-pairs", p.MinPairs, "co-action pairs from which two accounts count as coordinated")
	f.BoolVar(&p.Reposts, "reposts", false, "count reposts (they copy the original's mentions)")
	f.IntVar(&p.MaxEvidence, "max-evidence", p.MaxEvidence, "evidence rows written (edges count every pair)")
	return cmd
}
