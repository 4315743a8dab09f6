package claims_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/claims/evalset"
)

var update = flag.Bool("update", false, "rewrite golden files")

// wilson is the 95% Wilson score interval of k successes in n.
func wilson(k, n int) (float64, float64) {
	if n == 0 {
		return 0, 0
	}
	z, p, fn := 1.96, float64(k)/float64(n), float64(n)
	c := (p + z*z/(2*fn)) / (1 + z*z/fn)
	h := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn)) / (1 + z*z/fn)
	return max(0, c-h), min(1, c+h)
}

func ratio(k, n int) string {
	if n == 0 {
		return "   -  (0/0)"
	}
	lo, hi := wilson(k, n)
	return fmt.Sprintf("%.2f (%d/%d, 95%% CI %.2f-%.2f)", float64(k)/float64(n), k, n, lo, hi)
}

// TestEvaluation measures claim matching on the labelled set
// (testdata/eval, README.md there) with the start parameters, and keeps
// the figures in testdata/eval/figures-claims.txt: the test fails when
// they change (run with -update after a deliberate change, and update
// docs/benchmarks.md).
func TestEvaluation(t *testing.T) {
	set, err := evalset.Load(true)
	if err != nil {
		t.Skipf("the labelled set's shared negatives need ../shared/data: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(set.Dir, "claims.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cls, rejects, err := claims.ParseCSV(data, claims.Source{File: "claims.csv"})
	if err != nil || len(rejects) > 0 || len(cls) != len(set.Claims) {
		t.Fatalf("ParseCSV(claims.csv) = %d claims, rejects %v, %v; want %d", len(cls), rejects, err, len(set.Claims))
	}
	story := map[string]string{}
	for _, c := range set.Claims {
		story[c.URL] = c.Story
	}
	var posts []claims.Post
	for _, p := range set.Posts {
		posts = append(posts, claims.Post{ID: p.ID, Text: p.Text})
	}
	var out strings.Builder
	fmt.Fprintf(&out, "claim matching on the labelled set: %d claims, %d posts (%d of them shared negatives), textkey %s\n\n",
		len(cls), len(posts), set.Shared, "v1")
	// every pair scored, to sweep the threshold
	p := claims.DefaultParams()
	sweep := p
	sweep.Suggest, sweep.Link = 0.05, 0.05
	r, err := claims.Find(context.Background(), cls, posts, sweep)
	if err != nil {
		t.Fatal(err)
	}
	type pair struct{ claim, post int }
	score := map[pair]float64{}
	status := map[pair]string{}
	for _, m := range r.Matches {
		score[pair{m.Claim, m.Post}] = m.Score
		short := m.Short || m.Numbers == "differ"
		st := ""
		switch {
		case m.Score >= p.Link && !short:
			st = claims.StatusLink
		case m.Score >= p.Suggest:
			st = claims.StatusSuggest
		}
		status[pair{m.Claim, m.Post}] = st
	}
	positive := func(c, i int) bool {
		pp := set.Posts[i]
		return pp.Kind == "repeat" && pp.Story == story[cls[c].URL]
	}
	// groups of posts for the breakdown
	groups := []struct {
		name string
		in   func(evalset.Post) bool
	}{
		{"all posts", func(evalset.Post) bool { return true }},
		{"real posts (quoted, translations, shared)", func(p evalset.Post) bool { return p.Origin != "project" }},
		{"English posts", func(p evalset.Post) bool { return p.Lang == "en" }},
		{"Roman Urdu posts (project renderings + RUHSOLD negatives)", func(p evalset.Post) bool { return p.Lang == "ur-Latn" }},
		{"Urdu-script posts", func(p evalset.Post) bool { return p.Lang == "ur" }},
		{"Hindi posts", func(p evalset.Post) bool { return p.Lang == "hi" }},
	}
	count := func(in func(evalset.Post) bool, hit func(pair) bool) (tp, fp, fn int) {
		for c := range cls {
			for i := range set.Posts {
				if !in(set.Posts[i]) {
					continue
				}
				k := pair{c, i}
				switch pos, h := positive(c, i), hit(k); {
				case pos && h:
					tp++
				case !pos && h:
					fp++
				case pos && !h:
					fn++
				}
			}
		}
		return
	}
	for _, level := range []struct {
		name string
		hit  func(pair) bool
	}{
		{fmt.Sprintf("suggested or linked (score >= %g)", p.Suggest), func(k pair) bool { return status[k] != "" }},
		{fmt.Sprintf("linked (score >= %g, >= %d words, numbers agreeing)", p.Link, p.MinWords), func(k pair) bool { return status[k] == claims.StatusLink }},
	} {
		fmt.Fprintf(&out, "%s:\n", level.name)
		for _, g := range groups {
			tp, fp, fn := count(g.in, level.hit)
			fmt.Fprintf(&out, "  %-58s precision %-32s recall %s\n", g.name, ratio(tp, tp+fp), ratio(tp, tp+fn))
		}
		fmt.Fprintln(&out)
	}
	// the same at the default thresholds with every language compared
	// (--langs any): what the skeleton keys give English claims against
	// Urdu-script and Roman Urdu posts, and what that costs
	anyLang := p
	anyLang.Langs = claims.LangsAny
	ra, err := claims.Find(context.Background(), cls, posts, anyLang)
	if err != nil {
		t.Fatal(err)
	}
	statusAny := map[pair]string{}
	for _, m := range ra.Matches {
		statusAny[pair{m.Claim, m.Post}] = m.Status
	}
	fmt.Fprintf(&out, "suggested or linked with --langs any (every post compared with every claim):\n")
	for _, g := range groups {
		tp, fp, fn := count(g.in, func(k pair) bool { return statusAny[k] != "" })
		fmt.Fprintf(&out, "  %-58s precision %-32s recall %s\n", g.name, ratio(tp, tp+fp), ratio(tp, tp+fn))
	}
	fmt.Fprintln(&out)
	fmt.Fprintf(&out, "threshold sweep (all posts; a pair counts when its score reaches the threshold):\n")
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.875, 0.95} {
		tp, fp, fn := count(func(evalset.Post) bool { return true }, func(k pair) bool { s, ok := score[k]; return ok && s >= th })
		fmt.Fprintf(&out, "  %5.3f  precision %-32s recall %s\n", th, ratio(tp, tp+fp), ratio(tp, tp+fn))
	}
	// the false positives at the suggestion level, for the record
	var fps []string
	for k, st := range status {
		if st != "" && !positive(k.claim, k.post) {
			fps = append(fps, fmt.Sprintf("  %s x %s (%s, %s) score %.3f", idOf(set, cls[k.claim].URL), set.Posts[k.post].ID, set.Posts[k.post].Kind, set.Posts[k.post].Lang, score[k]))
		}
	}
	slices.Sort(fps)
	fmt.Fprintf(&out, "\nfalse positives at the suggestion level:\n%s\n", strings.Join(fps, "\n"))
	got := out.String()
	t.Log("\n" + got)
	path := filepath.Join(set.Dir, "figures-claims.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run Evaluation -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("the figures changed (-want +got); if on purpose, run with -update and update docs/benchmarks.md:\n%s", diff)
	}
}

func idOf(set *evalset.Set, url string) string {
	for _, c := range set.Claims {
		if c.URL == url {
			return c.ID
		}
	}
	return url
}
