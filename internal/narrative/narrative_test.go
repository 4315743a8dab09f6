package narrative_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/narrative"
	"github.com/tahqiq/tahqiq/internal/rundir"
	"github.com/tahqiq/tahqiq/internal/signals"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The hand-made multilingual fixture (testdata/posts.csv): one story told
// in English, Roman Urdu and Urdu script with the edits copies carry.
func TestGroupFixture(t *testing.T) {
	posts := readFixture(t, "testdata/posts.csv")
	r, err := narrative.Group(context.Background(), posts, narrative.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	narrativeOf := map[string]string{}
	for i, m := range r.Members {
		if m.Narrative >= 0 {
			narrativeOf[posts[i].ID] = r.Narratives[m.Narrative].ID
		}
	}
	same := [][]string{
		{"x:1", "x:2", "x:3", "x:13"}, // prefix, hashtag, link, mention, dropped words; x:13 reposts x:2
		{"x:1", "x:4", "x:5"},         // English and Roman Urdu share form, 45, na56, officer ...; hay/hai, dia/diya
		{"x:6", "x:7"},                // Urdu script: افسر/آفیسر, ۔/،
		{"x:8", "x:9"},
		{"x:10", "x:11"}, // Adiala/Adiyala, aaj/aj, sy/se
		{"x:8", "x:10"},  // English and its Roman Urdu translation: names, vote, jail, and today/aaj through the glossary (textkey v2)
		{"x:14", "x:15"}, // hashtags only: exact copies, a short narrative
	}
	for _, g := range same {
		for _, id := range g[1:] {
			if narrativeOf[id] == "" || narrativeOf[id] != narrativeOf[g[0]] {
				t.Errorf("%s in narrative %q, %s in %q: want one narrative", id, narrativeOf[id], g[0], narrativeOf[g[0]])
			}
		}
	}
	apart := [][2]string{{"x:1", "x:8"}, {"x:6", "x:8"}} // other stories stay apart
	for _, p := range apart {
		if narrativeOf[p[0]] == narrativeOf[p[1]] {
			t.Errorf("%s and %s in one narrative %q: want two", p[0], p[1], narrativeOf[p[0]])
		}
	}
	if narrativeOf["x:12"] != "" {
		t.Errorf("x:12 (a post alone) listed in %q", narrativeOf["x:12"])
	}
	dir := t.TempDir()
	groups, err := rundir.ReadCommunities("testdata/coordrun")
	if err != nil {
		t.Fatal(err)
	}
	// reach: the counts of a few posts as an X v2 export gives them (the
	// repost x:13 repeats x:2's counts and adds none), followers of some
	// accounts (a1 and a2 known, a3 not)
	counts := map[string]map[string]int64{
		"x:1":  {"views": 1000, "likes": 10, "reposts": 2, "replies": 1},
		"x:2":  {"views": 500, "likes": 5, "reposts": 7, "quotes": 1, "bookmarks": 3},
		"x:13": {"views": 500, "likes": 5, "reposts": 7},
		"x:4":  {"likes": 3},
	}
	for i := range r.Posts {
		p := &r.Posts[i]
		if c := counts[p.ID]; c != nil {
			kind := tahqiq.KindOriginal
			if p.Repost {
				kind = tahqiq.KindRepost
			}
			p.Counts = signals.CountsOf(&tahqiq.Post{Platform: "x", Kind: kind, Metrics: c})
		}
	}
	followers := map[string]int64{"x:a1": 120, "x:a2": 30000, "x:a4": 7, "x:b1": 50}
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	// names of some accounts (x:a2 has only a display name, in Urdu; the
	// others none: their UID stands for them among representatives)
	names := map[string][2]string{"x:a1": {"ali_pti", "Ali Raza"}, "x:a2": {"", "زمل خان"}, "x:b1": {"b_one", "B, \"one\""}}
	m, err := r.WriteDir(dir, narrative.WriteOptions{Version: "test", Now: now, Groups: groups, Followers: func(a string) int64 {
		if f, ok := followers[a]; ok {
			return f
		}
		return -1
	}, Names: func(a string) (string, string) { return names[a][0], names[a][1] }})
	if err != nil {
		t.Fatal(err)
	}
	if m.Counts["linked_communities"] != 2 {
		t.Errorf("linked communities = %d, want 2", m.Counts["linked_communities"])
	}
	for _, f := range []string{narrative.FileMembers, narrative.FileNarratives, narrative.FileTimeline, narrative.FileGroups, narrative.FileGroupIndex} {
		golden(t, filepath.Join(dir, f), filepath.Join("testdata", "golden", f))
	}
}

func golden(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(want, g, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(w), string(g)); diff != "" {
		t.Errorf("%s differs from %s (-want +got):\n%s", got, want, diff)
	}
}

// The same posts in another order, on one worker or four, give the same
// narratives.
func TestDeterministic(t *testing.T) {
	posts := synthPosts(3000, 40, 7)
	p := narrative.DefaultParams()
	p.Workers = 1
	a, err := narrative.Group(context.Background(), posts, p)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(posts)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	p.Workers = 4
	b, err := narrative.Group(context.Background(), shuffled, p)
	if err != nil {
		t.Fatal(err)
	}
	of := func(r *narrative.Result) map[string]string {
		out := map[string]string{}
		for i, m := range r.Members {
			if m.Narrative >= 0 {
				out[r.Posts[i].ID] = r.Narratives[m.Narrative].ID + "|" + r.Narratives[m.Narrative].Label
			}
		}
		return out
	}
	if diff := cmp.Diff(of(a), of(b)); diff != "" {
		t.Errorf("another order or worker count changed the narratives (-a +b):\n%s", diff)
	}
	if len(a.Narratives) == 0 {
		t.Fatal("no narratives")
	}
}

// On the synthetic workload (stories copied with edits), narratives match
// the planted stories: B-cubed precision and recall above 0.9.
func TestSyntheticStories(t *testing.T) {
	posts := synthPosts(5000, 50, 11)
	r, err := narrative.Group(context.Background(), posts, narrative.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]string{}
	got := map[string]string{}
	for i, p := range posts {
		truth[p.ID] = strings.SplitN(p.Account, "-", 2)[0]
		if m := r.Members[i]; m.Narrative >= 0 {
			got[p.ID] = r.Narratives[m.Narrative].ID
		} else {
			got[p.ID] = "alone:" + p.ID
		}
	}
	prec, rec := bcubed(truth, got)
	t.Logf("synthetic: %d posts, %d narratives, B-cubed precision %.3f recall %.3f", len(posts), len(r.Narratives), prec, rec)
	if prec < 0.9 || rec < 0.9 {
		t.Errorf("B-cubed precision %.3f, recall %.3f: want both >= 0.9", prec, rec)
	}
}

// bcubed returns B-cubed precision and recall (Bagga and Baldwin 1998) of
// a clustering against the truth, over the items of truth.
func bcubed(truth, got map[string]string) (float64, float64) {
	byT, byG := map[string][]string{}, map[string][]string{}
	for id, c := range truth {
		byT[c] = append(byT[c], id)
		byG[got[id]] = append(byG[got[id]], id)
	}
	var p, r float64
	for id := range truth {
		tc, gc := truth[id], got[id]
		inter := 0
		for _, o := range byG[gc] {
			if truth[o] == tc {
				inter++
			}
		}
		p += float64(inter) / float64(len(byG[gc]))
		r += float64(inter) / float64(len(byT[tc]))
	}
	n := float64(len(truth))
	return p / n, r / n
}
