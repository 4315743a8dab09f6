package narrative

import (
	"cmp"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// GroupLink is one (narrative, coordinated group) pair: the posts of the
// group's accounts in the narrative, and when.
type GroupLink struct {
	Narrative   int    // index into Result.Narratives
	Community   string // the coordination run's community id
	Posts       int
	Accounts    int
	First, Last int64
	HasTime     bool
	Members     []int32       // the group's posts in the narrative (indices into Result.Posts)
	Reach       signals.Reach // of those posts and their accounts
}

// Links ties the listed narratives to the communities of a coordination
// run: for each narrative, the groups whose accounts posted in it; for
// each group, its narratives.
type Links struct {
	r                *Result
	Rows             []GroupLink // by narrative (in Result order), then posts, then community
	perNarrative     []narrativeGroups
	communities      int
	coordinatedPosts int
	groupAccounts    map[string]int // community -> accounts in the coordination run
	followers        func(string) int64
}

type narrativeGroups struct {
	groups []string // community ids, most posts first
	posts  int      // posts by accounts of any community
}

// Link ties the narratives to the communities of a coordination run;
// followers gives an account's followers for the reach (-1 unknown).
func (r *Result) Link(c *rundir.Communities, followers func(string) int64) *Links {
	l := &Links{r: r, perNarrative: make([]narrativeGroups, len(r.Narratives)), groupAccounts: map[string]int{}, followers: followers}
	for _, g := range c.Of {
		l.groupAccounts[g]++
	}
	seen := map[string]bool{}
	for j, n := range r.Narratives {
		type acc struct {
			gl       GroupLink
			accounts map[string]bool
		}
		by := map[string]*acc{}
		for _, i := range n.Members {
			p := &r.Posts[i]
			g, ok := c.Of[p.Account]
			if !ok {
				continue
			}
			a := by[g]
			if a == nil {
				a = &acc{gl: GroupLink{Narrative: j, Community: g}, accounts: map[string]bool{}}
				by[g] = a
			}
			a.gl.Posts++
			a.gl.Members = append(a.gl.Members, i)
			a.accounts[p.Account] = true
			if p.HasTime {
				if !a.gl.HasTime {
					a.gl.First, a.gl.Last, a.gl.HasTime = p.Time, p.Time, true
				}
				a.gl.First, a.gl.Last = min(a.gl.First, p.Time), max(a.gl.Last, p.Time)
			}
		}
		var rows []GroupLink
		for g, a := range by {
			a.gl.Accounts = len(a.accounts)
			a.gl.Reach = r.Reach(a.gl.Members, followers)
			rows = append(rows, a.gl)
			seen[g] = true
			l.perNarrative[j].posts += a.gl.Posts
		}
		slices.SortFunc(rows, func(a, b GroupLink) int {
			if a.Posts != b.Posts {
				return cmp.Compare(b.Posts, a.Posts)
			}
			return compareGroups(a.Community, b.Community)
		})
		for _, row := range rows {
			l.perNarrative[j].groups = append(l.perNarrative[j].groups, row.Community)
		}
		l.coordinatedPosts += l.perNarrative[j].posts
		l.Rows = append(l.Rows, rows...)
	}
	l.communities = len(seen)
	return l
}

// writeNarrativeGroups writes narrative_groups.csv: one row per narrative
// and group that posted in it.
func (l *Links) writeNarrativeGroups(path string) error {
	head := append([]string{"narrative_id", "community", "posts", "accounts", "share", "first", "last", "label"}, signals.ReachHeader()...)
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, g := range l.Rows {
			n := &l.r.Narratives[g.Narrative]
			rec := []string{n.ID, g.Community, strconv.Itoa(g.Posts), strconv.Itoa(g.Accounts),
				rundir.Float(float64(g.Posts) / float64(n.Posts)), rundir.Time(g.First, g.HasTime), rundir.Time(g.Last, g.HasTime), n.Label}
			if err := w.Write(g.Reach.AppendRecord(rec)); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeGroups writes groups.csv: for each community of the coordination
// run that posted in a listed narrative, its narratives, most posts first.
func (l *Links) writeGroups(path string) error {
	type agg struct {
		posts      int
		narratives []GroupLink
		members    []int32
	}
	by := map[string]*agg{}
	for _, g := range l.Rows {
		a := by[g.Community]
		if a == nil {
			a = &agg{}
			by[g.Community] = a
		}
		a.posts += g.Posts
		a.narratives = append(a.narratives, g)
		a.members = append(a.members, g.Members...)
	}
	ids := make([]string, 0, len(by))
	for g := range by {
		ids = append(ids, g)
	}
	slices.SortFunc(ids, compareGroups)
	head := append([]string{"community", "accounts", "posts", "narratives", "narrative_ids", "labels"}, signals.ReachHeader()...)
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for _, g := range ids {
			a := by[g]
			slices.SortStableFunc(a.narratives, func(x, y GroupLink) int { return cmp.Compare(y.Posts, x.Posts) })
			var ids, labels []string
			for _, n := range a.narratives {
				ids = append(ids, l.r.Narratives[n.Narrative].ID)
				if len(labels) < topValues {
					labels = append(labels, l.r.Narratives[n.Narrative].Label)
				}
			}
			reach := l.r.Reach(a.members, l.followers) // its posts in the listed narratives, each account once
			rec := []string{g, strconv.Itoa(l.groupAccounts[g]), strconv.Itoa(a.posts), strconv.Itoa(len(a.narratives)),
				strings.Join(ids, ";"), strings.Join(labels, ";")}
			if err := w.Write(reach.AppendRecord(rec)); err != nil {
				return err
			}
		}
		return nil
	})
}
