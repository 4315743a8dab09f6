package claims_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/claims"
)

func matchFixture(t *testing.T) *claims.Result {
	t.Helper()
	cs, _, err := claims.Parse(read(t, "simple.csv"), claims.Source{File: "simple.csv"})
	if err != nil {
		t.Fatal(err)
	}
	ts := func(s string) int64 { tm, _ := time.Parse(time.RFC3339, s); return tm.Unix() }
	posts := []claims.Post{
		{ID: "x:1", Account: "x:a", Platform: "x", PlatformID: "1", Time: ts("2024-02-09T10:00:00Z"), HasTime: true,
			Text: "BREAKING: Form 45 of NA-56 was changed by the returning officer! #RiggedElection"},
		{ID: "x:2", Account: "x:b", Platform: "x", PlatformID: "2", Time: ts("2024-02-09T11:00:00Z"), HasTime: true,
			Text: "NA-56 ka Form 45 returning officer ne badal diya, ye dhandli hai"},
		{ID: "x:3", Account: "x:c", Platform: "x", PlatformID: "3", Time: ts("2024-02-09T12:00:00Z"), HasTime: true,
			Text: "Form 45 of NA-57 was changed by the returning officer, we have the proof here"},
		{ID: "x:4", Account: "x:d", Platform: "x", PlatformID: "4", Time: ts("2024-02-12T12:00:00Z"), HasTime: true,
			Text: "It is false that Form 45 of NA-56 was changed by the returning officer"},
		{ID: "x:5", Account: "x:e", Platform: "x", PlatformID: "5", Text: "Form 45 changed"},
		{ID: "x:9", Account: "x:u", Platform: "x", PlatformID: "9", Text: "look at this"},
		{ID: "x:10", Account: "x:f", Platform: "x", PlatformID: "10", Text: "Polling stations in Lahore stayed open late because of long queues"},
	}
	r, err := claims.Find(context.Background(), cs, posts, claims.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFind(t *testing.T) {
	r := matchFixture(t)
	type row struct {
		Post, Status, Via, Numbers string
		Short                      bool
	}
	var got []row
	for _, m := range r.Matches {
		got = append(got, row{r.Posts[m.Post].ID, m.Status, m.Via, m.Numbers, m.Short})
	}
	want := []row{
		{"x:1", "link", "text", "agree", false},        // a copy with a prefix and a hashtag
		{"x:4", "link", "text", "agree", false},        // a debunk quoting the claim matches too (documented pitfall)
		{"x:9", "link", "appearance", "missing", true}, // the review names x.com/u/status/9
		{"x:2", "suggest", "text", "agree", false},     // Roman Urdu, code-mixed: suggested
		{"x:3", "suggest", "text", "differ", false},    // another constituency (NA-57): never linked
	}
	// x:5 ("Form 45 changed") carries half the claim and is too short to be
	// scored by its own words; x:10 is another story
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	dir := t.TempDir()
	names := map[string][2]string{"x:d": {"dhandli_watch", "دھاندلی واچ"}, "x:b": {"", "Bilal, Lahore"}} // x:u and x:c: none
	if _, err := r.WriteDir(dir, claims.WriteOptions{Version: "test", Now: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		Names: func(a string) (string, string) { return names[a][0], names[a][1] }}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{claims.FileMatches, claims.FileClaims} {
		g, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", f)
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, g, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if diff := cmp.Diff(string(w), string(g)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", f, diff)
		}
	}
}

// The keys of textkey v2 and the shared-words scaling, pair by pair
// (docs/narratives.md, Matching).
func TestFindEvidence(t *testing.T) {
	tests := []struct {
		name, claim, lang, post string
		matched                 []string
		shared                  int
		scaled                  bool // the score is max(coverages) x shared/4
	}{
		{"translation through the glossary", "General elections are not possible within three months", "en",
			"teen mahine mein general elections mumkin nahi", []string{"general", "elections", "=three", "=months"}, 4, false},
		{"an inflection and a script through the root", "Imran Khan casting his vote in Adiala jail", "en",
			"عمران خان نے اڈیالہ جیل میں ووٹ کاسٹ کیا", []string{"~imran", "~khan", "~casting", "~vote", "~adiala", "~jail"}, 6, false},
		{"little shared evidence is scaled down", "Returning officer changed Form 45 of NA-56 in Lahore", "en",
			"Lahore officer seen near polling station today", []string{"officer", "lahore"}, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cl := claims.Claim{URL: "https://example.org/fc", ClaimReviewed: tc.claim, Language: tc.lang}
			p := claims.DefaultParams()
			p.Suggest, p.Link = 0.01, 0.01
			r, err := claims.Find(context.Background(), []claims.Claim{cl}, []claims.Post{{ID: "x:1", Text: tc.post}, {ID: "x:2", Text: "unrelated words about cricket"}}, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Matches) != 1 {
				t.Fatalf("%d matches, want 1: %+v", len(r.Matches), r.Matches)
			}
			m := r.Matches[0]
			if diff := cmp.Diff(tc.matched, m.Matched); diff != "" || m.Shared != tc.shared {
				t.Errorf("matched (-want +got):\n%s; shared %d, want %d", diff, m.Shared, tc.shared)
			}
			base := max(m.ClaimCoverage, m.PostCoverage) // every post here has 4 content words or more
			want := base
			if tc.scaled {
				want = base * float64(tc.shared) / 4
			}
			if math.Abs(m.Score-want) > 1e-9 {
				t.Errorf("score %.4f, want %.4f (claim coverage %.4f, post coverage %.4f)", m.Score, want, m.ClaimCoverage, m.PostCoverage)
			}
		})
	}
}

// Feedback finds a post that repeats a claim's best match in words the
// fact-checker did not use, says which seed it came through and what it
// shares with it, and never links it; without feedback it is missed.
func TestFeedback(t *testing.T) {
	cls := []claims.Claim{{URL: "https://factcheck.example.org/jail-vote", Language: "en",
		ClaimReviewed: "A photo shows the jailed former prime minister Imran Khan casting his vote inside Adiala Jail"}}
	posts := []claims.Post{
		{ID: "x:1", Text: "Jailed Imran Khan has cast his vote inside Adiala Jail"},                                                                   // the claim's words: a seed
		{ID: "x:2", Text: "Imran Khan ne Adiala jail mein vote cast kar diya, Sheikh Rasheed aur Bushra Bibi ne bhi vote cast kiya, NA 47 Islamabad"}, // repeats the seed
		{ID: "x:3", Text: "Sheikh Rasheed says the Adiala Jail visit was cancelled by the jail superintendent on Monday"},                             // shares names only
		{ID: "x:4", Text: "Polling stations in Lahore stayed open late because of long queues"},
	}
	for i := 0; i < 40; i++ { // a background for the idf
		posts = append(posts, claims.Post{ID: fmt.Sprintf("b:%d", i), Text: fmt.Sprintf("the weather in city %d was hot and dry today", i)})
	}
	p := claims.DefaultParams()
	r, err := claims.Find(context.Background(), cls, posts, p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]claims.Match{}
	for _, m := range r.Matches {
		got[r.Posts[m.Post].ID] = m
	}
	if m, ok := got["x:1"]; !ok || m.Via != "text" || m.Score < p.Seed {
		t.Fatalf("x:1 = %+v, want a text match of score >= %g (a seed)", m, p.Seed)
	}
	m, ok := got["x:2"]
	if !ok || m.Via != "feedback" || r.Posts[m.Seed].ID != "x:1" || m.Status != claims.StatusSuggest {
		t.Fatalf("x:2 = %+v, want a suggestion via feedback from x:1", m)
	}
	if want := got["x:1"].Score * m.SeedScore; math.Abs(m.Score-want) > 1e-9 {
		t.Errorf("x:2 score %g, want the seed's score x its score for the seed = %g", m.Score, want)
	}
	if diff := cmp.Diff([]string{"jailed", "imran", "khan", "cast", "vote", "adiala"}, m.SeedTerms); diff != "" {
		t.Errorf("x:2 seed terms (-want +got):\n%s", diff)
	}
	for _, id := range []string{"x:3", "x:4"} {
		if m, ok := got[id]; ok {
			t.Errorf("%s matched: %+v", id, m)
		}
	}
	if r.Counts["feedback"] != 1 {
		t.Errorf("counts: %v, want feedback 1", r.Counts)
	}
	p.Seed = 0
	r0, err := claims.Find(context.Background(), cls, posts, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r0.Matches {
		if r0.Posts[m.Post].ID == "x:2" {
			t.Errorf("without feedback x:2 matched: %+v (the fixture no longer tests feedback)", m)
		}
	}
	// a seed below the suggestion threshold is refused
	p = claims.DefaultParams()
	p.Seed = p.Suggest / 2
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("Validate(seed %g < suggest %g) = %v, want an error naming seed", p.Seed, p.Suggest, err)
	}
}
