package signals

import (
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
)

// Engagement metrics, by the names the importers give Post.Metrics: X v2
// public metrics and v1.1 counts (likes, reposts, quotes, replies), the
// IO files' counts, Telegram's forwards, replies and reactions,
// CrowdTangle's likes, shares, comments and reactions. "reactions" sums
// every reactions:KIND metric. Views (X impression_count, Telegram
// views, CrowdTangle post views) are kept apart: they are not
// engagements.
var Engagements = []string{"likes", "reposts", "quotes", "replies", "forwards", "shares", "comments", "reactions"}

const (
	nEngagements = 8
	reactionsAt  = 7            // index of reactions in Engagements
	viewsAt      = nEngagements // index of views in Counts.V
)

// Counts is a post's own counts, as collected: the engagement metrics in
// the order of Engagements, then views. Has has bit i set when the
// source gives metric i.
type Counts struct {
	V   [nEngagements + 1]int64
	Has uint16
}

// CountsOf returns the counts a post carries of its own, or nil when it
// carries none. A repost on X carries its original's counts (X's
// retweet objects repeat them), so it has none of its own: counted once
// per original post. A Telegram forward and a Facebook share are posts
// of their own, with their own views and reactions.
func CountsOf(p *tahqiq.Post) *Counts {
	if len(p.Metrics) == 0 || (p.Kind == tahqiq.KindRepost && p.Platform == tahqiq.PlatformX) {
		return nil
	}
	var c Counts
	for name, v := range p.Metrics {
		i := -1
		switch {
		case name == "views":
			i = viewsAt
		case strings.HasPrefix(name, "reactions:"):
			i = reactionsAt
		default:
			for k, e := range Engagements {
				if e == name {
					i = k
					break
				}
			}
		}
		if i < 0 || v < 0 {
			continue // bookmarks, CrowdTangle's total interactions (a sum of the others), its total views
		}
		c.V[i] += v
		c.Has |= 1 << i
	}
	if c.Has == 0 {
		return nil
	}
	return &c
}

// Reach is what the data says of the audience of a set of posts and
// their accounts: how many, the followers of the accounts (each account
// once, as the first record naming it gives them: an upper bound of the
// audience, since audiences overlap), the views and engagements of the
// posts that carry them (each post once; X reposts carry none of their
// own). Sums of values the data does not give stay unknown: a column is
// empty when no post or account gave it, never a silent 0.
type Reach struct {
	Posts             int64
	Accounts          int64
	Followers         int64 // Σ over the accounts whose followers are known
	FollowersAccounts int64 // accounts whose followers are known
	V                 [nEngagements + 1]int64
	With              [nEngagements + 1]int64 // posts carrying each metric
}

// AddAccount counts one more distinct account with its followers (-1
// unknown).
func (r *Reach) AddAccount(followers int64) {
	r.Accounts++
	if followers >= 0 {
		r.Followers += followers
		r.FollowersAccounts++
	}
}

// AddPost counts one more post with its own counts (nil: none).
func (r *Reach) AddPost(c *Counts) {
	r.Posts++
	if c == nil {
		return
	}
	for i := range c.V {
		if c.Has&(1<<i) != 0 {
			r.V[i] += c.V[i]
			r.With[i]++
		}
	}
}

// Add adds o's counts to r (o's accounts must be distinct from r's).
func (r *Reach) Add(o *Reach) {
	r.Posts += o.Posts
	r.Accounts += o.Accounts
	r.Followers += o.Followers
	r.FollowersAccounts += o.FollowersAccounts
	for i := range r.V {
		r.V[i] += o.V[i]
		r.With[i] += o.With[i]
	}
}

// Views returns the summed views and whether any post gave views.
func (r *Reach) Views() (int64, bool) { return r.V[viewsAt], r.With[viewsAt] > 0 }

// Engagement returns the sum of every engagement metric and whether any
// post gave one.
func (r *Reach) Engagement() (int64, bool) {
	s, ok := int64(0), false
	for i := range nEngagements {
		s += r.V[i]
		ok = ok || r.With[i] > 0
	}
	return s, ok
}

// ReachHeader names the reach columns, in the order AppendRecord writes
// them: followers (Σ, each account once), followers_accounts (accounts
// whose followers are known), views (Σ), views_posts (posts giving
// views), each engagement metric (Σ), engagements (Σ of them).
func ReachHeader() []string {
	h := []string{"followers", "followers_accounts", "views", "views_posts"}
	h = append(h, Engagements...)
	return append(h, "engagements")
}

// Cell returns the value of the named reach column ("" unknown).
func (r *Reach) Cell(name string) string {
	opt := func(v int64, ok bool) string {
		if !ok {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	switch name {
	case "followers":
		return opt(r.Followers, r.FollowersAccounts > 0)
	case "followers_accounts":
		return strconv.FormatInt(r.FollowersAccounts, 10)
	case "views":
		return opt(r.Views())
	case "views_posts":
		return strconv.FormatInt(r.With[viewsAt], 10)
	case "engagements":
		return opt(r.Engagement())
	}
	for i, e := range Engagements {
		if e == name {
			return opt(r.V[i], r.With[i] > 0)
		}
	}
	return ""
}

// AppendRecord appends the reach columns (ReachHeader) to rec.
func (r *Reach) AppendRecord(rec []string) []string {
	for _, c := range ReachHeader() {
		rec = append(rec, r.Cell(c))
	}
	return rec
}
