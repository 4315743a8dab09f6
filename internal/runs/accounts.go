package runs

import (
	"slices"
	"strings"

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
	// names, instead of accounts, with Collected and without Graph: what
	// the run writes of the accounts then is only what the data calls
	// them (Data.Names), so no signals are kept (some 600 bytes an
	// account: 290 MB at 10M synthetic posts), only the handle and name
	// of the accounts whose first record gives one
	names map[string]coord.AccountName
}

// Add takes the item of one record.
func (f *FileData) Add(it *ingest.Item) {
	if f.Collected == nil {
		f.shares = append(f.shares, it.Shares...)
	}
	if f.Collected != nil && !f.Graph {
		f.addNames(it)
		if !f.Near {
			return
		}
	} else {
		for _, a := range it.Parsed.Accounts {
			f.accounts.Account(a)
		}
	}
	if f.Collected != nil && f.Graph {
		// an account the collector held before this record was named
		// then (Account or Author): only those it added now can be new
		// to f.accounts, and Author does nothing to a named one
		for _, uid := range f.Collected.NewAccounts() {
			f.accounts.Author(uid)
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
			if f.Collected == nil {
				f.accounts.Post(&it.Parsed.Posts[i])
			} else if id, ok := f.Collected.AccountID(p.AuthorUID); ok {
				// the collector holds every new post's author, numbered
				// densely: its entry found by that number
				f.accounts.PostAt(id, &it.Parsed.Posts[i])
			} else {
				f.accounts.Post(&it.Parsed.Posts[i])
			}
		}
		if f.Near && p.Kind != tahqiq.KindRepost && p.Text != "" {
			f.texts = append(f.texts, TextPost(p))
		}
	}
}

// addNames is Add's account side without Graph, over a collector: the
// profile of an account is that of the first record naming it (as
// Accounts keeps it), and a record names first the accounts the collector
// added for it (NewAccounts: Add gives the collector every account of
// the record, then the author of every new post), each at its first
// place among the record's accounts; an account the record names only as
// an author has no profile.
func (f *FileData) addNames(it *ingest.Item) {
	fresh := f.Collected.NewAccounts()
	if len(fresh) == 0 {
		return
	}
	accs := it.Parsed.Accounts
	for i := range accs {
		a := &accs[i]
		if a.Handle == "" && a.Name == "" || !slices.Contains(fresh, a.UID) {
			continue
		}
		first := true
		for j := range i {
			if accs[j].UID == a.UID {
				first = false
				break
			}
		}
		if first {
			if f.names == nil {
				f.names = map[string]coord.AccountName{}
			}
			f.names[strings.Clone(a.UID)] = coord.AccountName{Handle: strings.Clone(a.Handle), Name: strings.Clone(a.Name)}
		}
	}
}

// Data returns what was collected, for coord.Run, and lets go of the
// shares and texts: the data's Accounts point into f, which must not
// keep them alive once the run has interned them (a million shares with
// their strings are some 200 MB).
func (f *FileData) Data() coord.Data {
	d := coord.Data{Shares: f.shares, Texts: f.texts, Collected: f.Collected}
	if f.Collected != nil && !f.Graph {
		// what the data calls the accounts, and nothing else (no
		// signals, no reach: those are the graph step's)
		d.Names = f.names
		if d.Names == nil {
			d.Names = map[string]coord.AccountName{}
		}
		f.names = nil
	} else {
		f.accounts.Fill(&d)
	}
	f.shares, f.texts, f.Collected = nil, nil, nil
	return d
}
