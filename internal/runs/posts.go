package runs

import (
	"context"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/rundir"
)

// A PostSource is a store the text analyses (narratives, claims, targets)
// and the account signals read a dataset from.
type PostSource interface {
	tahqiq.DatasetStore
	tahqiq.PostScanner
	FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]tahqiq.Account, error)
}

// AccountSink takes what a dataset says of its accounts: the profile it
// keeps of an account (Account), or that it keeps none (Author).
// signals.Builder and Accounts are sinks.
type AccountSink interface {
	Account(tahqiq.Account)
	Author(uid string)
}

// ReadDataset calls post for every post of a stored dataset (once each, as
// stored, in no particular order) and, when sink is not nil, tells it the
// profile the dataset keeps of every posting account, after the posts. It
// returns the dataset and its files as a run's inputs, with the count of
// the records rejected at import. A dataset derived by other rules is
// refused (ingest.CheckDerivation). Who may read the dataset is the
// caller's to decide.
func ReadDataset(ctx context.Context, st PostSource, name string, post func(*tahqiq.Post) error, sink AccountSink) (rundir.Source, error) {
	src := rundir.Source{Rejected: []tahqiq.Reject{}}
	d, err := st.FindDatasetByName(ctx, name)
	if err != nil {
		return src, err
	}
	if err := ingest.CheckDerivation(d); err != nil {
		return src, err
	}
	src.Inputs = append(src.Inputs, rundir.Input{Name: name, Source: "dataset"})
	for _, f := range d.Sources {
		src.Inputs = append(src.Inputs, rundir.Input{Name: f.Name, SHA256: f.SHA256, Format: f.Format, Source: "dataset:" + name})
	}
	src.RejectedCount = d.Counts.Rejects
	seen := map[string]bool{}
	var authors []string
	prog := progress.Start(ctx, "reading posts from the store", "posts", d.Counts.Posts)
	defer prog.Done()
	n := 0
	err = st.ScanPosts(ctx, name, func(p tahqiq.Post) error {
		if n++; n&4095 == 0 {
			prog.Add(4096)
		}
		if sink != nil && !seen[p.AuthorUID] {
			seen[p.AuthorUID] = true
			authors = append(authors, p.AuthorUID)
		}
		return post(&p)
	})
	if err != nil || sink == nil {
		return src, err
	}
	accounts, err := st.FindAccounts(ctx, name, authors)
	if err != nil {
		return src, err
	}
	for _, uid := range authors {
		if a, ok := accounts[uid]; ok {
			sink.Account(a)
		} else {
			sink.Author(uid)
		}
	}
	return src, nil
}
