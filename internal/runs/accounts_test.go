package runs_test

import (
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// TestAccounts: the first record naming an account decides its followers
// (a later record with other followers does not; an account named first
// as a post's author has none known), and posts add their reposts and
// likes to their author; an account with nothing known has no reach.
func TestAccounts(t *testing.T) {
	var r runs.Accounts
	r.Account(tahqiq.Account{UID: "x:a", Followers: 100})
	r.Account(tahqiq.Account{UID: "x:a", Followers: 900}) // seen later: the store keeps the first
	r.Author("x:b")
	r.Account(tahqiq.Account{UID: "x:b", Followers: 50}) // named before as an author only
	r.Account(tahqiq.Account{UID: "x:c", Followers: -1})
	r.Post(tahqiq.Post{UID: "x:1", AuthorUID: "x:a", Metrics: map[string]int64{"reposts": 3, "likes": 4}})
	r.Post(tahqiq.Post{UID: "x:2", AuthorUID: "x:a", Metrics: map[string]int64{"likes": 1}})
	r.Post(tahqiq.Post{UID: "x:3", AuthorUID: "x:b", Metrics: map[string]int64{"reposts": 0}})
	r.Author("x:d")
	got := r.Reach()
	want := map[string]coord.Reach{
		"x:a": {Followers: 100, Reposts: 3, Likes: 5},
		"x:b": {Followers: -1, Reposts: 0, Likes: -1},
	}
	if len(got) != len(want) {
		t.Fatalf("reach of %d accounts, want %d: %v", len(got), len(want), got)
	}
	for uid, w := range want {
		if got[uid] != w {
			t.Errorf("%s: %+v, want %+v", uid, got[uid], w)
		}
	}
}
