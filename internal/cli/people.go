package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

// What the case commands print for people (without --json): the records
// laid out to be read, users by name (as the reader may see them:
// casework.People), times in UTC with their zone said. --json prints the
// same values as JSON, for tools.

// namer resolves user and organisation IDs to their names, as reader may
// see them.
type namer struct {
	ctx    context.Context
	s      *casework.Service
	reader tahqiq.User
	users  map[string]string
	orgs   map[string]string
}

func newNamer(ctx context.Context, s *casework.Service, reader tahqiq.User) *namer {
	return &namer{ctx: ctx, s: s, reader: reader, users: map[string]string{}, orgs: map[string]string{}}
}

// user names a user ID as the reader may see it (casework.People: the
// name of a user of the reader's organisation, "a user of ORG" for
// another's), the ID itself when it is unknown.
func (n *namer) user(id string) string {
	if id == "" {
		return ""
	}
	if name, ok := n.users[id]; ok {
		return name
	}
	name := id
	if ps, err := n.s.People(n.ctx, n.reader, []string{id}); err == nil {
		name = ps[id].Label()
	}
	n.users[id] = name
	return name
}

// org names an organisation ID.
func (n *namer) org(id string) string {
	if name, ok := n.orgs[id]; ok {
		return name
	}
	name := id
	if o, err := n.s.FindOrg(n.ctx, id); err == nil {
		name = o.Name
	}
	n.orgs[id] = name
	return name
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func tlpLabel(t tahqiq.TLP) string { return "TLP:" + strings.ToUpper(string(t)) }

// forPeople lays v out for a person; ok is false for values it does not
// know (printed as JSON then).
func forPeople(n *namer, v any) (string, bool) {
	var b strings.Builder
	switch x := v.(type) {
	case casework.View:
		writeView(&b, n, x)
	case tahqiq.Case:
		writeCase(&b, n, x)
	case []tahqiq.Item:
		for _, it := range x {
			writeItem(&b, n, it, "")
		}
		if len(x) == 0 {
			b.WriteString("no items\n")
		}
	case tahqiq.Item:
		writeItem(&b, n, x, "")
	case tahqiq.Finding:
		writeFinding(&b, n, x, "")
	case tahqiq.Recommendation:
		writeRecommendation(&b, n, x, "")
	case tahqiq.Task:
		writeTask(&b, n, x, "")
	case tahqiq.Note:
		writeNote(&b, n, x, "")
	default:
		return "", false
	}
	return strings.TrimSuffix(b.String(), "\n"), true
}

func writeCase(b *strings.Builder, n *namer, c tahqiq.Case) {
	fmt.Fprintf(b, "%s  [%s]  %s\n", c.Title, c.ID, tlpLabel(c.TLP))
	fmt.Fprintf(b, "opened %s by %s of %s\n", when(c.CreatedAt), n.user(c.CreatedBy), n.org(c.OrgID))
	if c.Description != "" {
		fmt.Fprintf(b, "%s\n", c.Description)
	}
}

func writeView(b *strings.Builder, n *namer, v casework.View) {
	writeCase(b, n, v.Case)
	if v.Scope == casework.ScopeItems {
		b.WriteString("(only the items shared with your organisation are shown)\n")
	}
	section := func(title string, count int) {
		fmt.Fprintf(b, "\n%s (%d)\n", title, count)
	}
	section("Items", len(v.Items))
	for _, it := range v.Items {
		writeItem(b, n, it, "  ")
	}
	if v.Scope == casework.ScopeItems {
		return
	}
	section("Findings", len(v.Findings))
	for _, f := range v.Findings {
		writeFinding(b, n, f, "  ")
	}
	section("Recommendations", len(v.Recommendations))
	for _, r := range v.Recommendations {
		writeRecommendation(b, n, r, "  ")
	}
	section("Tasks", len(v.Tasks))
	for _, t := range v.Tasks {
		writeTask(b, n, t, "  ")
	}
	section("Notes", len(v.Notes))
	for _, x := range v.Notes {
		writeNote(b, n, x, "  ")
	}
	if len(v.Shares) > 0 {
		section("Shared with", len(v.Shares))
		for _, sh := range v.Shares {
			what := "the whole case"
			if sh.ItemID != "" {
				what = "item " + sh.ItemID
			}
			fmt.Fprintf(b, "  %s: %s, %s\n", n.org(sh.OrgID), what, tlpLabel(sh.TLP))
		}
	}
}

func writeItem(b *strings.Builder, n *namer, it tahqiq.Item, ind string) {
	fmt.Fprintf(b, "%s%s  [%s]  %s, added %s by %s\n", ind, it.Title, it.ID, it.Kind, when(it.AddedAt), n.user(it.AddedBy))
	if it.Source != "" {
		fmt.Fprintf(b, "%s    from %s\n", ind, it.Source)
	}
	if it.DerivedFrom != "" {
		fmt.Fprintf(b, "%s    a working copy of %s\n", ind, it.DerivedFrom)
	}
	for _, bl := range it.Blobs {
		fmt.Fprintf(b, "%s    %s  %s (%d bytes", ind, bl.SHA256, bl.Name, bl.Size)
		if bl.DHash != "" {
			fmt.Fprintf(b, ", dHash %s", bl.DHash)
		}
		b.WriteString(")\n")
	}
}

func writeFinding(b *strings.Builder, n *namer, f tahqiq.Finding, ind string) {
	fmt.Fprintf(b, "%s%s  [%s]  by %s, %s\n", ind, f.Title, f.ID, n.user(f.CreatedBy), when(f.CreatedAt))
	if f.Text != "" {
		fmt.Fprintf(b, "%s    %s\n", ind, f.Text)
	}
	fmt.Fprintf(b, "%s    cites %s\n", ind, strings.Join(f.ItemIDs, ", "))
	if len(f.Tags) > 0 {
		fmt.Fprintf(b, "%s    tags %s\n", ind, strings.Join(f.Tags, ", "))
	}
}

func writeRecommendation(b *strings.Builder, n *namer, r tahqiq.Recommendation, ind string) {
	fmt.Fprintf(b, "%s%s  [%s]  %s; proposed by %s, %s\n", ind, r.Action, r.ID, r.State, n.user(r.CreatedBy), when(r.CreatedAt))
	if r.DecidedBy != "" {
		fmt.Fprintf(b, "%s    %s by %s, %s\n", ind, r.State, n.user(r.DecidedBy), when(r.DecidedAt))
	}
	fmt.Fprintf(b, "%s    grounds: %s\n%s    rests on %s\n", ind, r.Grounds, ind, strings.Join(r.FindingIDs, ", "))
}

func writeTask(b *strings.Builder, n *namer, t tahqiq.Task, ind string) {
	fmt.Fprintf(b, "%s[%s] %s  [%s]", ind, t.State(), t.Title, t.ID)
	if t.Assignee != "" {
		fmt.Fprintf(b, ", assigned to %s", n.user(t.Assignee))
	}
	fmt.Fprintf(b, "; by %s, %s\n", n.user(t.CreatedBy), when(t.CreatedAt))
}

func writeNote(b *strings.Builder, n *namer, x tahqiq.Note, ind string) {
	fmt.Fprintf(b, "%s%s, %s  [%s]:\n%s    %s\n", ind, n.user(x.CreatedBy), when(x.CreatedAt), x.ID, ind, strings.ReplaceAll(x.Text, "\n", "\n"+ind+"    "))
}
