package tahqiq

import (
	"context"
	"time"
)

// Dataset is a named collection of imports.
type Dataset struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	Counts    DatasetCounts
	Sources   []ImportFile // every file imported into it
}

// DatasetCounts are the sizes of a dataset.
type DatasetCounts struct {
	Records  int64 `json:"records"`
	Posts    int64 `json:"posts"`
	Accounts int64 `json:"accounts"`
	Shares   int64 `json:"shares"`
	Rejects  int64 `json:"rejects"`
}

// ImportFile is one input file of one import.
type ImportFile struct {
	Name       string    `json:"file"`
	SHA256     string    `json:"sha256"` // hex, of the file as given (compressed bytes for .gz)
	Size       int64     `json:"size"`
	Format     string    `json:"format"`
	ImportedAt time.Time `json:"imported_at"`
	Records    int64     `json:"records"`
	Kept       int64     `json:"-"` // records other than CSV header lines: 0 when the import of the file kept nothing
	Rejects    int64     `json:"-"` // rejects stored for the file (ImportTx.FindFile)
}

// Reject is a record that could not be imported, with where and why.
type Reject struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
}

// RecordResult is what the store did with one record.
type RecordResult struct {
	NewPosts    int // posts seen for the first time in this dataset
	Duplicates  int // posts already present that added no new share (kept as another occurrence)
	NewAccounts int
	NewShares   int
	// Conflicts are posts of the record whose id the dataset holds as a
	// post of another account: not imported (no occurrence, no share),
	// each stored as a reject of the record.
	Conflicts []PostConflict
}

// PostConflict is a post id given to two accounts: the dataset holds post
// UID as a post of Account, and a record gives it to Other. One of them is
// wrong (a collision of ids, a mix-up of columns), so the second is not
// imported and neither is merged into the other.
type PostConflict struct {
	UID     string `json:"uid"`
	Account string `json:"account"` // the account the dataset holds the post of
	Other   string `json:"other"`   // the account the record gives it to
}

// Reason is the reject reason of the conflict, naming both accounts.
func (c PostConflict) Reason() string {
	return "post " + c.UID + " is a post of account " + c.Account + " in this dataset, and this record gives it to account " + c.Other +
		": one post id cannot belong to two accounts, so this occurrence is not imported"
}

// ImportStore writes imports. An import is all or nothing: nothing written
// through an ImportTx is visible until Commit, and Rollback (or a crash)
// leaves the store as it was.
type ImportStore interface {
	// BeginImport starts an import into the named dataset, creating it if
	// needed.
	BeginImport(ctx context.Context, dataset string) (ImportTx, error)
}

// ImportTx is one open import.
type ImportTx interface {
	// FindFile returns the file with this SHA-256 (hex) already imported
	// into the dataset, with its Records, Kept and Rejects counts, and
	// whether there is one.
	FindFile(ctx context.Context, sha256 string) (ImportFile, bool, error)
	// AddFile registers an input file and makes it the current file for
	// AddRecord and AddReject. A file of the same SHA-256 whose import
	// kept nothing (Kept 0: no record but CSV header lines) is replaced:
	// its records and rejects are removed. One that kept something is a
	// conflict.
	AddFile(ctx context.Context, f ImportFile) error
	// AddRecord stores a raw record of the current file with what was
	// derived from it. Posts already in the dataset are not stored again;
	// the record is kept as another occurrence.
	AddRecord(ctx context.Context, rec *RawRecord, posts []Post, accounts []Account, shares []Share) (RecordResult, error)
	// AddReject stores a rejected record of the current file.
	AddReject(ctx context.Context, r Reject, raw []byte) error
	Commit(ctx context.Context) error
	Rollback() error
}

// DatasetStore lists and removes datasets.
type DatasetStore interface {
	FindDatasets(ctx context.Context) ([]Dataset, error)
	FindDatasetByName(ctx context.Context, name string) (Dataset, error) // ENOTFOUND when absent
	// DeleteDataset removes the dataset and everything imported into it and
	// returns the counts it removed.
	DeleteDataset(ctx context.Context, name string) (DatasetCounts, error)
}

// ShareFilter selects shares.
type ShareFilter struct {
	Dataset string
	Types   []ObjectType // empty: all
}

// ShareStore reads derived shares.
type ShareStore interface {
	// ScanShares calls fn for every share matching f, in no particular order,
	// and stops at the first error fn returns.
	ScanShares(ctx context.Context, f ShareFilter, fn func(Share) error) error
}

// PostScanner reads the posts of a dataset.
type PostScanner interface {
	// ScanPosts calls fn for every post of the dataset (as first stored),
	// in no particular order, and stops at the first error fn returns.
	ScanPosts(ctx context.Context, dataset string, fn func(Post) error) error
}

// PostRecord is a post with the raw records it came from.
type PostRecord struct {
	Post    Post
	Records []RawRecord
}

// PostStore reads posts.
type PostStore interface {
	// FindPost returns the post with the given UID in a dataset, with every
	// raw occurrence. ENOTFOUND when absent.
	FindPost(ctx context.Context, dataset, uid string) (PostRecord, error)
}
