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
	if o.Groups != nil {
		links = r.Link(o.Groups)
	}
	files := []string{FileMembers, FileNarratives, FileTimeline}
	steps := []func(string) error{r.writeMembers, func(p string) error { return r.writeNarratives(p, links) }, func(p string) error { return r.writeTimeline(p, o.Groups) }}
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

func (r *Result) writeMembers(path string) error {
	idx := make([]int, len(r.Posts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return comparePosts(&r.Posts[a], &r.Posts[b]) })
	return rundir.WriteCSV(path, []string{"post_id", "narrative_id", "family_id", "account_id", "time", "role", "inherited", "lang", "similarity"}, func(w *csv.Writer) error {
		for _, i := range idx {
			m, p := &r.Members[i], &r.Posts[i]
			sim := ""
			if m.Family >= 0 {
				sim = rundir.Float(float64(m.Similarity))
			}
			if err := w.Write([]string{p.ID, r.narrativeID(m.Narrative), r.familyID(m.Family), p.Account, rundir.Time(p.Time, p.HasTime),
				m.Role, strconv.FormatBool(m.Inherited), m.Lang, sim}); err != nil {
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

func (r *Result) writeNarratives(path string, links *Links) error {
	head := []string{"narrative_id", "posts", "originals", "reposts", "families", "accounts", "languages", "first_seen", "last_seen",
		"label", "label_latin", "label_arabic", "terms", "representative_posts", "representative_text", "hashtags", "urls", "domains", "short"}
	if links != nil {
		head = append(head, "groups", "coordinated_posts", "coordinated_share")
	}
	return rundir.WriteCSV(path, head, func(w *csv.Writer) error {
		for j, n := range r.Narratives {
			var repIDs []string
			for _, i := range n.Representatives {
				repIDs = append(repIDs, r.Posts[i].ID)
			}
			text := ""
			if len(n.Representatives) > 0 {
				text = Excerpt(r.Posts[n.Representatives[0]].Text, 280)
			}
			rec := []string{n.ID, strconv.Itoa(n.Posts), strconv.Itoa(n.Originals), strconv.Itoa(n.Reposts), strconv.Itoa(n.Families),
				strconv.Itoa(n.Accounts), joinCounts(n.Languages, true), rundir.Time(n.First, n.HasTime), rundir.Time(n.Last, n.HasTime),
				n.Label, n.LabelLatin, n.LabelArabic, strings.Join(n.Terms, ";"), strings.Join(repIDs, ";"), text,
				joinCounts(n.Hashtags, false), joinCounts(n.URLs, false), joinCounts(n.Domains, false), strconv.FormatBool(n.Short)}
			if links != nil {
				g := links.perNarrative[j]
				share := 0.0
				if n.Posts > 0 {
					share = float64(g.posts) / float64(n.Posts)
				}
				rec = append(rec, strings.Join(g.groups, ";"), strconv.Itoa(g.posts), rundir.Float(share))
			}
			if err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeTimeline writes posts and accounts per narrative, hour (UTC) and
// group: the community of the posting account in the linked coordination
// run, "none" for accounts outside every community, "all" without a run.
func (r *Result) writeTimeline(path string, groups *rundir.Communities) error {
	type key struct {
		hour  int64
		group string
	}
	return rundir.WriteCSV(path, []string{"narrative_id", "hour", "group", "posts", "accounts"}, func(w *csv.Writer) error {
		for _, n := range r.Narratives {
			posts := map[key]int{}
			accts := map[key]map[string]bool{}
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
				posts[k]++
				if accts[k] == nil {
					accts[k] = map[string]bool{}
				}
				accts[k][p.Account] = true
			}
			keys := make([]key, 0, len(posts))
			for k := range posts {
				keys = append(keys, k)
			}
			slices.SortFunc(keys, func(a, b key) int {
				if a.hour != b.hour {
					return int(a.hour - b.hour)
				}
				return compareGroups(a.group, b.group)
			})
			for _, k := range keys {
				if err := w.Write([]string{n.ID, rundir.Time(k.hour, true), k.group, strconv.Itoa(posts[k]), strconv.Itoa(len(accts[k]))}); err != nil {
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
