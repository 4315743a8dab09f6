package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/imagegroup"
	"github.com/tahqiq/tahqiq/internal/imagehash"
)

func newImagesCmd(e *env) *cobra.Command {
	var datasets, cases []string
	var maxDist, limit int
	var all, asJSON, problems bool
	cmd := &cobra.Command{
		Use:   "images --dataset NAME... [--case ID...]",
		Short: "Group near-identical pictures across datasets and cases",
		Long: `List groups of near-identical pictures: the pictures that imports hashed
(tahqiq import --media, or a Telegram Desktop export's photos) in the
datasets named, and the picture files attached to the cases named, with the
posts (and accounts, and times) and the case items that carry each.

Two pictures are alike when their PDQ hashes are within --max-distance bits
(default 10, the same picture: resized, recompressed, turned, mirrored or
framed copies; 31 lists variants too: crops, overlays, and also distinct
forms printed from one template, so read them). A group is every picture
alike to another of it, directly or through others, whatever the order they
were imported in. Pictures too plain to compare (PDQ quality under 50) group
with their exact copies only. By default only groups shown more than once
are listed (--all lists every picture). docs/images.md defines the tiers and
their caveats.

--problems lists instead the pictures of the datasets that were not hashed
(missing, unreadable, not pictures), with the reason.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(datasets) == 0 && len(cases) == 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "give --dataset NAME or --case ID (each repeatable)")
			}
			if maxDist < 0 || maxDist > imagehash.Variant {
				return tahqiq.Errorf(tahqiq.EINVALID, "--max-distance %d: want 0 to %d bits (beyond PDQ's own match threshold of 31 bits, unrelated pictures match)", maxDist, imagehash.Variant)
			}
			if problems && len(cases) > 0 {
				return tahqiq.Errorf(tahqiq.EINVALID, "--problems lists the pictures of datasets that were not hashed; --case has none")
			}
			var svc *casework.Service
			var db fullStore
			var err error
			if len(cases) > 0 {
				svc, db, err = openCasework(ctx, e, false)
			} else {
				db, err = e.openStore(ctx)
			}
			if err != nil {
				return err
			}
			defer db.Close()
			if problems {
				return e.imageProblems(ctx, db, datasets, asJSON)
			}
			set := imagegroup.NewSet()
			for _, name := range datasets {
				if err := e.readDataset(ctx, db, name); err != nil {
					return err
				}
				if err := set.AddDataset(ctx, db, name); err != nil {
					return err
				}
			}
			if len(cases) > 0 {
				actor, err := svc.CLIActor(ctx, e.as)
				if err != nil {
					return err
				}
				for _, id := range cases {
					v, err := svc.Show(ctx, actor, id) // a read of the case, logged
					if err != nil {
						return err
					}
					set.AddItems(id, v.Items, svc.BlobHashes)
				}
			}
			rep := set.Group(maxDist, all)
			rep.Params = imagegroup.NewParams(datasets, cases, maxDist, all)
			if asJSON {
				return writeJSON(e.stdout, rep)
			}
			printImages(e.stdout, rep, limit)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&datasets, "dataset", nil, "dataset whose hashed pictures to group (repeatable)")
	f.StringArrayVar(&cases, "case", nil, "case whose attached picture files to group (repeatable)")
	f.IntVar(&maxDist, "max-distance", imagehash.SameImage, "PDQ bits within which two pictures are alike: 10 the same picture, up to 31 variants too")
	f.BoolVar(&all, "all", false, "list pictures shown once too")
	f.IntVar(&limit, "limit", 50, "groups to print (--json prints all)")
	f.BoolVar(&asJSON, "json", false, "print the groups as JSON")
	f.BoolVar(&problems, "problems", false, "list the pictures of the datasets that were not hashed, with the reason")
	return cmd
}

func printImages(w io.Writer, rep imagegroup.Report, limit int) {
	c := rep.Counts
	fmt.Fprintf(w, "images: %s (%d too plain to compare but by their bytes) in %s and %s -> %s (alike within %d bits)\n",
		plural(int64(c.Pictures), "picture"), c.LowQuality, plural(int64(c.Posts), "post"), plural(int64(c.Items), "case item"), plural(int64(c.Groups), "group"), rep.Params.MaxDistance)
	for i, g := range rep.Groups {
		if i == limit {
			fmt.Fprintf(w, "... %d more groups (--limit, or --json for all)\n", len(rep.Groups)-limit)
			break
		}
		first := "never posted"
		if !g.FirstSeen.IsZero() {
			first = "first seen " + g.FirstSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "\n%s: %s, %s by %s, %s; %s", g.ID, plural(int64(g.Pictures), "picture"), plural(int64(g.Posts), "post"),
			plural(int64(g.Accounts), "account"), plural(int64(g.Items), "case item"), first)
		if len(g.Datasets) > 0 {
			fmt.Fprintf(w, "; %s %s", plural(int64(len(g.Datasets)), "dataset")[2:], strings.Join(g.Datasets, ", "))
		}
		fmt.Fprintln(w)
		for _, m := range g.Members {
			how := m.Tier
			if m.Tier != "first" {
				how = fmt.Sprintf("%s, %d bits", m.Tier, m.Distance)
				if m.Transform != imagehash.Original.String() {
					how += ", " + m.Transform
				}
				if m.Trimmed {
					how += ", frame cut"
				}
			}
			var names []string
			for _, f := range m.Files {
				names = append(names, f.Name+" ("+f.Dataset+")")
			}
			for _, it := range m.Items {
				names = append(names, fmt.Sprintf("%s (case %s, item %s %q)", it.File, it.Case, it.Item, it.Title))
			}
			fmt.Fprintf(w, "  [%s] %s  %d×%d quality %d  sha256 %s\n", how, strings.Join(names, "; "), m.Width, m.Height, m.Quality, m.SHA256[:12])
			for _, p := range m.Posts {
				fmt.Fprintf(w, "      %s  %s  %s", p.Time.UTC().Format(time.RFC3339), p.Account, p.Post)
				if p.URL != "" {
					fmt.Fprintf(w, "  %s", p.URL)
				}
				fmt.Fprintln(w)
			}
		}
	}
	for _, u := range rep.CaseFilesNotHashed {
		fmt.Fprintf(w, "not hashed: %s\n", u)
	}
}

// imageProblems lists the pictures of datasets that were not hashed.
func (e *env) imageProblems(ctx context.Context, db fullStore, datasets []string, asJSON bool) error {
	type problem struct {
		Dataset string `json:"dataset"`
		tahqiq.MediaFile
	}
	out := []problem{}
	for _, name := range datasets {
		if err := e.readDataset(ctx, db, name); err != nil {
			return err
		}
		rows, err := db.FindMedia(ctx, name)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.Status != tahqiq.MediaHashed {
				out = append(out, problem{Dataset: name, MediaFile: r})
			}
		}
	}
	if asJSON {
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%d pictures not hashed\n", len(out))
	for _, p := range out {
		fmt.Fprintf(e.stdout, "  %s  %s: %s (%s, named in %s)\n", p.Dataset, p.Name, p.Detail, p.Status, p.File)
	}
	return nil
}
