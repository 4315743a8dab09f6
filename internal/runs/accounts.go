package runs

import (
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/coord"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// Accounts is what a coordination run reads of the accounts, by one rule
// for a stored dataset and for files read straight from disk: their
// signals (nodes.csv) and their reach (communities.csv), both from one
// signals.Builder. An account's followers are those of the first record
// that names it, which is the account a dataset keeps (unknown when that
// record named it only as a post's author); its engagements are summed
// over its posts, each once, as first seen (an X repost's counts are its
// original's, so it adds none). Feed it every account as a record
// describes it (Account; Author for an account a record names only as a
// post's author) and every post as first seen (Post), in any order; Fill
// puts the result in a run's data.
type Accounts struct {
	signals.Builder
}

// Fill sets d's accounts: their signals and reach, and what the data
// calls them (Names).
func (a *Accounts) Fill(d *coord.Data) {
	d.Accounts = &a.Builder
	d.Names = a.Names()
}

// Names returns what the data calls each account it gives a handle or a
// name: the profile of the first record naming it, as a dataset keeps it.
func (a *Accounts) Names() map[string]coord.AccountName {
	out := map[string]coord.AccountName{}
	a.Builder.EachName(func(uid, handle, name string) {
		out[uid] = coord.AccountName{Handle: handle, Name: name}
	})
	return out
}

var _ AccountSink = (*Accounts)(nil)

// FileData collects, item by item as ingest.Importer.Read gives them,
// what a coordination run reads of files read straight from disk, as
// DatasetRun reads a dataset of the same files: the shares, the
// accounts (Accounts: names always; signals and reach with Graph, for the
// graph step's nodes.csv and communities.csv) and with Near the texts of
// the posts that are not reposts (for --by near-text).
type FileData struct {
	Near, Graph bool
	// Collected, when set, is the dataset the files are read into
	// (ingest.Importer.ReadInto): it holds the shares, interned, instead
	// of FileData.
	Collected *coord.Collector

	shares   []tahqiq.Share
	texts    []coord.TextPost
	accounts Accounts
}

// Add takes the item of one record.
func (f *FileData) Add(it *ingest.Item) {
	if f.Collected == nil {
		f.shares = append(f.shares, it.Shares...)
	}
	for _, a := range it.Parsed.Accounts {
		f.accounts.Account(a)
	}
	if f.Collected != nil {
		// an account the collector held before this record was named
		// then (Account or Author): only those it added now can be new
		// to f.accounts, and Author does nothing to a named one
		for _, uid := range f.Collected.NewAccounts() {
			f.accounts.Author(uid)
		}
		if !f.Graph && !f.Near {
			return
		}
	}
	for i, p := range it.Parsed.Posts {
		if !it.New[i] {
			continue
		}
		if f.Collected == nil {
			f.accounts.Author(p.AuthorUID)
		}
		if f.Graph {
			f.accounts.Post(&it.Parsed.Posts[i])
		}
		if f.Near && p.Kind != tahqiq.KindRepost && p.Text != "" {
			f.texts = append(f.texts, TextPost(p))
		}
	}
}

// Data returns what was collected, for coord.Run, and lets go of the
// shares and texts: the data's Accounts point into f, which must not
// keep them alive once the run has interned them (a million shares with
// their strings are some 200 MB).
func (f *FileData) Data() coord.Data {
	d := coord.Data{Shares: f.shares, Texts: f.texts, Collected: f.Collected}
	f.shares, f.texts, f.Collected = nil, nil, nil
	f.accounts.Fill(&d)
	return d
}
