package coord_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/textnorm"
)

func sh(typ tahqiq.ObjectType, obj, acc, post string, t int64) tahqiq.Share {
	return tahqiq.Share{Type: typ, Object: obj, AccountID: acc, PostID: post, Time: t, Precision: tahqiq.PrecisionSecond}
}

func run(t *testing.T, shares []tahqiq.Share, mod func(*coord.Params)) *coord.Result {
	t.Helper()
	p := coord.DefaultParams()
	p.MinParticipation = 1
	mod(&p)
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func edgeList(res *coord.Result) []string {
	var out []string
	for i := range res.Edges {
		out = append(out, res.EdgeLine(&res.Edges[i]))
	}
	return out
}

// Peer defects turned into test cases (coordination.md §4).
func TestPeerDefects(t *testing.T) {
	tests := []struct {
		name   string
		shares []tahqiq.Share
		mod    func(*coord.Params)
		want   []string // "a-b:weight"
	}{
		{"an empty URL is never an object (CNT #46)", []tahqiq.Share{
			sh(tahqiq.ObjURL, "", "a", "p1", 0), sh(tahqiq.ObjURL, "", "b", "p2", 1)}, nil, nil},
		{"a post with two objects keeps both (CNT drops duplicated message ids)", []tahqiq.Share{
			sh(tahqiq.ObjRetweet, "o1", "a", "p1", 0), sh(tahqiq.ObjRetweet, "o2", "a", "p1", 0),
			sh(tahqiq.ObjRetweet, "o1", "b", "p2", 5), sh(tahqiq.ObjRetweet, "o2", "b", "p3", 5)}, nil, []string{"a-b:2"}},
		{"url and domain with the same value do not collide (CooRTweet reproduce_examples)", []tahqiq.Share{
			sh(tahqiq.ObjURL, "3498", "a", "p1", 0), sh(tahqiq.ObjDomain, "3498", "b", "p2", 1)}, nil, nil},
		{"objects with exactly two shares count (CASOS get_pairs)", []tahqiq.Share{
			sh(tahqiq.ObjHashtag, "x", "a", "p1", 0), sh(tahqiq.ObjHashtag, "x", "b", "p2", 60)}, nil, []string{"a-b:1"}},
		{"the window is inclusive and one second more is out", []tahqiq.Share{
			sh(tahqiq.ObjHashtag, "x", "a", "p1", 0), sh(tahqiq.ObjHashtag, "x", "b", "p2", 60), sh(tahqiq.ObjHashtag, "x", "c", "p3", 121)},
			nil, []string{"a-b:1"}},
		{"one account never pairs with itself", []tahqiq.Share{
			sh(tahqiq.ObjURL, "u", "a", "p1", 0), sh(tahqiq.ObjURL, "u", "a", "p2", 1)}, nil, nil},
		{"a share whose post is the object is a loop", []tahqiq.Share{
			sh(tahqiq.ObjRetweet, "9", "a", "x:9", 0), sh(tahqiq.ObjRetweet, "9", "b", "x:10", 3)}, nil, nil},
		{"a one-day-late reshare is not fast (Luceri .dt.seconds)", []tahqiq.Share{
			sh(tahqiq.ObjText, "t", "orig", "x:1", 0),
			sh(tahqiq.ObjRetweet, "1", "a", "x:2", 86400+5), sh(tahqiq.ObjRetweet, "1", "b", "x:3", 86400+6)},
			func(p *coord.Params) { p.WindowKind = coord.FastReshare; p.Window = 10 }, nil},
		{"fast reshares of one author pair up", []tahqiq.Share{
			sh(tahqiq.ObjText, "t", "orig", "x:1", 0),
			sh(tahqiq.ObjRetweet, "1", "a", "x:2", 5), sh(tahqiq.ObjRetweet, "1", "b", "x:3", 6)},
			func(p *coord.Params) { p.WindowKind = coord.FastReshare; p.Window = 10 }, []string{"a-b:1"}},
		{"tumbling bins split shares one second apart (CooRnet)", []tahqiq.Share{
			sh(tahqiq.ObjURL, "u", "a", "p1", 0), sh(tahqiq.ObjURL, "u", "b", "p2", 59), sh(tahqiq.ObjURL, "u", "c", "p3", 60)},
			func(p *coord.Params) { p.WindowKind = coord.Tumbling; p.Window = 60 }, []string{"a-b:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mod := tc.mod
			if mod == nil {
				mod = func(*coord.Params) {}
			}
			res := run(t, tc.shares, mod)
			var got []string
			for _, e := range res.Edges {
				got = append(got, fmt.Sprintf("%s-%s:%g", res.Account(e.A), res.Account(e.B), e.Weight))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("edges %v, want %v", got, tc.want)
			}
		})
	}
}

// The evidence table re-aggregates exactly into every weight and column.
func TestEvidenceReaggregates(t *testing.T) {
	if testing.Short() {
		t.Skip("evidence re-aggregated over every scenario: not in -short (go test ./..., as CI runs it, does)")
	}
	shares := readEvents(t, "german_elections_2021.events.csv")
	for _, weight := range []string{coord.WeightPairs, coord.WeightMessages, coord.WeightObjects, coord.WeightCollab} {
		res := run(t, shares, func(p *coord.Params) { p.Window = 30; p.MinParticipation = 2; p.Weight = weight; p.Graph = false })
		type agg struct {
			pairs        int64
			objects      map[string]bool
			postsA       map[string]bool
			postsB       map[string]bool
			sumDt, minDt int64
		}
		byPair := map[string]*agg{}
		objAccounts := map[string]map[string]bool{}
		res.Evidence(func(r coord.EvidenceRow) error {
			k := r.AccountA + " " + r.AccountB
			a := byPair[k]
			if a == nil {
				a = &agg{objects: map[string]bool{}, postsA: map[string]bool{}, postsB: map[string]bool{}, minDt: math.MaxInt64}
				byPair[k] = a
			}
			a.pairs++
			o := r.ObjectType + "\x00" + r.Object
			a.objects[o] = true
			a.postsA[r.PostA], a.postsB[r.PostB] = true, true
			a.sumDt += r.Dt()
			a.minDt = min(a.minDt, r.Dt())
			if objAccounts[o] == nil {
				objAccounts[o] = map[string]bool{}
			}
			objAccounts[o][r.AccountA], objAccounts[o][r.AccountB] = true, true
			return nil
		})
		if len(byPair) != len(res.Edges) || len(res.Edges) == 0 {
			t.Fatalf("%s: %d evidence pairs, %d edges", weight, len(byPair), len(res.Edges))
		}
		for i := range res.Edges {
			e := &res.Edges[i]
			a := byPair[res.Account(e.A)+" "+res.Account(e.B)]
			collab := 0.0
			for o := range a.objects {
				collab += 1 / float64(len(objAccounts[o])-1)
			}
			var want float64
			switch weight {
			case coord.WeightPairs:
				want = float64(a.pairs)
			case coord.WeightMessages:
				want = float64(max(len(a.postsA), len(a.postsB)))
			case coord.WeightObjects:
				want = float64(len(a.objects))
			case coord.WeightCollab:
				want = collab
			}
			if a.pairs != e.Pairs || len(a.objects) != int(e.Objects) || len(a.postsA) != int(e.PostsA) || len(a.postsB) != int(e.PostsB) ||
				a.sumDt != e.SumDt || a.minDt != e.MinDt || math.Abs(want-e.Weight) > 1e-9 {
				t.Fatalf("%s: edge %s-%s does not re-aggregate: %+v vs evidence %+v (weight %v want %v)", weight, res.Account(e.A), res.Account(e.B), *e, *a, e.Weight, want)
			}
		}
	}
}

// Results depend neither on input order nor on the number of workers.
func TestOrderAndWorkersIndependent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs in shuffled orders and worker counts (about 5 s): not in -short (go test ./..., as CI runs it, does)")
	}
	shares := readEvents(t, "german_elections_2021.events.csv")
	mod := func(workers int) func(*coord.Params) {
		return func(p *coord.Params) {
			p.Window = 30
			p.MinParticipation = 2
			p.Workers = workers
			p.Weight = coord.WeightCollab
			p.Percentile = 0.5
		}
	}
	base := edgeList(run(t, shares, mod(1)))
	shuffled := slices.Clone(shares)
	rng := rand.New(rand.NewPCG(5, 6))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, w := range []int{1, 2, 4, 7} {
		got := edgeList(run(t, shuffled, mod(w)))
		if !slices.Equal(base, got) {
			t.Fatalf("workers %d on shuffled input: %d edges differ from %d", w, len(got), len(base))
		}
	}
	if len(base) == 0 {
		t.Fatal("no edges")
	}
}

func TestWriteDirAndReadEvidence(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	res := run(t, shares, func(p *coord.Params) { p.MinParticipation = 2; p.Weight = coord.WeightMessages })
	dir := t.TempDir()
	m, err := res.WriteDir(dir, "test", coord.Source{Inputs: []coord.Input{{Name: "russian_coord_tweets.events.csv", Source: "file"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	e := res.Edges[len(res.Edges)/2]
	a, b := res.Account(e.A), res.Account(e.B)
	rows, err := coord.ReadEvidence(filepath.Join(dir, "evidence.csv.gz"), b, a)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != e.Pairs || !slices.Equal(rows, res.PairEvidence(a, b)) {
		t.Fatalf("evidence of %s-%s: %d rows from the file, %d pairs", a, b, len(rows), e.Pairs)
	}
}

// ExampleRun: two pairs of accounts; with the default parameters the one
// heavier than the median weight (CooRTweet's edge_weight 0.5) is flagged.
func ExampleRun() {
	shares := []tahqiq.Share{
		{Type: tahqiq.ObjURL, Object: "https://example.org/fake-form-45", AccountID: "x:a", PostID: "x:1", Time: 1000},
		{Type: tahqiq.ObjURL, Object: "https://example.org/fake-form-45", AccountID: "x:b", PostID: "x:2", Time: 1012},
		{Type: tahqiq.ObjURL, Object: "https://example.org/fake-form-45", AccountID: "x:c", PostID: "x:3", Time: 5000},
		{Type: tahqiq.ObjHashtag, Object: "rigged", AccountID: "x:a", PostID: "x:1", Time: 1000},
		{Type: tahqiq.ObjHashtag, Object: "rigged", AccountID: "x:b", PostID: "x:2", Time: 1012},
		{Type: tahqiq.ObjHashtag, Object: "rigged", AccountID: "x:c", PostID: "x:3", Time: 5000},
		{Type: tahqiq.ObjHashtag, Object: "rigged", AccountID: "x:d", PostID: "x:4", Time: 5030},
	}
	p := coord.DefaultParams()
	p.Window = 60
	p.MinParticipation = 1
	p.Graph = false
	res, _ := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	for i := range res.Edges {
		fmt.Println(strings.Join(strings.Split(res.EdgeLine(&res.Edges[i]), ",")[:9], ","))
	}
	// Output:
	// x:a,x:b,2,true,2,2,1,1,12
	// x:c,x:d,1,false,1,1,1,0,30
}

// TestDropped: what a run leaves out of its shares and texts is counted by
// reason, and the manifest records it with the reader's own counts and the
// text normaliser's version.
func TestDropped(t *testing.T) {
	shares := []tahqiq.Share{
		sh(tahqiq.ObjRetweet, "100", "a", "x:100", 0), // the original of a retweet: a loop
		sh(tahqiq.ObjRetweet, "100", "b", "x:101", 5),
		sh(tahqiq.ObjRetweet, "100", "c", "x:102", 6),
		sh(tahqiq.ObjRetweet, "100", "c", "x:102", 6), // exact duplicate
		sh(tahqiq.ObjHashtag, "h", "b", "x:101", 5),   // not compared
		sh(tahqiq.ObjRetweet, "", "d", "x:103", 7),    // empty object
	}
	texts := []coord.TextPost{
		{PostID: "x:201", AccountID: "a", Time: 0, Text: "one two three four five six"},
		{PostID: "x:202", AccountID: "b", Time: 9, Text: "one two three four five six"},
		{PostID: "x:202", AccountID: "b", Time: 9, Text: "one two three four five six"}, // again
		{PostID: "x:203", AccountID: "c", Time: 9, Text: "too short"},
	}
	p := coord.DefaultParams()
	p.MinParticipation = 1
	p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet, coord.ObjNearText}
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares, Texts: texts}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"loops": 1, "duplicate_rows": 1, "other_types": 1, "empty_objects": 1, "near_text_short": 1, "near_text_repeated": 1}
	for k, n := range want {
		if res.Dropped[k] != n {
			t.Errorf("Dropped[%s] = %d, want %d (all: %v)", k, res.Dropped[k], n, res.Dropped)
		}
	}
	if res.Counts["pairs"] != 2 { // b-c on retweet 100, a-b on the near-text pair
		t.Errorf("%d pairs, want 2", res.Counts["pairs"])
	}
	src := coord.Source{Inputs: []coord.Input{{Name: "f.csv", Path: "/abs/f.csv", SHA256: "00", Source: "file"}}, Format: "generic_csv",
		Map: "id=i,account=a,time=t", Options: map[string]string{"k": "v"},
		Rejected: []tahqiq.Reject{{File: "f.csv", Line: 3, Reason: "no id"}}, RejectedCount: 1,
		Dropped: map[string]int64{"duplicate_records": 4, "loops": 2}}
	m, err := res.WriteDir(t.TempDir(), "test", src)
	if err != nil {
		t.Fatal(err)
	}
	if m.Textnorm != textnorm.Version || m.Format != "generic_csv" || m.Map != src.Map || m.Options["k"] != "v" || m.RejectedCount != 1 || len(m.Rejected) != 1 || m.Inputs[0].Path != "/abs/f.csv" {
		t.Errorf("manifest = %+v", m)
	}
	if m.Dropped["duplicate_records"] != 4 || m.Dropped["loops"] != 3 || m.Dropped["near_text_short"] != 1 {
		t.Errorf("manifest dropped = %v, want the reader's and the run's counts summed", m.Dropped)
	}
}
