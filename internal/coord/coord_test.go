package coord_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// readEvents reads an events CSV of shared/data/coord as shares, the way
// the importer maps it (platform "other", phash as image).
func readEvents(tb testing.TB, name string) []tahqiq.Share {
	tb.Helper()
	return parsetest.ReadEvents(tb, name)
}

func edgeAccounts(res *coord.Result) int {
	seen := map[int32]bool{}
	for _, e := range res.Edges {
		seen[e.A], seen[e.B] = true, true
	}
	return len(seen)
}

// The published counts of coordination.md §5 (CooRTweet rus_tw60_mp2 and
// rus_tw60_mp1; CNT co_retweet gives the same 6,206 edges and weights).
func TestRussianPublishedCounts(t *testing.T) {
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	tests := []struct {
		mp              int
		accounts, edges int
	}{
		{2, 2110, 3721},
		{1, 3954, 6206},
	}
	for _, tc := range tests {
		p := coord.DefaultParams()
		p.Types = []tahqiq.ObjectType{tahqiq.ObjRetweet}
		p.Window = 60
		p.MinParticipation = tc.mp
		p.Graph = false
		res, err := coord.Run(context.Background(), coord.Data{Shares: shares}, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := edgeAccounts(res); got != tc.accounts || len(res.Edges) != tc.edges {
			t.Errorf("min-participation %d: %d accounts, %d edges; want %d, %d", tc.mp, got, len(res.Edges), tc.accounts, tc.edges)
		}
	}
}
