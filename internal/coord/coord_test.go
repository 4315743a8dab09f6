package coord_test

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// readEvents reads an events CSV of shared/data/coord as shares, the way
// the importer maps it (platform "other", phash as image).
func readEvents(tb testing.TB, name string) []tahqiq.Share {
	tb.Helper()
	f, err := os.Open(filepath.Join(parsetest.DataDir(tb, "coord"), name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	var out []tahqiq.Share
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		t, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		typ := tahqiq.ObjectType(rec[4])
		if typ == "phash" {
			typ = tahqiq.ObjImage
		}
		out = append(out, tahqiq.Share{Type: typ, Object: rec[5], AccountID: "other:" + rec[0], PostID: "other:" + rec[1], Time: t, Precision: tahqiq.PrecisionSecond})
	}
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
		res, err := coord.Run(context.Background(), shares, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := edgeAccounts(res); got != tc.accounts || len(res.Edges) != tc.edges {
			t.Errorf("min-participation %d: %d accounts, %d edges; want %d, %d", tc.mp, got, len(res.Edges), tc.accounts, tc.edges)
		}
	}
}
