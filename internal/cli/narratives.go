package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/runs"
	"github.com/tahqiq/tahqiq/internal/signals"
)

func newNarrativesCmd(e *env) *cobra.Command {
	p := narrative.DefaultParams()
	var pf postFlags
	var out, run, name string
	var otherData, asJSON bool
	cmd := &cobra.Command{
		Use:   "narratives (--dataset NAME | --input FILE...) --out DIR [--run COORD_RUN_DIR] [flags]",
		Short: "Group posts that tell the same story despite copy edits (English, Urdu, Roman Urdu)",
		Long: `Group posts that tell the same story despite the edits people make when they
copy it: words dropped or swapped, prefixes such as "BREAKING", hashtags,
links, mentions, Arabic and Persian letter variants, Roman Urdu spelling
variants (hai/hay, ki/ke, nahi/nai), and Urdu script against Roman Urdu.

Reposts of a post in the data take its narrative. Posts with the same
content words are one family, and families whose 4-character shingles have
a Jaccard similarity of at least --jaccard are joined (near copies).
Families are then taken in time order: each joins the most similar open
narrative (TF-IDF cosine of light keys, root keys and glossary concepts >=
--threshold, seen in the last --gap-days) or opens one; a merge pass joins
narratives whose centroids are as similar. Translations (English against
Urdu or Hindi) meet only through names, loanwords and the glossary's words
(docs/narratives.md); paraphrase needs multilingual embeddings.

A run of a stored dataset is kept in the store (--data/runs/narratives; tahqiq
serve lists it to those who may read the dataset) and also copied to --out
when given; a run of --input files is written to --out only.

Outputs in DIR: members.csv (one row per post: post_id, narrative_id,
family_id, account_id, time, role, inherited, lang, similarity, handle,
name), narratives.csv (one row per narrative of at least --min-posts posts:
posts, accounts, languages, first and last seen, a label of its most telling
terms by c-TF-IDF, representative posts and their authors, top hashtags,
URLs, domains),
timeline.csv (posts per narrative, hour and group) and manifest.json (inputs
with SHA-256, parameters, versions, counts).

With --run DIR (a tahqiq coord run on the same data), narratives are linked
to that run's communities: narrative_groups.csv (which group posted in which
narrative, how much and when), groups.csv (each group's narratives), and the
timeline by group. Multi-valued cells use ";". docs/narratives.md documents
every definition and caveat. This is evidence of behaviour with its
parameters, never a verdict on a person.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" && pf.dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--out DIR is required with --input")
			}
			if err := pf.check(); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			rs := e.runStore(nil)
			var groups *rundir.Communities
			var coordID string
			if run != "" {
				var err error
				if groups, coordID, err = rs.CoordCommunities(run); err != nil {
					return err
				}
			}
			var nr runs.NarrativesRun
			var err error
			var actor string
			if pf.dataset != "" {
				actor, err = e.withDataset(ctx, pf.dataset, func(db runs.PostSource) (err error) {
					nr, err = runs.DatasetNarratives(ctx, db, pf.dataset)
					return err
				})
			} else {
				start := time.Now()
				var accounts signals.Builder // followers, for the reach: the first record naming an account
				var read postsRead
				read, err = e.readPosts(ctx, &pf, &accounts, func(tp *tahqiq.Post) error {
					if narrative.Include(*tp) {
						nr.Posts = append(nr.Posts, narrative.FromPost(*tp))
					}
					return nil
				})
				nr.Source, nr.Followers, nr.Names, nr.Read = read.Source, accounts.Followers, accounts.Name, time.Since(start).Seconds()
			}
			if err != nil {
				return err
			}
			if groups != nil && !otherData {
				if err := groups.SameInputs(nr.Source.Inputs); err != nil {
					return err
				}
			}
			nr.Params, nr.Groups, nr.CoordRun, nr.Name, nr.Actor = p, groups, coordID, name, actor
			var r *narrative.Result
			var m *narrative.Manifest
			var in runs.Info
			var dir string
			if pf.dataset != "" {
				if in, r, m, err = rs.StoreNarratives(ctx, &nr, Version); err == nil {
					dir, err = keepRun(rs, runs.Narratives, in.ID, out, m.Files)
				}
			} else {
				r, m, err = runs.MakeNarratives(ctx, &nr, Version, out)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, narrativesSummary(out, in.ID, r, m))
			}
			c := m.Counts
			fmt.Fprintf(e.stdout, "narratives: %d posts -> %d families -> %d narratives of at least %d posts (%d posts in them; %d alone, %d without words, hashtags or links)\n",
				c["posts"], c["families"], c["narratives"], p.MinPosts, c["posts_in_narratives"], c["unique_posts"], c["empty_posts"])
			if groups != nil {
				fmt.Fprintf(e.stdout, "  linked to %s: %d of its %d communities posted in them (%d posts)\n", run, c["linked_communities"], groups.Count, c["coordinated_posts"])
			}
			for _, n := range r.Narratives[:min(len(r.Narratives), 10)] {
				fmt.Fprintf(e.stdout, "  %6d posts %5d accounts  %s  %s\n", n.Posts, n.Accounts, n.ID, n.Label)
			}
			fmt.Fprintf(e.stdout, "  %s\n", p.String())
			e.printKept(in.ID, dir, out, m.Files)
			return nil
		},
	}
	f := cmd.Flags()
	pf.add(f)
	f.StringVar(&out, "out", "", "output directory (required with --input; with --dataset the run is kept in the store and also copied here)")
	f.StringVar(&name, "name", "", "what to call the run (shown beside its id)")
	f.StringVar(&run, "run", "", "a tahqiq coord run on the same data (its output directory, or a stored run's id): link narratives to its communities")
	f.BoolVar(&otherData, "run-other-data", false, "link to a --run made on other inputs (accounts are matched by UID)")
	f.BoolVar(&asJSON, "json", false, "print a JSON summary")
	f.StringVar(&p.Method, "method", p.Method, "tfidf (families, then incremental TF-IDF narratives) | families (exact and near copies only)")
	f.Float64Var(&p.Threshold, "threshold", p.Threshold, "TF-IDF cosine with which a family joins a narrative")
	f.Float64Var(&p.Merge, "merge", p.Merge, "cosine of two narratives' centroids that merges them after the pass (0: no merge pass)")
	f.Float64Var(&p.GapDays, "gap-days", p.GapDays, "a narrative idle this many days takes no more posts (0: never closed)")
	f.Float64Var(&p.Jaccard, "jaccard", p.Jaccard, "Jaccard similarity of 4-character shingles that makes two posts near copies (0: exact copies only)")
	f.IntVar(&p.MinTokens, "min-tokens", p.MinTokens, "posts with fewer content words join only their exact copies")
	f.IntVar(&p.MinPosts, "min-posts", p.MinPosts, "narratives with fewer posts are not listed (their posts keep an empty narrative_id)")
	f.IntVar(&p.Workers, "workers", 0, "parallel text analysis (default: all cores); results do not depend on it")
	return cmd
}

type narrativeBrief struct {
	ID        string `json:"id"`
	Posts     int    `json:"posts"`
	Accounts  int    `json:"accounts"`
	Families  int    `json:"families"`
	Languages string `json:"languages"`
	First     string `json:"first_seen,omitempty"`
	Last      string `json:"last_seen,omitempty"`
	Label     string `json:"label"`
}

func narrativesSummary(out, id string, r *narrative.Result, m *narrative.Manifest) any {
	var top []narrativeBrief
	for _, n := range r.Narratives[:min(len(r.Narratives), 10)] {
		var langs []string
		for _, l := range n.Languages {
			langs = append(langs, fmt.Sprintf("%s:%d", l.Value, l.N))
		}
		top = append(top, narrativeBrief{n.ID, n.Posts, n.Accounts, n.Families, strings.Join(langs, ";"),
			rundir.Time(n.First, n.HasTime), rundir.Time(n.Last, n.HasTime), n.Label})
	}
	return struct {
		Run      string             `json:"run,omitempty"` // the stored run's id (--dataset)
		Out      string             `json:"out"`
		Counts   map[string]int64   `json:"counts"`
		Params   narrative.Params   `json:"params"`
		Top      []narrativeBrief   `json:"top"`
		Files    []string           `json:"files"`
		Timings  map[string]float64 `json:"timings_s"`
		Inputs   []rundir.Input     `json:"inputs"`
		Versions map[string]string  `json:"versions"`
	}{id, out, m.Counts, m.Params, top, m.Files, m.Timings, m.Inputs, m.Versions}
}
