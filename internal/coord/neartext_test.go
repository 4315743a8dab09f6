package coord_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/coord/coordtest"
)

func nearParams(w int64) coord.Params {
	p := coord.DefaultParams()
	p.Types = []tahqiq.ObjectType{coord.ObjNearText}
	p.Window = w
	p.MinParticipation = 1
	p.Graph = false
	return p
}

// TestNearTextMatchesBruteForce compares the MinHash/LSH near-text pairs
// with an exhaustive comparison of every pair of posts of two accounts
// within the window (what CNT's co_similar_tweet computes), on the real
// IRA election-week posts: the candidates of the LSH must miss none.
func TestNearTextMatchesBruteForce(t *testing.T) {
	texts := coordtest.IRATexts(t)
	for _, w := range []int64{60, 3600} {
		p := nearParams(w)
		res, err := coord.RunText(context.Background(), nil, texts, p, nil)
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
	res, err := coord.RunText(context.Background(), nil, texts, p, nil)
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
	res, err = coord.RunText(context.Background(), nil, texts, p, nil)
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
		if _, err := coord.RunText(context.Background(), nil, texts, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleRunText() {
	texts := []coord.TextPost{
		{PostID: "x:1", AccountID: "x:a", Time: 1000, Text: "The results in constituency NA-54 were changed overnight, share before they delete"},
		{PostID: "x:2", AccountID: "x:b", Time: 1030, Text: "the results in constituency NA-54 were changed overnight!! share before they delete @someone"},
		{PostID: "x:3", AccountID: "x:c", Time: 1040, Text: "Polling went smoothly in our constituency today, long queues but calm"},
	}
	p := coord.DefaultParams()
	p.Types = []tahqiq.ObjectType{coord.ObjNearText}
	p.MinParticipation = 1
	p.Graph = false
	res, err := coord.RunText(context.Background(), nil, texts, p, nil)
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
// paths (pairs gathered, partials reduced) equals RunText exactly, edges
// and evidence, on the IRA election-week texts; a partitioner that skipped
// the objects' similarity test would not, so the token sets travel and
// are used.
func TestNearTextPartitionedEqualsRun(t *testing.T) {
	texts := coordtest.IRATexts(t)
	ctx := context.Background()
	differs := false
	for _, w := range []int64{60, 3600} {
		p := nearParams(w)
		want, err := coord.RunText(ctx, nil, texts, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		we, wv := coordtest.Records(t, want)
		if len(we) == 0 {
			t.Fatalf("window %d: no near-text edges; the comparison would prove nothing", w)
		}
		for name, run := range map[string]func() (*coord.Result, error){
			"pairs path, 3 partitions": func() (*coord.Result, error) {
				return coord.RunPartitionedText(ctx, nil, texts, p, nil, hashPartitioner{3, 1})
			},
			"reduce path, 3 maps, 2 reduces": func() (*coord.Result, error) {
				return coord.RunReducedText(ctx, nil, texts, p, nil, hashReducer{3, 2, 50})
			},
		} {
			got, err := run()
			if err != nil {
				t.Fatal(err)
			}
			ge, gv := coordtest.Records(t, got)
			if !slices.Equal(we, ge) || !slices.Equal(wv, gv) {
				t.Fatalf("window %d, %s: %d edges and %d evidence rows, want %d and %d", w, name, len(ge), len(gv), len(we), len(wv))
			}
		}
		loose, err := coord.RunPartitionedText(ctx, nil, texts, p, nil, hashPartitioner{3, 0})
		if err != nil {
			t.Fatal(err)
		}
		differs = differs || loose.Counts["pairs"] > want.Counts["pairs"]
		t.Logf("window %d: %d edges, %d pairs (%d without the similarity test)", w, len(we), want.Counts["pairs"], loose.Counts["pairs"])
	}
	if !differs {
		t.Error("skipping the similarity test changes no window's pairs: the comparison proves nothing")
	}
}
