package coord_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

func nearParams(w int64) coord.Params {
	p := coord.DefaultParams()
	p.Types = []tahqiq.ObjectType{coord.ObjNearText}
	p.Window = w
	p.MinParticipation = 1
	p.Graph = false
	return p
}

// TestNearTextMatchesBruteForce compares the near-text pairs with an
// exhaustive comparison of every pair of posts of two accounts
// within the window (what CNT's co_similar_tweet computes), on the real
// IRA election-week posts: the similarity join must miss none.
func TestNearTextMatchesBruteForce(t *testing.T) {
	texts := coordtest.IRATexts(t)
	windows := []int64{60, 3600}
	if testing.Short() {
		windows = windows[:1] // the hour's brute force takes seconds
	}
	for _, w := range windows {
		p := nearParams(w)
		res, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		type pair struct{ a, b string }
		var got []pair
		if err := res.Evidence(func(r coord.EvidenceRow) error {
			a, b := r.PostA, r.PostB
			if b < a {
				a, b = b, a
			}
			got = append(got, pair{a, b})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Brute force: every pair within the window.
		var docs []coord.TextPost
		for _, tp := range texts {
			if coord.TokenCount(tp.Text) >= p.MinTokens {
				docs = append(docs, tp)
			}
		}
		slices.SortFunc(docs, func(a, b coord.TextPost) int { return int(a.Time - b.Time) })
		var want []pair
		for i := range docs {
			for j := i + 1; j < len(docs) && docs[j].Time-docs[i].Time <= w; j++ {
				if docs[i].AccountID == docs[j].AccountID {
					continue
				}
				if coord.JaccardString(docs[i].Text, docs[j].Text) >= p.Jaccard {
					a, b := docs[i].PostID, docs[j].PostID
					if b < a {
						a, b = b, a
					}
					want = append(want, pair{a, b})
				}
			}
		}
		cmpPair := func(x, y pair) int {
			if x.a != y.a {
				if x.a < y.a {
					return -1
				}
				return 1
			}
			if x.b < y.b {
				return -1
			} else if x.b > y.b {
				return 1
			}
			return 0
		}
		slices.SortFunc(got, cmpPair)
		slices.SortFunc(want, cmpPair)
		if len(want) == 0 {
			t.Fatalf("W=%d: brute force found no near-duplicate pairs; the test checks nothing", w)
		}
		if !slices.Equal(got, want) {
			t.Errorf("W=%d: near-text pairs: got %d, want %d (brute force)", w, len(got), len(want))
		}
		t.Logf("W=%ds: %d near-text pairs, %d edges", w, len(got), len(res.Edges))
	}
}

// A near-text group is not transitive: A~B and B~C do not pair A with C
// when their own similarity is under the threshold.
func TestNearTextNotTransitive(t *testing.T) {
	a := "one two three four five six seven eight nine ten"
	b := "one two three four five six seven eight nine eleven"
	c := "one two three four five six seven eight twelve eleven"
	texts := []coord.TextPost{
		{PostID: "x:1", AccountID: "x:a", Time: 0, Text: a},
		{PostID: "x:2", AccountID: "x:b", Time: 1, Text: b},
		{PostID: "x:3", AccountID: "x:c", Time: 2, Text: c},
		{PostID: "x:4", AccountID: "x:d", Time: 3, Text: "entirely different words in this short post"},
	}
	p := nearParams(60)
	p.Jaccard = 0.8
	// J(a,b) = 9/11 = 0.82, J(b,c) = 9/11, J(a,c) = 8/12 = 0.67
	res, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Edges {
		got = append(got, res.Account(e.A)+"-"+res.Account(e.B))
	}
	want := []string{"x:a-x:b", "x:b-x:c"}
	if !slices.Equal(got, want) {
		t.Errorf("near-text edges = %v, want %v", got, want)
	}
	// Short texts are left out.
	p.MinTokens = 11
	res, err = coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Edges) != 0 {
		t.Errorf("with --min-tokens 11: %d edges, want 0", len(res.Edges))
	}
}

func BenchmarkNearTextIRA(b *testing.B) {
	texts := coordtest.IRATexts(b)
	p := nearParams(3600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleRun_nearText() {
	texts := []coord.TextPost{
		{PostID: "x:1", AccountID: "x:a", Time: 1000, Text: "The results in constituency NA-54 were changed overnight, share before they delete"},
		{PostID: "x:2", AccountID: "x:b", Time: 1030, Text: "the results in constituency NA-54 were changed overnight!! share before they delete @someone"},
		{PostID: "x:3", AccountID: "x:c", Time: 1040, Text: "Polling went smoothly in our constituency today, long queues but calm"},
	}
	p := coord.DefaultParams()
	p.Types = []tahqiq.ObjectType{coord.ObjNearText}
	p.MinParticipation = 1
	p.Graph = false
	res, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range res.Edges {
		e := &res.Edges[i]
		fmt.Println(res.Account(e.A), res.Account(e.B), e.Weight, e.MinDt)
	}
	fmt.Printf("jaccard(1,2) = %.2f\n", coord.JaccardString(texts[0].Text, texts[1].Text))
	// Output:
	// x:a x:b 1 30
	// jaccard(1,2) = 1.00
}

// TestNearTextPartitionedEqualsRun: near-text through the partitioned
// engines (pairs gathered, partials reduced) equals the run in process exactly, edges
// and evidence, on the IRA election-week texts; a partitioner that skipped
// the objects' similarity test would not, so the token sets travel and
// are used.
func TestNearTextPartitionedEqualsRun(t *testing.T) {
	ira := coordtest.IRATexts(t)
	campaign := coordtest.Templates(coordtest.TemplateConfig{Posts: 1500, Families: 4, Accounts: 300, Span: 3 * 3600, Swaps: 3, Slots: 40, Seed: 3})
	ctx := context.Background()
	differs := false
	for _, c := range []struct {
		name  string
		texts []coord.TextPost
		w     int64
	}{{"IRA", ira, 60}, {"IRA", ira, 3600}, {"template campaign", campaign, 600}} {
		texts, w := c.texts, c.w
		p := nearParams(w)
		p.Weight = coord.WeightCollab // depends on the groups, not only on the pairs
		want, err := coord.Run(ctx, coord.Data{Texts: texts}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		we, wv := coordtest.Records(t, want)
		if len(we) == 0 {
			t.Fatalf("%s, window %d: no near-text edges; the comparison would prove nothing", c.name, w)
		}
		for name, run := range map[string]func() (*coord.Result, error){
			"pairs path, 3 partitions": func() (*coord.Result, error) {
				return coord.Run(ctx, coord.Data{Texts: texts}, p, coord.Partitioned(hashPartitioner{3, 1}))
			},
			"reduce path, 3 maps, 2 reduces": func() (*coord.Result, error) {
				return coord.Run(ctx, coord.Data{Texts: texts}, p, coord.Reduced(hashReducer{3, 2, 50}))
			},
		} {
			got, err := run()
			if err != nil {
				t.Fatal(err)
			}
			ge, gv := coordtest.Records(t, got)
			if !slices.Equal(we, ge) || !slices.Equal(wv, gv) {
				t.Fatalf("%s, window %d, %s: %d edges and %d evidence rows, want %d and %d", c.name, w, name, len(ge), len(gv), len(we), len(wv))
			}
		}
		loose, err := coord.Run(ctx, coord.Data{Texts: texts}, p, coord.Partitioned(hashPartitioner{3, 0}))
		if err != nil {
			t.Fatal(err)
		}
		differs = differs || loose.Counts["pairs"] > want.Counts["pairs"]
		t.Logf("%s, window %d: %d edges, %d pairs (%d without the similarity test)", c.name, w, len(we), want.Counts["pairs"], loose.Counts["pairs"])
	}
	if !differs {
		t.Error("skipping the similarity test changes no window's pairs: the comparison proves nothing")
	}
}

// TestNearTextTemplatesMatchBruteForce: on families of posts written from
// templates (the way copy-paste campaigns look: many posts alike, their
// similarities spread on both sides of the threshold), near-text finds
// exactly what an exhaustive comparison finds, for every window kind: each
// pair of posts of two accounts whose Jaccard similarity is at least J,
// in the object of the posts' group, where a group is a connected
// component of the links between posts with a Jaccard of at least J posted
// within W of each other (docs/coord.md, Near-text).
func TestNearTextTemplatesMatchBruteForce(t *testing.T) {
	cfg := coordtest.TemplateConfig{Posts: 6000, Families: 12, Accounts: 400, Span: 6 * 3600, Swaps: 3, Slots: 40, Seed: 7}
	if testing.Short() {
		cfg.Posts, cfg.Families = 1500, 5
	}
	texts := coordtest.Templates(cfg)
	texts = append(texts, texts[10], texts[20]) // a post id twice counts once
	bf := newBruteNear(texts, 5, 0.8)
	if bf.similar < 1000 {
		t.Fatalf("only %d similar pairs: the families are not template-like", bf.similar)
	}
	tests := []struct {
		kind string
		w    int64
	}{
		{coord.Sliding, 0}, {coord.Sliding, 60}, {coord.Sliding, 600}, {coord.Sliding, 3600},
		{coord.Tumbling, 300}, {coord.FromFirst, 1800}, {coord.Sliding, coord.NoWindow},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %d", tc.kind, tc.w), func(t *testing.T) {
			p := nearParams(tc.w)
			p.WindowKind = tc.kind
			res, err := coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if err := res.Evidence(func(r coord.EvidenceRow) error {
				got = append(got, nearRow(r.Object, r.PostA, r.PostB))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want := bf.pairs(tc.kind, tc.w)
			slices.Sort(got)
			slices.Sort(want)
			if len(want) == 0 {
				t.Fatal("brute force found no pair: the case checks nothing")
			}
			postsOnly := func(rows []string) []string {
				out := make([]string, len(rows))
				for i, r := range rows {
					out[i] = r[strings.IndexByte(r, ' ')+1:]
				}
				slices.Sort(out)
				return out
			}
			if g, w := postsOnly(got), postsOnly(want); !slices.Equal(g, w) {
				missing, extra := diffSorted(w, g)
				t.Errorf("%d near-text post pairs, want %d (brute force): %d missing (e.g. %v), %d not wanted (e.g. %v)",
					len(g), len(w), len(missing), first(missing, 3), len(extra), first(extra, 3))
			}
			if !slices.Equal(got, want) {
				missing, extra := diffSorted(want, got)
				t.Fatalf("%d near-text pairs, want %d (brute force): %d missing (e.g. %v), %d not wanted (e.g. %v)",
					len(got), len(want), len(missing), first(missing, 3), len(extra), first(extra, 3))
			}
			t.Logf("%d pairs", len(got))
		})
	}
}

// bruteNear is the exhaustive comparison: every pair of posts, their
// Jaccard similarity computed on the words themselves (not on coord's
// token hashes).
type bruteNear struct {
	docs    []coord.TextPost
	similar int
	links   [][3]int64 // i, j, |dt| of every pair with J >= thr, i < j
}

func newBruteNear(texts []coord.TextPost, minTokens int, thr float64) *bruteNear {
	b := &bruteNear{}
	seen := map[string]bool{}
	var sets [][]string
	for _, tp := range texts {
		words := textnorm.Tokens(textnorm.Text(tp.Text))
		slices.Sort(words)
		words = slices.Compact(words)
		if seen[tp.PostID] || len(words) < minTokens {
			continue
		}
		seen[tp.PostID] = true
		b.docs = append(b.docs, tp)
		sets = append(sets, words)
	}
	for i := range b.docs {
		for j := i + 1; j < len(b.docs); j++ {
			inter := 0
			for x, y := 0, 0; x < len(sets[i]) && y < len(sets[j]); {
				switch {
				case sets[i][x] == sets[j][y]:
					inter++
					x++
					y++
				case sets[i][x] < sets[j][y]:
					x++
				default:
					y++
				}
			}
			if float64(inter)/float64(len(sets[i])+len(sets[j])-inter) >= thr {
				dt := b.docs[i].Time - b.docs[j].Time
				b.links = append(b.links, [3]int64{int64(i), int64(j), max(dt, -dt)})
				b.similar++
			}
		}
	}
	return b
}

// pairs returns the near-text evidence the definition gives for a window:
// groups are the components of the links within w; a pair of a group's
// posts by two accounts is kept when it is linked (similar) and falls in
// the window as the kind reads it (from the group's first post for
// tumbling and from-first).
func (b *bruteNear) pairs(kind string, w int64) []string {
	n := len(b.docs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	for _, l := range b.links {
		if l[2] <= w {
			parent[find(int(l[0]))] = find(int(l[1]))
		}
	}
	name := map[int]string{}
	start := map[int]int64{}
	for i, d := range b.docs {
		r := find(i)
		if s, ok := name[r]; !ok || d.PostID < s {
			name[r] = d.PostID
		}
		if s, ok := start[r]; !ok || d.Time < s {
			start[r] = d.Time
		}
	}
	var out []string
	for _, l := range b.links {
		x, y := b.docs[l[0]], b.docs[l[1]]
		r := find(int(l[0]))
		if r != find(int(l[1])) || x.AccountID == y.AccountID {
			continue
		}
		t0 := start[r]
		var in bool
		switch kind {
		case coord.Tumbling:
			in = (x.Time-t0)/w == (y.Time-t0)/w
		case coord.FromFirst:
			in = x.Time-t0 <= w && y.Time-t0 <= w
		default:
			in = l[2] <= w
		}
		if in {
			out = append(out, nearRow("near:"+name[r], x.PostID, y.PostID))
		}
	}
	return out
}

func nearRow(object, a, b string) string {
	if b < a {
		a, b = b, a
	}
	return object + " " + a + " " + b
}

// diffSorted returns what is in a and not in b, and what is in b and not
// in a (both sorted).
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	for i, j := 0, 0; i < len(a) || j < len(b); {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// BenchmarkNearTextTemplate: one copy-paste campaign of 100,000 posts
// (one template of 8 to 24 words, up to 3 words swapped per post, 2,000
// accounts, spread over 24 hours), near-text at J = 0.8, the detection
// without the graph step. The exhaustive comparison would look at 5e9
// pairs; candidates/op is what the join looked at.
func BenchmarkNearTextTemplate(b *testing.B) {
	texts := coordtest.Templates(coordtest.TemplateConfig{Posts: 100000, Families: 1, Accounts: 2000, Span: 24 * 3600, Swaps: 3, Slots: 40, Seed: 1})
	for _, w := range []int64{60, 600} {
		b.Run(fmt.Sprintf("W=%ds", w), func(b *testing.B) {
			p := nearParams(w)
			b.ReportAllocs()
			var res *coord.Result
			for b.Loop() {
				var err error
				if res, err = coord.Run(context.Background(), coord.Data{Texts: texts}, p, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Counts["pairs"]), "pairs")
			b.ReportMetric(float64(res.Counts["near_text_candidates"]), "candidates")
			b.ReportMetric(res.Timings["near_text_s"], "near_text_s")
		})
	}
}
