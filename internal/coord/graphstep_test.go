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
