package coord_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// Leiden and eigenvector pruning on the Russian set (W=60 s, retweet,
// min-participation 2): the same seed gives the same communities, a pruned
// node never has a community, and pruning at the median leaves about half
// the nodes out.
func TestLeidenAndEigenPrune(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	p := coord.DefaultParams()
	p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
	p.Evidence = false
	p.Communities = "leiden"
	p.EigenPrune = 0.5
	p.Seed = 7
	run := func() *coord.GraphResult {
		res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Graph
	}
	a, b := run(), run()
	if !slices.Equal(a.Community, b.Community) {
		t.Fatal("same seed, different Leiden communities")
	}
	pruned, inComm := 0, 0
	for u := range a.Nodes {
		if a.Pruned[u] {
			pruned++
			if a.Community[u] >= 0 {
				t.Fatalf("pruned node %d has community %d", u, a.Community[u])
			}
		}
		if a.Community[u] >= 0 {
			inComm++
		}
	}
	n := len(a.Nodes)
	if n != 2110 {
		t.Fatalf("%d nodes, want 2,110 (CooRTweet rus_tw60_mp2)", n)
	}
	if pruned == 0 || pruned > n/2+1 || inComm == 0 || a.Modularity <= 0 {
		t.Errorf("pruned %d of %d nodes, %d in communities, modularity %v", pruned, n, inComm, a.Modularity)
	}
	t.Logf("%d nodes, %d pruned, %d in communities, Q=%.4f", n, pruned, inComm, a.Modularity)
}

// A cancelled run stops with the context's error instead of a result.
func TestRunCancelled(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := coord.Run(ctx, coord.Data{Shares: shares}, coord.DefaultParams(), nil)
	if err != context.Canceled || res != nil {
		t.Fatalf("Run(cancelled) = %v, %v; want nil, context.Canceled", res, err)
	}
}

// TestDefaultFlags: the default parameters flag as CooRTweet's
// generate_coordinated_network does by default (edge_weight 0.5): the
// edges heavier than the median weight (R's type-7 quantile at 0.5,
// computed here the plain way: the middle weight, or the mean of the two
// middle ones), strictly; and the communities are those of the flagged
// subgraph (CooRTweet's subgraph = 1): an account has one exactly when it
// has a flagged edge. On the Russian set (W = 60 s, retweet,
// min-participation 2: CooRTweet's 3,721 edges).
func TestDefaultFlags(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	p := coord.DefaultParams()
	if p.Percentile != 0.5 {
		t.Fatalf("default percentile %v, want CooRTweet's 0.5", p.Percentile)
	}
	p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
	p.Evidence = false
	res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws := make([]float64, len(res.Edges))
	for i, e := range res.Edges {
		ws[i] = e.Weight
	}
	slices.Sort(ws)
	n := len(ws)
	median := ws[n/2]
	if n%2 == 0 {
		median = (ws[n/2-1] + ws[n/2]) / 2
	}
	flagged, withFlag := 0, map[int32]bool{}
	for _, e := range res.Edges {
		if e.Flagged != (e.Weight > median) {
			t.Fatalf("edge of weight %v flagged %v; the median is %v", e.Weight, e.Flagged, median)
		}
		if e.Flagged {
			flagged++
			withFlag[e.A], withFlag[e.B] = true, true
		}
	}
	if n != 3721 || flagged == 0 || flagged >= n/2+1 || res.Counts["flagged_edges"] != int64(flagged) {
		t.Fatalf("%d edges, %d flagged (manifest %d); want 3,721 edges, fewer than half flagged", n, flagged, res.Counts["flagged_edges"])
	}
	g := res.Graph
	inComm := 0
	for u, a := range g.Nodes {
		if (g.Community[u] >= 0) != withFlag[a] {
			t.Fatalf("account %s: community %d, a flagged edge %v", res.Account(a), g.Community[u], withFlag[a])
		}
		if g.Community[u] >= 0 {
			inComm++
		}
	}
	t.Logf("median weight %v: %d of %d edges flagged, %d of %d accounts in communities, Q = %.4f", median, flagged, n, inComm, len(g.Nodes), g.Modularity)
}
