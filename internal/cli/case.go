package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/chromium"
)

// caseFlags are shared by the case, org and capture commands.
type caseFlags struct {
	json bool
}

func (f *caseFlags) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().BoolVar(&f.json, "json", false, "print JSON")
}

// withActor opens the service, resolves --as (casework.CLIActor: needed
// once the store has an organisation), runs fn, and signs a checkpoint
// when fn changed something.
func withActor(cmd *cobra.Command, e *env, f *caseFlags, changes bool, fn func(ctx context.Context, s *casework.Service, actor tahqiq.User) (any, error)) error {
	return withActorAs(cmd, e, f, changes, (*casework.Service).CLIActor, fn)
}

// withActorAs is withActor with who resolving --as.
func withActorAs(cmd *cobra.Command, e *env, f *caseFlags, changes bool, who func(*casework.Service, context.Context, string) (tahqiq.User, error),
	fn func(ctx context.Context, s *casework.Service, actor tahqiq.User) (any, error)) error {
	ctx := cmd.Context()
	s, db, err := openCasework(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	actor, err := who(s, ctx, e.as)
	if err != nil {
		return err
	}
	out, err := fn(ctx, s, actor)
	if err != nil {
		return err
	}
	if changes {
		if _, err := s.Checkpoint(ctx); err != nil {
			return err
		}
	}
	if !f.json {
		if txt, ok := forPeople(newNamer(ctx, s, actor), out); ok {
			out = text(txt)
		}
	}
	return printOut(e, f.json, out)
}

func printOut(e *env, asJSON bool, v any) error {
	if v == nil {
		return nil
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	if s, ok := v.(fmt.Stringer); ok {
		fmt.Fprintln(e.stdout, s.String())
		return nil
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
	return nil
}

type idOut struct {
	ID string `json:"id"`
}

func (i idOut) String() string { return i.ID }

func newCaseCmd(e *env) *cobra.Command {
	f := &caseFlags{}
	cmd := &cobra.Command{Use: "case", Short: "cases, evidence, findings and recommendations with a custody log"}
	f.bind(cmd)

	var title, desc, tlp string
	newC := &cobra.Command{Use: "new", Short: "open a case", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				c, err := s.NewCase(ctx, a, title, desc, tahqiq.TLP(tlp))
				return idOut{c.ID}, err
			})
		}}
	newC.Flags().StringVar(&title, "title", "", "case title (required)")
	newC.Flags().StringVar(&desc, "description", "", "description")
	newC.Flags().StringVar(&tlp, "tlp", "amber", "TLP marking: clear, green, amber, amber+strict, red")

	list := &cobra.Command{Use: "list", Short: "list the cases you can read", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withActor(cmd, e, f, false, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				cs, err := s.List(ctx, a)
				if err != nil || f.json {
					return cs, err
				}
				if len(cs) == 0 {
					return text("no cases you can read (open one: tahqiq case new --title TITLE)"), nil
				}
				var b strings.Builder
				n := newNamer(ctx, s, a)
				for _, c := range cs {
					fmt.Fprintf(&b, "%s\t%s\tTLP:%s\t%s\t%s\n", c.ID, c.CreatedAt.Format("2006-01-02"), strings.ToUpper(string(c.TLP)), n.org(c.OrgID), c.Title)
				}
				return text(strings.TrimSuffix(b.String(), "\n")), nil
			})
		}}

	show := &cobra.Command{Use: "show CASE", Short: "show a case (the read is logged)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.Show(ctx, a, args[0])
			})
		}}

	var derived string
	attach := &cobra.Command{Use: "attach CASE FILE...", Short: "attach files as evidence (originals are never modified)", Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.AttachFiles(ctx, a, args[0], derived, args[1:]...)
			})
		}}
	attach.Flags().StringVar(&derived, "derived-from", "", "item ID this file is a working copy of")

	var dataset string
	attachPost := &cobra.Command{Use: "attach-post CASE UID...", Short: "attach posts of an imported dataset with their raw records", Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				var out []tahqiq.Item
				for _, uid := range args[1:] {
					it, err := s.AttachPost(ctx, a, args[0], dataset, uid)
					if err != nil {
						return out, err
					}
					out = append(out, it)
				}
				return out, nil
			})
		}}
	attachPost.Flags().StringVar(&dataset, "dataset", "", "dataset name (required)")

	attachRun := &cobra.Command{Use: "attach-run CASE DIR", Short: "attach an analysis run directory (with manifest.json)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.AttachRun(ctx, a, args[0], args[1])
			})
		}}

	var ftitle, ftext string
	var fitems, ftags []string
	finding := &cobra.Command{Use: "finding CASE", Short: "record a finding citing evidence", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.AddFinding(ctx, a, tahqiq.Finding{CaseID: args[0], Title: ftitle, Text: ftext, ItemIDs: fitems, Tags: ftags})
			})
		}}
	finding.Flags().StringVar(&ftitle, "title", "", "finding title")
	finding.Flags().StringVar(&ftext, "text", "", "finding text")
	finding.Flags().StringSliceVar(&fitems, "item", nil, "evidence item IDs it cites")
	finding.Flags().StringSliceVar(&ftags, "tag", nil, "DISARM technique IDs (T0049) or MISP machine tags")

	var action, grounds string
	var findings []string
	recommend := &cobra.Command{Use: "recommend CASE", Short: "propose an action (takes effect when another reviewer approves)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.Recommend(ctx, a, tahqiq.Recommendation{CaseID: args[0], Action: action, Grounds: grounds, FindingIDs: findings})
			})
		}}
	recommend.Flags().StringVar(&action, "action", "", "the proposed action")
	recommend.Flags().StringVar(&grounds, "grounds", "", "its grounds")
	recommend.Flags().StringSliceVar(&findings, "finding", nil, "finding IDs it rests on")
	decide := func(use string, approve bool) *cobra.Command {
		return &cobra.Command{Use: use + " REC", Short: use + " a recommendation (reviewer, not its author)", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
					return s.Decide(ctx, a, args[0], approve)
				})
			}}
	}

	var assignee string
	task := &cobra.Command{Use: "task CASE TITLE", Short: "add a task (task update TASK: change its status or assignee)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.AddTask(ctx, a, args[0], args[1], assignee)
			})
		}}
	task.Flags().StringVar(&assignee, "assignee", "", "user ID or name (of the case's organisation)")
	task.AddCommand(newTaskUpdateCmd(e, f))
	noteC := &cobra.Command{Use: "note CASE TEXT", Short: "add a note", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.AddNote(ctx, a, args[0], args[1])
			})
		}}

	var shOrg, shItem, shTLP string
	share := &cobra.Command{Use: "share CASE", Short: "share a case (or one item) with another organisation", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				sh, err := s.ShareCase(ctx, a, tahqiq.CaseShare{CaseID: args[0], OrgID: shOrg, ItemID: shItem, TLP: tahqiq.TLP(shTLP)})
				if err != nil {
					return nil, err
				}
				n := newNamer(ctx, s, a)
				out := shareOut{CaseShare: sh, OrgName: n.org(sh.OrgID)}
				if c, err := s.Store.FindCaseByID(ctx, sh.CaseID); err == nil {
					out.CaseTitle = c.Title
				}
				if sh.ItemID != "" {
					if it, err := s.Store.FindItemByID(ctx, sh.ItemID); err == nil {
						out.ItemTitle = it.Title
					}
				}
				return out, nil
			})
		}}
	share.Flags().StringVar(&shOrg, "org", "", "organisation ID or name")
	share.Flags().StringVar(&shItem, "item", "", "share only this item")
	share.Flags().StringVar(&shTLP, "tlp", "", "TLP of the share: the case's (the default) or stricter; TLP:RED is never shared")

	var out string
	export := &cobra.Command{Use: "export CASE --out DIR|FILE.zip", Short: "write a self-verifying bundle (a directory, or a zip when --out ends in .zip)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "export: --out DIR or --out FILE.zip is required")
			}
			return withActor(cmd, e, f, false, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				export := s.Export
				if strings.EqualFold(filepath.Ext(out), ".zip") {
					export = s.ExportZipFile
				}
				m, err := export(ctx, a, args[0], out)
				if err != nil {
					return nil, err
				}
				return exportOut{Dir: out, Items: m.Items, LogSize: m.LogSize}, nil
			})
		}}
	export.Flags().StringVar(&out, "out", "", "bundle directory, or zip file when it ends in .zip")

	var dist int
	similar := &cobra.Command{Use: "similar ITEM", Short: "find re-posts of an item's images across cases", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				items, err := s.Similar(ctx, a, args[0], dist)
				if err == nil && items == nil {
					items = []tahqiq.Item{} // --json: [], not null
				}
				if err != nil || len(items) > 0 || f.json {
					return items, err
				}
				return text(fmt.Sprintf("no item of the cases you may read has a picture within %d bits of %s's", dist, args[0])), nil
			})
		}}
	similar.Flags().IntVar(&dist, "max-distance", 10, "largest dHash Hamming distance (of 64 bits)")

	cmd.AddCommand(newC, list, show, attach, attachPost, attachRun, finding, recommend, decide("approve", true), decide("reject", false),
		task, noteC, share, export, similar, newCaseReportCmd(e, f), newCaseGetCmd(e, f))
	return cmd
}

// shareOut is what case share did: the share, with the names a person
// knows the case, the item and the organisation by.
type shareOut struct {
	tahqiq.CaseShare
	OrgName   string `json:"org_name"`
	CaseTitle string `json:"case_title"`
	ItemTitle string `json:"item_title,omitempty"`
}

func (o shareOut) String() string {
	what := fmt.Sprintf("case %q [%s], every item,", o.CaseTitle, o.CaseID)
	if o.ItemID != "" {
		what = fmt.Sprintf("item %q [%s] of case %q [%s]", o.ItemTitle, o.ItemID, o.CaseTitle, o.CaseID)
	}
	return fmt.Sprintf("shared %s with %s [%s] at %s: its users may read it; the share is in the custody log", what, o.OrgName, o.OrgID, tlpLabel(o.TLP))
}

type text string

func (t text) String() string { return string(t) }

type exportOut struct {
	Dir     string `json:"dir"`
	Items   int    `json:"items"`
	LogSize int64  `json:"log_size"`
}

func (x exportOut) String() string {
	return fmt.Sprintf("exported %d items and %d log entries to %s", x.Items, x.LogSize, x.Dir)
}

func newCaseReportCmd(e *env, f *caseFlags) *cobra.Command {
	var out, pdf string
	cmd := &cobra.Command{Use: "report CASE --out FILE.html [--pdf FILE.pdf]", Short: "write an HTML (and PDF where Chromium is installed) report", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "report: --out FILE.html is required")
			}
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				fh, err := os.Create(out)
				if err != nil {
					return nil, err
				}
				if err := s.WriteReport(ctx, a, args[0], fh); err != nil {
					fh.Close()
					return nil, err
				}
				if err := fh.Close(); err != nil {
					return nil, err
				}
				res := text("report written to " + out)
				if pdf != "" {
					abs, err := filepath.Abs(out)
					if err != nil {
						return nil, err
					}
					b, err := chromium.PDF(ctx, (&url.URL{Scheme: "file", Path: abs}).String(), chromium.Options{})
					if errors.Is(err, chromium.ErrNotInstalled) {
						fmt.Fprintln(e.stderr, "report: Chromium not installed: no PDF written (install chromium for PDF); the HTML report is complete")
						return res, nil
					}
					if err != nil {
						return nil, fmt.Errorf("report: %w", err)
					}
					if err := os.WriteFile(pdf, b, 0o644); err != nil {
						return nil, tahqiq.Errorf(tahqiq.EINVALID, "report: cannot write %s: %w", pdf, err)
					}
					res += text(" and " + pdf)
				}
				return res, nil
			})
		}}
	cmd.Flags().StringVar(&out, "out", "", "HTML file")
	cmd.Flags().StringVar(&pdf, "pdf", "", "PDF file (needs Chromium)")
	return cmd
}

func newCaseGetCmd(e *env, f *caseFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{Use: "get ITEM --out DIR", Short: "copy an item's files out of the store (the read is logged)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "get: --out DIR is required")
			}
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				it, err := s.ReadItem(ctx, a, args[0])
				if err != nil {
					return nil, err
				}
				for _, b := range it.Blobs {
					data, err := os.ReadFile(s.Blobs.Path(b.SHA256))
					if err != nil {
						return nil, err
					}
					p := filepath.Join(out, filepath.FromSlash(b.Name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						return nil, err
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						return nil, err
					}
				}
				return it, nil
			})
		}}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the files to")
	return cmd
}

func newTaskUpdateCmd(e *env, f *caseFlags) *cobra.Command {
	var status, assignee string
	cmd := &cobra.Command{Use: "update TASK [--status open|in_progress|done] [--assignee USER]", Short: "change a task's status or assignee (logged)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var u tahqiq.TaskUpdate
			if cmd.Flags().Changed("status") {
				st, err := tahqiq.ParseTaskStatus(status)
				if err != nil {
					return err
				}
				u.Status = &st
			}
			if cmd.Flags().Changed("assignee") {
				u.Assignee = &assignee
			}
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				return s.UpdateTask(ctx, a, args[0], u)
			})
		}}
	cmd.Flags().StringVar(&status, "status", "", "open, in_progress (or \"in progress\") or done")
	cmd.Flags().StringVar(&assignee, "assignee", "", "user ID or name; \"\" unassigns")
	return cmd
}
