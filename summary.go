package tahqiq

import (
	"context"
	"time"
)

// A DatasetSummary is what a reader sees first of a dataset: its counts,
// its posts over time and what is shared most.
type DatasetSummary struct {
	Dataset     Dataset        `json:"-"`
	OverTime    []TimeCount    `json:"over_time"`
	TopAccounts []AccountCount `json:"top_accounts"`
	TopHashtags []KeyCount     `json:"top_hashtags"`
	TopURLs     []KeyCount     `json:"top_urls"`
	TopDomains  []KeyCount     `json:"top_domains"`
}

// TimeCount is the number of posts created in the bucket starting at T.
type TimeCount struct {
	T     time.Time `json:"t"`
	Posts int64     `json:"posts"`
}

// AccountCount is an account, what the data calls it and its number of
// posts in a dataset.
type AccountCount struct {
	UID    string `json:"uid"`
	Handle string `json:"handle"`
	Name   string `json:"name,omitempty"`
	Posts  int64  `json:"posts"`
}

// KeyCount is a shared object and the number of its shares.
type KeyCount struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// SummaryOptions choose the time bucket and how many top entries to list.
type SummaryOptions struct {
	Bucket time.Duration // one hour or one day; default one day
	Top    int           // default 20
}

// RejectRecord is a stored reject with the raw bytes of the record.
type RejectRecord struct {
	Reject
	Raw []byte `json:"raw,omitempty"`
}

// SummaryStore answers the questions of a dataset page.
type SummaryStore interface {
	SummarizeDataset(ctx context.Context, name string, o SummaryOptions) (DatasetSummary, error)
	FindRejects(ctx context.Context, dataset string, limit, offset int) ([]RejectRecord, error)
	// FindAccountPosts returns an account and up to limit of its posts,
	// oldest first.
	FindAccountPosts(ctx context.Context, dataset, uid string, limit int) (Account, []Post, error)
	// FindAccounts returns the accounts of a dataset with the given UIDs
	// (absent ones are left out).
	FindAccounts(ctx context.Context, dataset string, uids []string) (map[string]Account, error)
	// FindAccountsByRef returns the accounts of a dataset that ref may name
	// (ResolveAccount's forms: the UID, the id without its platform, the
	// handle with or without "@", the display name), for ResolveAccount
	// to decide among; ENOTFOUND when the dataset is absent.
	FindAccountsByRef(ctx context.Context, dataset, ref string) ([]Account, error)
}
