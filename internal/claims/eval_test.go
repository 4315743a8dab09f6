package claims_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/claims/evalset"
	"github.com/tahqiq/tahqiq/internal/textkey"
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
	fmt.Fprintf(&out, "claim matching on the labelled set: %d claims, %d posts (%d of them shared negatives), textkey v%s\n",
		len(cls), len(posts), set.Shared, textkey.Version)
	{
		nc, np, npos := map[string]int{}, map[string]int{}, map[string]int{}
		// the fresh stories were added after the methods were frozen
		for _, c := range set.Claims {
			nc[evalset.Half(c.Story)]++
			for _, p := range set.Posts {
				if p.Kind == "repeat" && p.Story == c.Story {
					npos[evalset.Half(c.Story)]++
				}
			}
		}
		for _, p := range set.Posts {
			if p.Origin != "shared" {
				np[evalset.Half(p.Story)]++
			}
		}
		fmt.Fprintf(&out, "halves by story (evalset.Half): dev %d claims x %d posts of its stories, %d positive pairs; test %d claims x %d posts, %d positive pairs; fresh (added after the textkey v2 methods were frozen) %d claims x %d posts, %d positive pairs; new (added after feedback and textkey v3 were frozen) %d claims x %d posts, %d positive pairs; each with the %d shared negatives\n\n",
			nc["dev"], np["dev"], npos["dev"], nc["test"], np["test"], npos["test"], nc["fresh"], np["fresh"], npos["fresh"], nc["new"], np["new"], npos["new"], set.Shared)
	}
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
		short := m.Short || m.Numbers == "differ" || m.Via == "feedback" // feedback is suggested at most
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
	// the operating point chosen on the dev half: the lowest threshold
	// (the most recall) whose dev precision is at least 0.9; reported on
	// the test half and the whole set
	claimHalf := func(c int) string { return evalset.Half(storyOf(set, cls[c].URL)) }
	inHalf := func(h string) func(c, i int) bool {
		return func(c, i int) bool {
			return h == "" || claimHalf(c) == h && (set.Posts[i].Origin == "shared" || evalset.Half(set.Posts[i].Story) == h)
		}
	}
	countPairs := func(in func(c, i int) bool, hit func(pair) bool) (tp, fp, fn int) {
		for c := range cls {
			for i := range set.Posts {
				if !in(c, i) {
					continue
				}
				switch pos, h := positive(c, i), hit(pair{c, i}); {
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
	at := func(th float64) func(pair) bool {
		return func(k pair) bool { s, ok := score[k]; return ok && s >= th }
	}
	chosen := p.Suggest
	halves := []string{"dev", "test", "fresh", "new", ""}
	// the same without feedback (--seed 0), for comparison
	nofb := sweep
	nofb.Seed = 0
	r0, err := claims.Find(context.Background(), cls, posts, nofb)
	if err != nil {
		t.Fatal(err)
	}
	score0 := map[pair]float64{}
	for _, m := range r0.Matches {
		score0[pair{m.Claim, m.Post}] = m.Score
	}
	fmt.Fprintf(&out, "\nthreshold sweep by half without feedback (--seed 0; a half: its claims with its stories' posts and every shared negative; whole: every pair):\n")
	for th := 0.30; th < 0.951; th += 0.05 {
		th = math.Round(th*100) / 100
		line := fmt.Sprintf("  %4.2f", th)
		for _, h := range halves {
			tp, fp, fn := countPairs(inHalf(h), func(k pair) bool { s, ok := score0[k]; return ok && s >= th })
			line += fmt.Sprintf("  %s P %.2f R %.2f (%d/%d, %d/%d)", cmp.Or(h, "whole"), float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn)), tp, tp+fp, tp, tp+fn)
		}
		fmt.Fprintln(&out, line)
	}
	fmt.Fprintf(&out, "\nthreshold sweep by half with feedback (--seed %g --seeds %d, the defaults):\n", p.Seed, p.Seeds)
	for th := 0.30; th < 0.951; th += 0.05 {
		th = math.Round(th*100) / 100
		line := fmt.Sprintf("  %4.2f", th)
		for _, h := range halves {
			tp, fp, fn := countPairs(inHalf(h), at(th))
			line += fmt.Sprintf("  %s P %.2f R %.2f (%d/%d, %d/%d)", cmp.Or(h, "whole"), float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, tp+fn)), tp, tp+fp, tp, tp+fn)
		}
		fmt.Fprintln(&out, line)
	}
	fmt.Fprintf(&out, "\noperating point: the default --suggest %.2f with --seed %g --seeds %d, chosen on dev (TestChooseOnDev, choice-claims-dev.txt)\n", chosen, p.Seed, p.Seeds)
	for _, h := range halves {
		for _, g := range groups {
			in := inHalf(h)
			tp, fp, fn := countPairs(func(c, i int) bool { return in(c, i) && g.in(set.Posts[i]) }, at(chosen))
			if tp+fp+fn == 0 {
				continue
			}
			fmt.Fprintf(&out, "  %-6s %-58s precision %-32s recall %s\n", cmp.Or(h, "whole"), g.name, ratio(tp, tp+fp), ratio(tp, tp+fn))
		}
	}
	// the false positives at the suggestion level and at the chosen
	// point, for the record
	var fps []string
	for k, s := range score {
		if s >= min(chosen, p.Suggest) && !positive(k.claim, k.post) {
			fps = append(fps, fmt.Sprintf("  %s x %s (%s, %s, %s) score %.3f", idOf(set, cls[k.claim].URL), set.Posts[k.post].ID, set.Posts[k.post].Kind, set.Posts[k.post].Lang, claimHalf(k.claim)+"/"+evalset.Half(set.Posts[k.post].Story), s))
		}
	}
	slices.Sort(fps)
	fmt.Fprintf(&out, "\nfalse positives from score %.2f (claim half/post half):\n%s\n", min(chosen, p.Suggest), strings.Join(fps, "\n"))
	// the missed positives at the chosen point
	var misses []string
	for c := range cls {
		for i := range set.Posts {
			if positive(c, i) && score[pair{c, i}] < chosen {
				misses = append(misses, fmt.Sprintf("  %s x %s (%s, %s) score %.3f", idOf(set, cls[c].URL), set.Posts[i].ID, set.Posts[i].Lang, claimHalf(c), score[pair{c, i}]))
			}
		}
	}
	slices.Sort(misses)
	fmt.Fprintf(&out, "\nmissed positives below %.2f (the reasons: README.md):\n%s\n", chosen, strings.Join(misses, "\n"))
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
	if diff := gocmp.Diff(string(want), got); diff != "" {
		t.Errorf("the figures changed (-want +got); if on purpose, run with -update and update docs/benchmarks.md:\n%s", diff)
	}
}

func storyOf(set *evalset.Set, url string) string {
	for _, c := range set.Claims {
		if c.URL == url {
			return c.Story
		}
	}
	return ""
}

func idOf(set *evalset.Set, url string) string {
	for _, c := range set.Claims {
		if c.URL == url {
			return c.ID
		}
	}
	return url
}
