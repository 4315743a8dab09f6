package runs

import (
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// Accounts is what a coordination run reads of the accounts, by one rule
// for a stored dataset and for files read straight from disk: their
// reach (communities.csv) and their signals (nodes.csv). Feed it every
// account as a record describes it (Account; Author for an account a
// record names only as a post's author) and every post as first seen
// (Post), in any order; Fill puts the result in a run's data.
type Accounts struct {
	reach   Reach
	signals signals.Builder
}

// Account takes an account as a record describes it.
func (a *Accounts) Account(x tahqiq.Account) {
	a.reach.Account(x)
	a.signals.Account(x)
}

// Author takes an account a record names only as a post's author.
func (a *Accounts) Author(uid string) {
	a.reach.Author(uid)
	a.signals.Author(uid)
}

// Post takes a post as first seen (never again).
func (a *Accounts) Post(p *tahqiq.Post) {
	a.reach.Post(*p)
	a.signals.Post(p)
}

// Fill sets d's reach and signals.
func (a *Accounts) Fill(d *coord.Data) {
	d.Reach = a.reach.Map()
	d.Signals = &a.signals
}

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
