package narrative

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/signals"
	"github.com/tahqiq/tahqiq/internal/textkey"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Manifest is a narratives run's manifest.json.
type Manifest struct {
	rundir.Manifest
	Params Params              `json:"params"`
	Run    *rundir.Communities `json:"coord_run,omitempty"` // the coordination run linked (--run)
}

// WriteOptions say what a run directory records besides the result.
type WriteOptions struct {
	Version string    // tahqiq version
	Now     time.Time // creation time recorded in the manifest
	Source  rundir.Source
	Groups  *rundir.Communities // a coordination run's communities, or nil
	// Followers gives an account's followers as the first record naming
	// it gives them (signals.Builder.Followers), -1 unknown; nil: every
	// account's are unknown.
	Followers func(account string) int64
	// Names gives what the data calls an account (its handle without "@"
	// and its display name, "" unknown), written beside its UID; nil:
	// none known.
	Names func(account string) (handle, name string)
}

// Files a run writes, in order.
const (
	FileMembers    = "members.csv"
	FileNarratives = "narratives.csv"
	FileTimeline   = "timeline.csv"
	FileGroups     = "narrative_groups.csv"
	FileGroupIndex = "groups.csv"
	FileManifest   = "manifest.json"
)

// WriteDir writes the run directory: members.csv, narratives.csv,
// timeline.csv, with a coordination run narrative_groups.csv and
// groups.csv, and manifest.json.
func (r *Result) WriteDir(dir string, o WriteOptions) (*Manifest, error) {
	if err := rundir.Prepare(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	var links *Links
	fw := o.Followers
	if fw == nil {
		fw = func(string) int64 { return -1 }
	}
	if o.Groups != nil {
		links = r.Link(o.Groups, fw)
	}
	names := o.Names
	if names == nil {
		names = func(string) (string, string) { return "", "" }
	}
	files := []string{FileMembers, FileNarratives, FileTimeline}
	steps := []func(string) error{func(p string) error { return r.writeMembers(p, names) }, func(p string) error { return r.writeNarratives(p, links, fw, names) },
		func(p string) error { return r.writeTimeline(p, o.Groups, fw) }}
	if links != nil {
		files = append(files, FileGroups, FileGroupIndex)
		steps = append(steps, links.writeNarrativeGroups, links.writeGroups)
	}
	for i, f := range files {
		if err := steps[i](filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("narrative: write %s: %w", f, err)
		}
	}
	r.Timings["output_s"] = time.Since(start).Seconds()
	m := &Manifest{Manifest: rundir.Manifest{Tool: "tahqiq narratives", Version: o.Version, CreatedAt: o.Now.UTC(),
		Versions: map[string]string{"textnorm": textnorm.Version, "textkey": textkey.Version},
		Source:   o.Source, Counts: r.Counts, Timings: r.Timings, Files: append(files, FileManifest)},
		Params: r.Params, Run: o.Groups}
	if m.Rejected == nil {
		m.Rejected = []tahqiq.Reject{}
	}
	if links != nil {
		m.Counts["linked_communities"] = int64(links.communities)
		m.Counts["coordinated_posts"] = int64(links.coordinatedPosts)
	}
	if err := rundir.WriteJSON(filepath.Join(dir, FileManifest), m); err != nil {
		return nil, fmt.Errorf("narrative: write manifest: %w", err)
	}
	return m, nil
}

func (r *Result) narrativeID(j int32) string {
	if j < 0 {
		return ""
	}
	return r.Narratives[j].ID
}

func (r *Result) familyID(f int32) string {
	if f < 0 {
		return ""
	}
	return "f:" + r.Posts[r.FamilyFirst[f]].ID
}

// Label is how people know an account of UID uid with this handle and
// name: "@handle", else its name, else the UID (as coordination runs'
// graph labels).
func Label(uid, handle, name string) string {
	switch {
	case handle != "":
		return "@" + handle
	case name != "":
		return name
	}
	return uid
}

func (r *Result) writeMembers(path string, names func(string) (string, string)) error {
	idx := make([]int, len(r.Posts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return comparePosts(&r.Posts[a], &r.Posts[b]) })
	return rundir.WriteCSV(path, []string{"post_id", "narrative_id", "family_id", "account_id", "time", "role", "inherited", "lang", "similarity", "handle", "name"}, func(w *csv.Writer) error {
		for _, i := range idx {
			m, p := &r.Members[i], &r.Posts[i]
			sim := ""
			if m.Family >= 0 {
				sim = rundir.Float(float64(m.Similarity))
			}
			handle, name := names(p.Account)
			if err := w.Write([]string{p.ID, r.narrativeID(m.Narrative), r.familyID(m.Family), p.Account, rundir.Time(p.Time, p.HasTime),
				m.Role, strconv.FormatBool(m.Inherited), m.Lang, sim, handle, name}); err != nil {
				return err
			}
		}
		return nil
	})
}

func joinCounts(cs []Count, withN bool) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Value
		if withN {
			parts[i] += ":" + strconv.Itoa(c.N)
		}
	}
	return strings.Join(parts, ";")
}

// Excerpt is a text on one line, cut to n characters.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

// Reach returns the reach of the posts members (indices into Posts):
// each post's own counts, each distinct account's followers once (by
// followers: -1 unknown).
func (r *Result) Reach(members []int32, followers func(string) int64) signals.Reach {
	var x signals.Reach
	seen := make(map[string]bool, len(members))
	for _, i := range members {
		p := &r.Posts[i]
		x.AddPost(p.Counts)
		if !seen[p.Account] {
			seen[p.Account] = true
			x.AddAccount(followers(p.Account))
		}
	}
	return x
}

func (r *Result) writeNarratives(path string, links *Links, followers func(string) int64, names func(string) (string, string)) error {
	head := []string{"narrative_id", "posts", "originals", "reposts", "families", "accounts", "languages", "first_seen", "last_seen",
		"label", "label_latin", "label_arabic", "terms", "representative_posts", "representative_text", "hashtags", "urls", "domains", "short"}
	head = append(head, signals.ReachHeader()...)
	if links != nil {
		head = append(head, "groups", "coordinated_posts", "coordinated_share")
	}
	head = append(head, "representative_accounts", "representative_authors")
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for j, n := range r.Narratives {
			var repIDs, repAccounts, repAuthors []string
			for _, i := range n.Representatives {
				p := &r.Posts[i]
				repIDs = append(repIDs, p.ID)
				handle, name := names(p.Account)
				repAccounts = append(repAccounts, p.Account)
				repAuthors = append(repAuthors, Label(p.Account, handle, name))
			}
			text := ""
			if len(n.Representatives) > 0 {
				text = Excerpt(r.Posts[n.Representatives[0]].Text, 280)
			}
			rec := []string{n.ID, strconv.Itoa(n.Posts), strconv.Itoa(n.Originals), strconv.Itoa(n.Reposts), strconv.Itoa(n.Families),
				strconv.Itoa(n.Accounts), joinCounts(n.Languages, true), rundir.Time(n.First, n.HasTime), rundir.Time(n.Last, n.HasTime),
				n.Label, n.LabelLatin, n.LabelArabic, strings.Join(n.Terms, ";"), strings.Join(repIDs, ";"), text,
				joinCounts(n.Hashtags, false), joinCounts(n.URLs, false), joinCounts(n.Domains, false), strconv.FormatBool(n.Short)}
			reach := r.Reach(n.Members, followers)
			rec = reach.AppendRecord(rec)
			if links != nil {
				g := links.perNarrative[j]
				share := 0.0
				if n.Posts > 0 {
					share = float64(g.posts) / float64(n.Posts)
				}
				rec = append(rec, strings.Join(g.groups, ";"), strconv.Itoa(g.posts), rundir.Float(share))
			}
			rec = append(rec, strings.Join(repAccounts, ";"), strings.Join(repAuthors, ";"))
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeTimeline writes posts and accounts per narrative, hour (UTC) and
// group: the community of the posting account in the linked coordination
// run, "none" for accounts outside every community, "all" without a run;
// with the reach of that hour: followers_new (Σ followers of the accounts
// whose first timed post in the narrative is in it: summed over the
// hours, the narrative's followers), views and engagements of its posts.
func (r *Result) writeTimeline(path string, groups *rundir.Communities, followers func(string) int64) error {
	type key struct {
		hour  int64
		group string
	}
	type cell struct {
		accounts  map[string]bool
		reach     signals.Reach
		followers int64
		known     bool
	}
	return rundir.WriteCSV(path, []string{"narrative_id", "hour", "group", "posts", "accounts", "followers_new", "views", "engagements"}, func(w *csv.Writer) error {
		for _, n := range r.Narratives {
			cells := map[key]*cell{}
			first := map[string]key{} // account -> the key of its first timed post
			for _, i := range n.Members {
				p := &r.Posts[i]
				if !p.HasTime {
					continue
				}
				g := "all"
				if groups != nil {
					g = "none"
					if c, ok := groups.Of[p.Account]; ok {
						g = c
					}
				}
				k := key{hourOf(p.Time), g}
				c := cells[k]
				if c == nil {
					c = &cell{accounts: map[string]bool{}}
					cells[k] = c
				}
				c.reach.AddPost(p.Counts)
				c.accounts[p.Account] = true
				if f, ok := first[p.Account]; !ok || k.hour < f.hour {
					first[p.Account] = k
				}
			}
			for a, k := range first {
				if f := followers(a); f >= 0 {
					cells[k].followers += f
					cells[k].known = true
				}
			}
			keys := make([]key, 0, len(cells))
			for k := range cells {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b key) int {
				if a.hour != b.hour {
					return int(a.hour - b.hour)
				}
				return compareGroups(a.group, b.group)
			})
			for _, k := range keys {
				c := cells[k]
				followers := ""
				if c.known {
					followers = strconv.FormatInt(c.followers, 10)
				}
				if err := w.Write([]string{n.ID, rundir.Time(k.hour, true), k.group, strconv.Itoa(int(c.reach.Posts)), strconv.Itoa(len(c.accounts)),
					followers, c.reach.Cell("views"), c.reach.Cell("engagements")}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// hourOf is the start of the UTC hour of a Unix time.
func hourOf(t int64) int64 {
	h := t / 3600 * 3600
	if t < 0 && t%3600 != 0 {
		h -= 3600
	}
	return h
}

// compareGroups orders community ids numerically when they are numbers,
// "none" last.
func compareGroups(a, b string) int {
	if a == b {
		return 0
	}
	if a == "none" {
		return 1
	}
	if b == "none" {
		return -1
	}
	x, ex := strconv.Atoi(a)
	y, ey := strconv.Atoi(b)
	if ex == nil && ey == nil {
		return x - y
	}
	return strings.Compare(a, b)
}
