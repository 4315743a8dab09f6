package runs

import (
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
)

// Reach counts what the data says of each account's audience for a
// coordination run (coord.Reach: summed per community in
// communities.csv). One rule serves a stored dataset and files read
// straight from disk, so that the same files give the same run either
// way: an account's followers are those of the first record that names
// it, which is the account a dataset keeps (unknown when that record
// named it only as a post's author), and its reposts and likes are
// summed over its posts, each counted once, as first seen.
type Reach struct {
	m map[string]*reachOf
}

type reachOf struct {
	coord.Reach
	named bool // its followers are decided (by the first record naming it)
}

func (r *Reach) of(uid string) *reachOf {
	if r.m == nil {
		r.m = map[string]*reachOf{}
	}
	x := r.m[uid]
	if x == nil {
		x = &reachOf{Reach: coord.Reach{Followers: -1, Reposts: -1, Likes: -1}}
		// a copy: the uid may share the memory of a whole record or chunk
		r.m[strings.Clone(uid)] = x
	}
	return x
}

// Account takes an account as a record describes it: the first record
// naming the account decides its followers.
func (r *Reach) Account(a tahqiq.Account) {
	if x := r.of(a.UID); !x.named {
		x.named = true
		x.Followers = max(a.Followers, -1)
	}
}

// Author takes an account a record names only as a post's author: if no
// record named it before, its followers are unknown.
func (r *Reach) Author(uid string) { r.of(uid).named = true }

// Post takes a post as first seen (never again): its reposts and likes
// count for its author.
func (r *Reach) Post(p tahqiq.Post) {
	if p.Metrics == nil {
		return
	}
	x := r.of(p.AuthorUID)
	if v, ok := p.Metrics["reposts"]; ok {
		x.Reposts = max(x.Reposts, 0) + v
	}
	if v, ok := p.Metrics["likes"]; ok {
		x.Likes = max(x.Likes, 0) + v
	}
}

// Map returns the reach of every account that has one known value.
func (r *Reach) Map() map[string]coord.Reach {
	out := map[string]coord.Reach{}
	for uid, x := range r.m {
		if x.Followers >= 0 || x.Reposts >= 0 || x.Likes >= 0 {
			out[uid] = x.Reach
		}
	}
	return out
}
