package runs

import (
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
)

// Accounts collects what the data says of each account for a coordination
// run: what it calls the account (coord.AccountName: its handle and display
// name, written beside its UID in every output) and its audience
// (coord.Reach: summed per community in communities.csv). One rule serves
// a stored dataset and files read straight from disk, so that the same
// files give the same run either way: the first record that names an
// account decides its names and followers, which is the account a dataset
// keeps (none known when that record named it only as a post's author),
// and its reposts and likes are summed over its posts, each counted once,
// as first seen.
type Accounts struct {
	m map[string]*accountOf
}

type accountOf struct {
	coord.Reach
	coord.AccountName
	named bool // its names and followers are decided (by the first record naming it)
}

func (r *Accounts) of(uid string) *accountOf {
	if r.m == nil {
		r.m = map[string]*accountOf{}
	}
	x := r.m[uid]
	if x == nil {
		x = &accountOf{Reach: coord.Reach{Followers: -1, Reposts: -1, Likes: -1}}
		// a copy: the uid may share the memory of a whole record or chunk
		r.m[strings.Clone(uid)] = x
	}
	return x
}

// Account takes an account as a record describes it: the first record
// naming the account decides its names and followers.
func (r *Accounts) Account(a tahqiq.Account) {
	if x := r.of(a.UID); !x.named {
		x.named = true
		x.Followers = max(a.Followers, -1)
		x.AccountName = coord.AccountName{Handle: strings.Clone(a.Handle), Name: strings.Clone(a.Name)}
	}
}

// Author takes an account a record names only as a post's author: if no
// record named it before, its names and followers are unknown.
func (r *Accounts) Author(uid string) { r.of(uid).named = true }

// Post takes a post as first seen (never again): its reposts and likes
// count for its author.
func (r *Accounts) Post(p tahqiq.Post) {
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

// Reach returns the reach of every account that has one known value.
func (r *Accounts) Reach() map[string]coord.Reach {
	out := map[string]coord.Reach{}
	for uid, x := range r.m {
		if x.Followers >= 0 || x.Reposts >= 0 || x.Likes >= 0 {
			out[uid] = x.Reach
		}
	}
	return out
}

// Names returns the names of every account the data gives a handle or a
// name.
func (r *Accounts) Names() map[string]coord.AccountName {
	out := map[string]coord.AccountName{}
	for uid, x := range r.m {
		if x.Handle != "" || x.Name != "" {
			out[uid] = x.AccountName
		}
	}
	return out
}

// FileData collects, item by item as ingest.Importer.Read gives them,
// what a coordination run reads of files read straight from disk, as
// DatasetRun reads a dataset of the same files: the shares, the
// accounts' names and reach (Accounts), and with Near the texts of the
// posts that are not reposts (for --by near-text).
type FileData struct {
	Near bool

	shares   []tahqiq.Share
	texts    []coord.TextPost
	accounts Accounts
}

// Add takes the item of one record.
func (f *FileData) Add(it *ingest.Item) {
	f.shares = append(f.shares, it.Shares...)
	for _, a := range it.Parsed.Accounts {
		f.accounts.Account(a)
	}
	for i, p := range it.Parsed.Posts {
		if !it.New[i] {
			continue
		}
		f.accounts.Author(p.AuthorUID)
		f.accounts.Post(p)
		if f.Near && p.Kind != tahqiq.KindRepost && p.Text != "" {
			f.texts = append(f.texts, TextPost(p))
		}
	}
}

// Data returns what was collected, for coord.Run.
func (f *FileData) Data() coord.Data {
	return coord.Data{Shares: f.shares, Texts: f.texts, Reach: f.accounts.Reach(), Names: f.accounts.Names()}
}
