package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/audit"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/demo"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/keyfile"
	"github.com/tahqiq/tahqiq/internal/runs"
)

func newDemoCmd(e *env) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the main job on bundled real samples with the embedded store",
		Long: `Run tahqiq's main job on real public samples bundled in the binary
(see internal/demo/data/README.md for their origin and licence): import them
into the embedded store (--data), find the accounts that retweeted the same
posts within 60 seconds of each other, and summarise what was found; audit
a bundled set of result forms; then open a case in the custody log, attach
the coordination run and one of the posts behind the strongest link, export
the case as a zip bundle and verify it offline. In a store with
organisations the demo acts as --as USER (default: demo).

The samples are written to DIR/inputs and every output goes under DIR
(--out, default ./tahqiq-demo); the bundle goes to DIR/case/case-ID.zip.
Running the demo twice imports nothing twice (it opens a second case). In
a store without an organisation the demo creates one ("tahqiq demo") with
the admin user demo and the store's signing key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e.creates = true // a first import, the demo or the server may make the store
			ctx := cmd.Context()
			w := e.stdout
			files, err := demo.WriteFiles(filepath.Join(out, "inputs"))
			if err != nil {
				return err
			}
			db, err := e.openStore(ctx)
			if err != nil {
				return err
			}
			defer db.Close()

			fmt.Fprintf(w, "== 1. Import (store: %s)\n", db.Path())
			if has, err := e.rules(db).HasOrganisations(ctx); err != nil {
				return err
			} else if has && e.as == "" {
				e.as = "demo" // the demo's own user, made by its first run
			}
			opt := ingest.Options{Dataset: "demo", Log: e.log}
			sum, err := e.importAs(ctx, db, e.importer(), files, opt)
			if err != nil {
				if c := tahqiq.ErrorCode(err); c != tahqiq.ENOTFOUND && c != tahqiq.EUNAUTHORIZED && c != tahqiq.EFORBIDDEN && c != tahqiq.ECONFLICT {
					return err
				}
				fmt.Fprintf(w, "skipped: %s (run the demo with --as USER, an investigator or admin of this store)\n", tahqiq.ErrorMessage(err))
				fmt.Fprintf(w, "\n== 4. A case\nskipped: nothing imported\n")
				return nil
			}
			printSummary(w, sum)
			d, err := db.FindDatasetByName(ctx, "demo")
			if err != nil {
				return err
			}
			c := d.Counts
			fmt.Fprintf(w, "dataset demo now holds %d records, %d posts, %d accounts, %d shares, %d rejects from %d files\n",
				c.Records, c.Posts, c.Accounts, c.Shares, c.Rejects, len(d.Sources))

			fmt.Fprintf(w, "\n== 2. Coordination: co-retweets within 60 s, CooRTweet's min-participation 2\n")
			p := coord.DefaultParams()
			p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
			r, err := e.datasetRun(ctx, "demo", p, 0)
			if err != nil {
				return err
			}
			// kept in the store as every run of a dataset, and copied beside
			// the demo's other outputs
			made, err := e.runStore(nil).MakeCoord(ctx, &r, Version, nil)
			if err != nil {
				return err
			}
			res, m := made.Result, made.Manifest
			runDir := filepath.Join(out, "coord")
			if err := copyFiles(made.Dir, runDir, m.Files); err != nil {
				return err
			}
			k := m.Counts
			fmt.Fprintf(w, "%d shares -> %d co-share pairs -> %d edges between %d accounts; %d edges above the median weight flagged; %d communities (modularity %.3f)\n",
				k["shares"], k["pairs"], k["edges"], k["edge_accounts"], k["flagged_edges"], countCommunities(res), m.Modularity)
			top := res.Edges[0]
			for _, e := range res.Edges {
				if e.Weight > top.Weight {
					top = e
				}
			}
			fmt.Fprintf(w, "strongest link: %s - %s, %g co-retweets (explain it: tahqiq coord explain --run %s %s %s)\n",
				res.Account(top.A), res.Account(top.B), top.Weight, runDir, res.Account(top.A), res.Account(top.B))
			fmt.Fprintf(w, "files in %s: %s\n", runDir, strings.Join(m.Files, ", "))

			// A post of the strongest link's first account: one of the
			// retweets that make the link. (The run interned the shares
			// as it read them: they are read again, in the same order.)
			shares, _, err := runs.DatasetShares(ctx, db, "demo", p.Types)
			if err != nil {
				return err
			}
			var post string
			for _, sh := range shares {
				if sh.AccountID == res.Account(top.A) && sh.PostID != "" {
					post = sh.PostID
					break
				}
			}

			fmt.Fprintf(w, "\n== 3. Election-results audit of a bundled (hand-made, labelled) set of result forms\n")
			if err := audit.Demo(ctx, w, filepath.Join(out, "audit")); err != nil {
				return err
			}
			db.Close() // step 4 opens the store through casework

			fmt.Fprintf(w, "\n== 4. A case with a custody log: open, attach the coordination run and a post, export, verify offline\n")
			runDirs := []string{runDir}
			if _, err := os.Stat(filepath.Join(out, "audit", "manifest.json")); err == nil {
				runDirs = append(runDirs, filepath.Join(out, "audit"))
			}
			return demoCase(cmd, e, e.as, runDirs, post, filepath.Join(out, "case"))
		},
	}
	cmd.Flags().StringVar(&out, "out", "tahqiq-demo", "directory for the demo's inputs and outputs")
	return cmd
}

func countCommunities(res *coord.Result) int {
	if res.Graph == nil {
		return 0
	}
	n := int32(0)
	for _, c := range res.Graph.Community {
		n = max(n, c+1)
	}
	return int(n)
}

// demoCase is step 4 of the demo: the case, its custody and the offline
// check of its bundle.
func demoCase(cmd *cobra.Command, e *env, as string, runDirs []string, post, out string) error {
	ctx, w := cmd.Context(), e.stdout
	s, db, err := openCasework(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if as == "" {
		as = "demo"
	}
	if s.Signer == nil {
		signer, v, err := keyfile.CreateKey(e.dataDir, keyName("tahqiq demo"))
		if err != nil {
			return err
		}
		s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
		_, u, err := s.InitOrg(ctx, "tahqiq demo", as)
		if err != nil {
			return err
		}
		// The demo's user logs in to the web UI (tahqiq serve) with a
		// password made here and printed once: a demo on one's own machine.
		password := auth.NewSecret("demo-")
		hash, err := auth.HashPassword(password, auth.DefaultParams)
		if err != nil {
			return err
		}
		if err := s.SetPassword(ctx, tahqiq.System, u.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(w, "the store had no organisation: created \"tahqiq demo\" with admin user %s and the signing key %s\n", as, filepath.Join(e.dataDir, keyfile.KeyFile))
		fmt.Fprintf(w, "web UI: tahqiq serve, then log in as %s with the password %s (shown once; change it in the UI or with tahqiq org passwd %s --password-stdin)\n", as, password, as)
	}
	actor, err := s.Actor(ctx, as)
	if err != nil {
		fmt.Fprintf(w, "skipped: %s (run the demo with --as USER, an investigator or admin of this store)\n", tahqiq.ErrorMessage(err))
		return nil
	}
	in := demoInput{actor: actor, runDirs: runDirs, outDir: out}
	if post != "" {
		in.dataset, in.postIDs = "demo", []string{post}
	}
	res, err := openDemoCase(ctx, s, in)
	if err != nil {
		return err
	}
	// The demo made the store's key, so it checks the bundle against it
	// as a recipient would against the key they were given.
	r, err := bundle.Verify(res.bundle, casework.VerifyOptions{LogKey: res.key})
	if err != nil {
		return err
	}
	if _, err := s.Checkpoint(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "opened case %s as %s\n", res.caseID, actor.Name)
	for _, it := range res.items {
		fmt.Fprintf(w, "attached %s %s (%s): %d files, logged with their SHA-256\n", it.Kind, it.ID, it.Title, len(it.Blobs))
	}
	if res.findingID != "" {
		fmt.Fprintf(w, "recorded finding %s citing them\n", res.findingID)
	}
	fmt.Fprintf(w, "exported %s; verified offline: %d log entries, root %s, %d items, %d blobs, signed by %s: ",
		res.bundle, r.LogSize, r.Root, r.Items, r.Blobs, strings.Join(r.Signers, ", "))
	if !r.OK() {
		fmt.Fprintf(w, "%d PROBLEMS\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintln(w, "FAIL", p.String())
		}
		return &exitError{code: exitProblems, msg: fmt.Sprintf("demo: the bundle does not verify: %d problems", len(r.Problems))}
	}
	fmt.Fprintf(w, "OK (log key %s, given)\n", r.Key)
	fmt.Fprintf(w, "see it: tahqiq case show %s --as %s; check it anywhere with the store's public key: tahqiq verify %s --key %s\n",
		res.caseID, actor.Name, res.bundle, filepath.Join(e.dataDir, keyfile.PubKeyFile))
	return nil
}
