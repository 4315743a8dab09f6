package claims_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq/internal/claims"
	"github.com/tahqiq/tahqiq/internal/claims/evalset"
)

// BenchmarkFind matches the labelled set's 42 claims against n posts: the
// set's posts and its shared negatives, cycled, each with a distinct
// number appended (so that no two are equal), at 10k and 100k posts; the
// time per post should stay about flat (matching is linear in the posts
// sharing a claim's keys). The figures are in docs/benchmarks.md.
func BenchmarkFind(b *testing.B) {
	set, err := evalset.Load(true)
	if err != nil {
		b.Skipf("the labelled set's shared negatives need ../shared/data: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(set.Dir, "claims.csv"))
	if err != nil {
		b.Fatal(err)
	}
	cls, _, err := claims.ParseCSV(data, claims.Source{File: "claims.csv"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10_000, 100_000} {
		posts := make([]claims.Post, n)
		for i := range posts {
			p := set.Posts[i%len(set.Posts)]
			posts[i] = claims.Post{ID: fmt.Sprintf("b:%d", i), Text: fmt.Sprintf("%s %d", p.Text, i)}
		}
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			var r *claims.Result
			for i := 0; i < b.N; i++ {
				if r, err = claims.Find(context.Background(), cls, posts, claims.DefaultParams()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/post")
			b.ReportMetric(float64(len(r.Matches)), "matches")
		})
	}
}
