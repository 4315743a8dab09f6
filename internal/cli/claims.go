package cli

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func newClaimsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "Fact-checks (ClaimReview): import claim sets, find the posts that make a claim",
		Long: `Fact-checks as fact-checkers publish them: schema.org ClaimReview (and
MediaReview) JSON-LD, as one object, a list, a @graph, a DataFeed or a web
page's embedded <script type="application/ld+json">; Google Fact Check
Tools API responses; and CSVs with at least claim and url columns (the Data
Commons table's reviewer_name, claim_text, review_date, review_url,
review_rating, claim_author_name, claim_date too; appearance_urls
separated by '|').

"tahqiq claims import --set NAME FILE..." keeps them as a claim set of the
importer's organisation (files under --data/claimsets; every import is a
custody-log entry with the files' SHA-256). "tahqiq claims match" finds the
posts that make each claim. See docs/narratives.md.`,
	}
	cmd.AddCommand(newClaimsImportCmd(e), newClaimsMatchCmd(e), newClaimsSetsCmd(e))
	return cmd
}

func (e *env) claimsRoot() string { return filepath.Join(e.dataDir, "claimsets") }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// defaultSetName derives a set name from a file name.
func defaultSetName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	base = strings.Trim(unsafeName.ReplaceAllString(base, "-"), "-._")
	if len(base) > 64 {
		base = base[:64]
	}
	if base == "" {
		base = "claims"
	}
	return base
}

func readClaimFiles(e *env, names []string) ([]casework.ClaimFile, error) {
	var out []casework.ClaimFile
	for _, n := range names {
		var b []byte
		var err error
		if n == "-" {
			b, err = io.ReadAll(io.LimitReader(e.stdin, 1<<30))
		} else {
			b, err = os.ReadFile(n)
		}
		if err != nil {
			return nil, tahqiq.Errorf(tahqiq.EINVALID, "%s: %v", n, err)
		}
		out = append(out, casework.ClaimFile{Name: n, Data: b})
	}
	return out, nil
}

func newClaimsImportCmd(e *env) *cobra.Command {
	var set string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import [--set NAME] [--json] FILE...",
		Short: "Import fact-checks (ClaimReview JSON-LD, HTML pages with it, CSV) into a claim set",
		Long: `Import fact-checks into the claim set NAME (default: the first file's name).
A review is kept with its URL, claim, rating (and its normalised verdict:
false, misleading, mixed, true, unproven, satire, other), language
(inLanguage, else guessed), dates, publisher, claimant, appearances and the
object as published; one without a URL or a claim is rejected with the
reason. Importing a review again (same URL and claim) replaces it.

The set belongs to the organisation of the user who first imports it (--as
once the store has organisations); only that organisation imports into it
again or reads it. Every import is logged in the custody log with the
SHA-256 of each file and of the set's claims.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e.creates = true // a first import of fact-checks may make the store its log lives in
			if set == "" {
				set = defaultSetName(args[0])
			}
			files, err := readClaimFiles(e, args)
			if err != nil {
				return err
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			s := e.rules(db)
			actor, err := s.CLIActor(ctx, e.as)
			if err != nil {
				return err
			}
			res, err := s.ImportClaims(ctx, actor, e.claimsRoot(), set, files)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, res)
			}
			verb := "updated"
			if res.Created {
				verb = "created"
			}
			fmt.Fprintf(e.stdout, "claims: set %s %s: %d claims added, %d replaced, %d in the set, %d rejected\n", res.Set, verb, res.Added, res.Updated, res.Claims, res.Rejects)
			for _, f := range res.Files {
				fmt.Fprintf(e.stdout, "  %s  %s  %s: %d claims, %d rejected\n", f.SHA256[:12], f.Format, f.Name, f.Claims, f.Rejects)
			}
			for _, r := range res.Rejected[:min(len(res.Rejected), 5)] {
				fmt.Fprintf(e.stdout, "  rejected %s:%d: %s\n", r.File, r.Line, r.Reason)
			}
			fmt.Fprintf(e.stdout, "  verdicts %s; languages %s\n", countList(res.Verdicts), countList(res.Languages))
			return nil
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "claim set name (default: the first file's name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON summary")
	return cmd
}

func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func newClaimsSetsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sets [--json]",
		Short: "List the claim sets you may read",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			s := e.rules(db)
			actor, err := s.CLIActor(ctx, e.as)
			if err != nil {
				return err
			}
			sets, err := s.ClaimSets(ctx, actor, e.claimsRoot())
			if err != nil {
				return err
			}
			orgs, err := s.Store.FindOrganisations(ctx)
			if err != nil {
				return err
			}
			orgName := map[string]string{}
			for _, o := range orgs {
				orgName[o.ID] = o.Name
			}
			if asJSON {
				type setJSON struct {
					claims.SetInfo
					OrgName string `json:"org_name"` // the owning organisation's name
				}
				list := make([]setJSON, len(sets))
				for i, si := range sets {
					list[i] = setJSON{si, orgName[si.OrgID]}
				}
				return writeJSON(e.stdout, list)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SET\tCLAIMS\tIMPORTS\tORGANISATION\tSHA256")
			for _, si := range sets {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", si.Name, si.Claims, len(si.Imports), orDash(cmp.Or(orgName[si.OrgID], si.OrgID)), si.SHA256[:min(12, len(si.SHA256))])
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newClaimsMatchCmd(e *env) *cobra.Command {
	p := claims.DefaultParams()
	var pf postFlags
	var claimFiles []string
	var set, out, name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "match (--claims FILE... | --set NAME) (--dataset NAME | --input FILE...) --out DIR [flags]",
		Short: "Find the posts that make a fact-checked claim, phrased differently",
		Long: `Find the posts that make each claim of a claim set (--set) or of fact-check
files (--claims, read as "claims import" reads them, without storing them).

A claim's words are its claimReviewed's content words; a post carries a word
when it has the word's light key (Roman Urdu spelling variants folded), its
skeleton or root key (across spellings and inflections, and between Urdu
script and Roman Urdu) or its glossary concept (a translation: three, teen,
تین, तीन). The score is the larger of the idf-weighted share of the claim's
words the post carries and, for a post of 4 content words or more, of the
post's words that are the claim's; a post carrying fewer than --min-shared
of the claim's words has it scaled by shared/min-shared. At --suggest a
post is a suggested match; at --link a link, unless the claim or the post
has fewer than --min-words words or their numbers differ (then it stays a
suggestion). A post the review names as an appearance (its URL or X status
id) is a link with score 1. --langs bridge (the default) compares English,
Urdu script, Roman Urdu and Hindi with each other, and undetermined posts;
same, only the claim's language; any, every post.

Feedback (--seed, --seeds): a claim's best matches (at most --seeds of
them, scoring --seed or more, of 4 content words or more) are searched
for in turn; a post that repeats a seed matches the claim with the seed's
score times the post's score for the seed's words (via feedback,
suggested at most, with seed_post_id, seed_score and seed_terms as its
evidence). It finds copies that word the claim as its repeats do rather
than as the fact-checker did. --seed 0 turns it off.

A run of a stored dataset is kept in the store (--data/runs/claims; tahqiq
serve lists it to those who may read the dataset) and also copied to --out
when given; a run of --input files is written to --out only.

Outputs in DIR: matches.csv (claim_url, post_id, score, status,
matched_terms, missing_terms, post_coverage, bm25, numbers, short, via,
languages, account, times, verdict, claim and post text, the account's
handle and name; for a feedback match its seed_post_id, seed_score and
seed_terms), ranked per claim;
claims.csv (each claim with its counts); manifest.json. A match says the
post repeats the claim's words: a debunk quoting the claim matches too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" && pf.dataset == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "--out DIR is required with --input")
			}
			if (set == "") == (len(claimFiles) == 0) {
				return tahqiq.Errorf(tahqiq.EINVALID, "give either --set NAME or --claims FILE...")
			}
			if err := pf.check(); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			cls, claimInputs, err := e.loadClaims(cmd, set, claimFiles)
			if err != nil {
				return err
			}
			cr := runs.ClaimsRun{Claims: cls, ClaimInputs: claimInputs, ClaimSet: set, Params: p}
			var actor string
			if pf.dataset != "" {
				actor, err = e.withDataset(ctx, pf.dataset, func(db runs.PostSource) (err error) {
					cr.Posts, cr.TextRun, err = runs.DatasetClaimPosts(ctx, db, pf.dataset)
					return err
				})
			} else {
				start := time.Now()
				var read postsRead
				names := rundir.Names{} // the first record naming an account, as a dataset keeps it
				read, err = e.readPosts(ctx, &pf, names, func(tp *tahqiq.Post) error {
					if tp.Kind != tahqiq.KindService && tp.Kind != tahqiq.KindRepost {
						cr.Posts = append(cr.Posts, claims.FromPost(*tp))
					}
					return nil
				})
				cr.Source, cr.Read, cr.Names = read.Source, time.Since(start).Seconds(), names.Of
			}
			if err != nil {
				return err
			}
			cr.Actor, cr.Name = actor, name
			rs := e.runStore(nil)
			var m *claims.Manifest
			var in runs.Info
			var dir string
			if pf.dataset != "" {
				if in, m, err = rs.StoreClaims(ctx, &cr, Version); err == nil {
					dir, err = keepRun(rs, runs.Claims, in.ID, out, m.Files)
				}
			} else {
				_, m, err = runs.MakeClaims(ctx, &cr, Version, out)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(e.stdout, struct {
					Run     string             `json:"run,omitempty"` // the stored run's id (--dataset)
					Out     string             `json:"out"`
					Counts  map[string]int64   `json:"counts"`
					Params  claims.Params      `json:"params"`
					Claims  []rundir.Input     `json:"claims"`
					Inputs  []rundir.Input     `json:"inputs"`
					Files   []string           `json:"files"`
					Timings map[string]float64 `json:"timings_s"`
				}{in.ID, out, m.Counts, m.Params, m.Claims, m.Inputs, m.Files, m.Timings})
			}
			c := m.Counts
			fmt.Fprintf(e.stdout, "claims match: %d claims x %d posts (reposts left out) -> %d links, %d suggestions\n", c["claims"], c["posts"], c["link"], c["suggest"])
			fmt.Fprintf(e.stdout, "  suggest >= %g, link >= %g (and >= %d words, numbers agreeing), languages %s\n", p.Suggest, p.Link, p.MinWords, p.Langs)
			e.printKept(in.ID, dir, out, m.Files)
			return nil
		},
	}
	f := cmd.Flags()
	pf.add(f)
	f.StringVar(&name, "name", "", "what to call the run (shown beside its id)")
	f.StringArrayVar(&claimFiles, "claims", nil, "fact-check file (ClaimReview JSON-LD, HTML with it, Fact Check API JSON, CSV); repeatable")
	f.StringVar(&set, "set", "", "claim set of the store (tahqiq claims import)")
	f.StringVar(&set, "claim-set", "", "same as --set")
	f.StringVar(&out, "out", "", "output directory (required with --input; with --dataset the run is kept in the store and also copied here)")
	f.BoolVar(&asJSON, "json", false, "print a JSON summary")
	f.Float64Var(&p.Suggest, "suggest", p.Suggest, "score from which a post is a suggested match")
	f.Float64Var(&p.Link, "link", p.Link, "score from which a post is linked to the claim")
	f.IntVar(&p.MinWords, "min-words", p.MinWords, "a claim or post of fewer words is never linked, only suggested")
	f.IntVar(&p.MinShared, "min-shared", p.MinShared, "a post carrying fewer of the claim's words (all of a shorter claim's) has its score scaled by shared/min-shared (0: no scaling)")
	f.Float64Var(&p.WindowDays, "window-days", p.WindowDays, "only posts within this many days of the review's date (0: any time)")
	f.StringVar(&p.Langs, "langs", p.Langs, "bridge (English, Urdu script, Roman Urdu and Hindi with each other; undetermined) | same | any")
	f.IntVar(&p.MaxPerClaim, "max-per-claim", p.MaxPerClaim, "best matches kept per claim")
	f.Float64Var(&p.Seed, "seed", p.Seed, "a claim's matches of this score or more are seeds: a post repeating a seed matches with seed score x its score for the seed (feedback; 0: none)")
	f.IntVar(&p.Seeds, "seeds", p.Seeds, "seeds per claim (the best matches of --seed or more)")
	return cmd
}

// loadClaims reads a stored claim set (checking access) or fact-check
// files, and names them as the run's claim inputs.
func (e *env) loadClaims(cmd *cobra.Command, set string, files []string) ([]claims.Claim, []rundir.Input, error) {
	ctx := cmd.Context()
	if set != "" {
		db, err := e.openStore(ctx)
		if err != nil {
			return nil, nil, err
		}
		defer db.Close()
		s := e.rules(db)
		actor, err := s.CLIActor(ctx, e.as)
		if err != nil {
			return nil, nil, err
		}
		si, cls, err := s.ReadClaimSet(ctx, actor, e.claimsRoot(), set)
		if err != nil {
			return nil, nil, err
		}
		return cls, []rundir.Input{{Name: set, SHA256: si.SHA256, Source: "claim-set"}}, nil
	}
	var cls []claims.Claim
	var ins []rundir.Input
	fs, err := readClaimFiles(e, files)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range fs {
		in := rundir.Input{Name: f.Name, Source: "claims"}
		sum := sha256Hex(f.Data)
		in.SHA256 = sum
		if f.Name != "-" {
			if abs, err := filepath.Abs(f.Name); err == nil {
				in.Path = abs
			}
		}
		cs, rejects, err := claims.Parse(f.Data, claims.Source{File: f.Name, SHA256: sum})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rejects {
			fmt.Fprintf(e.stderr, "tahqiq: rejected %s:%d: %s\n", r.File, r.Line, r.Reason)
		}
		in.Format = "claims"
		if len(cs) > 0 {
			in.Format = cs[0].Source.Format
		}
		cls = append(cls, cs...)
		ins = append(ins, in)
	}
	if len(cls) == 0 {
		return nil, nil, tahqiq.Errorf(tahqiq.EINVALID, "no fact-check read from %s", strings.Join(files, ", "))
	}
	return cls, ins, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
