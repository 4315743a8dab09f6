package signals_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// synthPosts makes n posts of n/20 accounts with heavy-tailed activity
// over 60 days: 30% reposts, 10% replies, links, one of three clients,
// an author view on every post (a rename for one account in 50) and a
// mention by id on one post in four. Fixed seed.
func synthPosts(n int) []tahqiq.Post {
	rng := rand.New(rand.NewPCG(17, 2024))
	accounts := max(n/20, 1)
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.2, 1, uint64(accounts-1))
	clients := []string{"Twitter for Android", "Twitter Web App", "Twitter for iPhone"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	ps := make([]tahqiq.Post, n)
	for i := range ps {
		a := int(zipf.Uint64())
		id := strconv.Itoa(i)
		p := &ps[i]
		*p = tahqiq.Post{UID: "x:" + id, Platform: "x", PlatformID: id, AuthorUID: "x:" + strconv.Itoa(a),
			CreatedAt: time.Unix(start+rng.Int64N(60*86400), 0).UTC(), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindOriginal,
			Client: clients[(a+i%7/6)%3]}
		switch r := rng.IntN(10); {
		case r < 3:
			p.Kind = tahqiq.KindRepost
		case r < 4:
			p.Kind = tahqiq.KindReply
		}
		if rng.IntN(3) == 0 {
			p.Links = []tahqiq.Link{{URL: "https://t.co/x"}}
		}
		handle := "user" + strconv.Itoa(a)
		if a%50 == 0 && rng.IntN(2) == 0 {
			handle = "renamed" + strconv.Itoa(a)
		}
		p.Author = &tahqiq.Profile{Handle: handle, Name: "User " + strconv.Itoa(a), Followers: int64(a%1000 + rng.IntN(10)), Following: 100, PostsCount: 5000}
		if rng.IntN(4) == 0 {
			m := int(zipf.Uint64())
			p.Mentions = []tahqiq.Entity{{Text: "user" + strconv.Itoa(m), ID: strconv.Itoa(m)}}
		}
	}
	return ps
}

// BenchmarkBuilder feeds 100,000 and 1,000,000 posts and their accounts'
// profiles to a Builder and computes every account's row.
func BenchmarkBuilder(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		ps := synthPosts(n)
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var bl signals.Builder
				for a := range n / 20 {
					bl.Account(tahqiq.Account{UID: "x:" + strconv.Itoa(a), Platform: "x", Handle: "user" + strconv.Itoa(a), CreatedAt: time.Unix(1.5e9, 0),
						Followers: int64(a % 1000), Following: 100, PostsCount: 5000})
				}
				for i := range ps {
					bl.Post(&ps[i])
				}
				rows := bl.Rows()
				if len(rows) == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

// BenchmarkPost feeds 1,000,000 posts, as a coordination run's read
// does, with the author found by its UID (Post) or by the dense index a
// coord.Collector gives it (PostAt): "synth", synthPosts' (50,000
// accounts, heavy-tailed, with author views, mentions and clients), and
// "csv", posts as `tahqiq synth`'s CSV gives them (150,000 accounts
// chosen uniformly, a time and nothing else: the 3M run's accounts, each
// post's author a cache miss).
func BenchmarkPost(b *testing.B) {
	const n = 1_000_000
	csv := make([]tahqiq.Post, n)
	rng := rand.New(rand.NewPCG(5, 6))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range csv {
		csv[i] = tahqiq.Post{UID: "p" + strconv.Itoa(i), Platform: "generic", AuthorUID: "generic:a" + strconv.Itoa(rng.IntN(150_000)),
			CreatedAt: time.Unix(start+rng.Int64N(30*86400), 0).UTC(), Precision: tahqiq.PrecisionSecond, Kind: tahqiq.KindOriginal}
	}
	for _, set := range []struct {
		name string
		ps   []tahqiq.Post
	}{{"synth", synthPosts(n)}, {"csv", csv}} {
		ps := set.ps
		index := map[string]int{}
		ids := make([]int, n)
		for i := range ps {
			id, ok := index[ps[i].AuthorUID]
			if !ok {
				id = len(index)
				index[ps[i].AuthorUID] = id
			}
			ids[i] = id
		}
		for _, byIndex := range []bool{false, true} {
			name := set.name + "/uid"
			if byIndex {
				name = set.name + "/index"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var bl signals.Builder
					for i := range ps {
						if byIndex {
							bl.PostAt(ids[i], &ps[i])
						} else {
							bl.Post(&ps[i])
						}
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
			})
		}
	}
}
