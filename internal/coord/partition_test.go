package coord_test

import (
	"context"
	"hash/fnv"
	"slices"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// hashPartitioner computes the pairs on n goroutines, each taking the
// objects whose hash falls in its partition: the distribution the stream
// path uses, without the network.
type hashPartitioner struct {
	n       int
	jaccard float64 // 1: apply the objects' near-text test; 0: skip it (to show it matters)
}

func (h hashPartitioner) Pairs(ctx context.Context, kind string, window int64, objs []coord.ObjectShares) ([][]coord.PairPos, error) {
	out := make([][]coord.PairPos, len(objs))
	var wg sync.WaitGroup
	for part := range h.n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, o := range objs {
				f := fnv.New32a()
				f.Write([]byte(string(o.Type) + "\x00" + o.Object))
				if int(f.Sum32()%uint32(h.n)) == part {
					out[i] = coord.ObjectPairs(kind, window, o.Rows, o.Jaccard*h.jaccard)
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// TestPartitionedEqualsRun: for every weight and window kind, with the
// min-participation rule on, the partitioned path gives Run's edges,
// weights, flags and communities exactly.
func TestPartitionedEqualsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("the partitioned path over every scenario (about 12 s): not in -short (go test ./..., as CI runs it, does)")
	}
	shares := readEvents(t, "russian_coord_tweets.events.csv")
	german := readEvents(t, "german_elections_2021.events.csv")
	for _, tc := range []struct {
		name string
		mod  func(*coord.Params)
	}{
		{"pairs sliding 60 s (CooRTweet)", func(p *coord.Params) { p.MinParticipation = 2 }},
		{"messages", func(p *coord.Params) { p.Weight = coord.WeightMessages; p.MinParticipation = 2 }},
		{"objects", func(p *coord.Params) { p.Weight = coord.WeightObjects }},
		{"collab, 30 s, percentile 0.5", func(p *coord.Params) { p.Weight = coord.WeightCollab; p.Window = 30; p.Percentile = 0.5 }},
		{"tfidf", func(p *coord.Params) { p.Weight = coord.WeightTFIDF }},
		{"tumbling", func(p *coord.Params) { p.WindowKind = coord.Tumbling; p.MinParticipation = 2 }},
		{"from first", func(p *coord.Params) { p.WindowKind = coord.FromFirst }},
	} {
		sets := []struct {
			name   string
			shares []tahqiq.Share
		}{{"russian", shares}, {"german", german}}
		if testing.Short() {
			sets = sets[:1] // the German set through three partitionings takes seconds
		}
		for _, data := range sets {
			t.Run(tc.name+"/"+data.name, func(t *testing.T) {
				p := coord.DefaultParams()
				p.MinParticipation = 1
				tc.mod(&p)
				want, err := coord.Run(context.Background(), coord.Data{Shares: data.shares}, p, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range []int{1, 3, 8} {
					got, err := coord.Run(context.Background(), coord.Data{Shares: data.shares}, p, coord.Partitioned(hashPartitioner{n, 1}))
					if err != nil {
						t.Fatal(err)
					}
					if a, b := edgeList(want), edgeList(got); !slices.Equal(a, b) {
						t.Fatalf("%d partitions: %d edges, want %d (first difference at %d)", n, len(b), len(a), firstDiff(a, b))
					}
					if want.Counts["pairs"] != got.Counts["pairs"] || want.Counts["flagged_edges"] != got.Counts["flagged_edges"] {
						t.Fatalf("%d partitions: counts %v, want %v", n, got.Counts, want.Counts)
					}
					if want.Graph != nil && !slices.Equal(want.Graph.Community, got.Graph.Community) {
						t.Fatalf("%d partitions: communities differ", n)
					}
				}
				if len(edgeList(want)) == 0 {
					t.Fatal("no edges: the comparison proves nothing")
				}
			})
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
