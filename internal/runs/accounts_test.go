package runs_test

import (
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/runs"
)

// TestAccounts: the first record naming an account decides its followers
// (a later record with other followers does not; an account named first
// as a post's author has none known); posts add their own counts to
// their author: an X repost none (it repeats its original's), a Telegram
// forward its own; an account with nothing known has no reach.
func TestReach(t *testing.T) {
	var r runs.Accounts
	r.Account(tahqiq.Account{UID: "x:a", Followers: 100})
	r.Account(tahqiq.Account{UID: "x:a", Followers: 900}) // seen later: the store keeps the first
	r.Author("x:b")
	r.Account(tahqiq.Account{UID: "x:b", Followers: 50}) // named before as an author only
	r.Account(tahqiq.Account{UID: "x:c", Followers: -1})
	for _, p := range []tahqiq.Post{
		{UID: "x:1", Platform: "x", AuthorUID: "x:a", Metrics: map[string]int64{"reposts": 3, "likes": 4, "views": 70}},
		{UID: "x:2", Platform: "x", AuthorUID: "x:a", Metrics: map[string]int64{"likes": 1, "bookmarks": 9}},
		{UID: "x:3", Platform: "x", AuthorUID: "x:b", Metrics: map[string]int64{"reposts": 0}},
		{UID: "x:4", Platform: "x", AuthorUID: "x:b", Kind: tahqiq.KindRepost, Metrics: map[string]int64{"reposts": 5000, "likes": 0}},
		{UID: "telegram:c/1", Platform: "telegram", AuthorUID: "telegram:c", Kind: tahqiq.KindRepost, Metrics: map[string]int64{"views": 12, "forwards": 1, "reactions:👍": 2, "reactions:🔥": 1}},
	} {
		r.Post(&p)
	}
	r.Author("x:d")
	for _, tc := range []struct {
		uid  string
		want map[string]string // reach column -> cell
	}{
		{"x:a", map[string]string{"followers": "100", "followers_accounts": "1", "reposts": "3", "likes": "5", "views": "70", "views_posts": "1", "engagements": "8", "quotes": ""}},
		{"x:b", map[string]string{"followers": "", "followers_accounts": "0", "reposts": "0", "likes": "", "views": "", "engagements": "0"}},
		{"telegram:c", map[string]string{"followers": "", "views": "12", "forwards": "1", "reactions": "3", "engagements": "4"}},
		{"x:c", map[string]string{"followers": "", "engagements": ""}},
	} {
		x := r.Reach(tc.uid)
		if x == nil {
			t.Errorf("%s: no reach", tc.uid)
			continue
		}
		for col, want := range tc.want {
			if got := x.Cell(col); got != want {
				t.Errorf("%s %s = %q, want %q", tc.uid, col, got, want)
			}
		}
	}
	if x := r.Reach("x:e"); x != nil {
		t.Errorf("x:e: reach %+v of an unknown account", x)
	}
}

// TestAccountNames: what the data calls an account is what the first
// record naming it says (as a dataset keeps it), and an account the data
// gives neither a handle nor a name has none.
func TestAccountNames(t *testing.T) {
	var r runs.Accounts
	r.Account(tahqiq.Account{UID: "x:a", Handle: "ali_raza", Name: "علی رضا"})
	r.Account(tahqiq.Account{UID: "x:a", Handle: "renamed", Name: "later"}) // seen later: the store keeps the first
	r.Author("x:b")
	r.Account(tahqiq.Account{UID: "x:b", Handle: "bee"}) // named before as an author only
	r.Account(tahqiq.Account{UID: "x:c"})
	got := r.Names()
	if len(got) != 1 || got["x:a"].Handle != "ali_raza" || got["x:a"].Name != "علی رضا" {
		t.Errorf("names %+v; want x:a's first record's alone", got)
	}
}
