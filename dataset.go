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
	// Derivation names the rules its posts, accounts and shares were
	// derived from the raw records by (ingest.Derivation at import); ""
	// for a dataset imported before derivations were recorded.
	Derivation string
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
	Name       string            `json:"file"`
	SHA256     string            `json:"sha256"` // hex, of the file as given (compressed bytes for .gz)
	Size       int64             `json:"size"`
	Format     string            `json:"format"`
	ImportedAt time.Time         `json:"imported_at"`
	Records    int64             `json:"records"`
	Options    map[string]string `json:"options,omitempty"` // the format options it was imported with (--map, --option); nil when not recorded
	Kept       int64             `json:"-"`                 // records other than CSV header lines: 0 when the import of the file kept nothing
	Rejects    int64             `json:"-"`                 // rejects stored for the file (ImportTx.FindFile)
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

// MediaStatus is what an import found of a media file a post names.
type MediaStatus string

const (
	MediaHashed     MediaStatus = "hashed"     // read and hashed
	MediaMissing    MediaStatus = "missing"    // not in the media folder
	MediaUnreadable MediaStatus = "unreadable" // a picture that could not be decoded (damaged, too large, a format not read)
	MediaNotImage   MediaStatus = "not_image"  // a file that is no picture
)

// MediaFile is a picture that posts of a dataset name, as an import found
// it in the media folder: one per input file and name. The hashes belong
// to the dataset; the files stay where they were.
type MediaFile struct {
	File        string      `json:"file"` // the input file whose posts name it
	FileID      int64       `json:"-"`
	Name        string      `json:"name"` // as found under the media folder (a relative path)
	Status      MediaStatus `json:"status"`
	Detail      string      `json:"detail,omitempty"` // why, when it is not hashed
	SHA256      string      `json:"sha256,omitempty"`
	Size        int64       `json:"size,omitempty"`
	Width       int         `json:"width,omitempty"` // upright
	Height      int         `json:"height,omitempty"`
	Orientation int         `json:"orientation,omitempty"` // EXIF, 1 to 8
	PDQ         string      `json:"pdq,omitempty"`         // 64 hex digits
	Quality     int         `json:"pdq_quality"`
	Dihedral    string      `json:"pdq_dihedral,omitempty"` // the seven turned and mirrored hashes, 448 hex digits
	Trimmed     string      `json:"pdq_trimmed,omitempty"`  // of the picture inside a uniform frame, when it has one
	DHash       string      `json:"dhash,omitempty"`        // 16 hex digits
	// Object is the object of the image shares of the posts showing it
	// (MediaImage.Object), and Distance its PDQ distance to the picture
	// that object is named after (0 for that picture itself).
	Object   string `json:"object,omitempty"`
	Distance int    `json:"distance"`
	Hashing  string `json:"hashing,omitempty"` // the hashing rules, e.g. "pdq-1"
}

// MediaStore reads what imports found of the media files posts name.
type MediaStore interface {
	// FindMedia returns the media files of a dataset in the order they
	// were stored; ENOTFOUND when there is no such dataset.
	FindMedia(ctx context.Context, dataset string) ([]MediaFile, error)
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
	// AddMedia stores what the import found of a media file the posts
	// of the current file name (one per name: a conflict otherwise).
	AddMedia(ctx context.Context, m MediaFile) error
	// EachMedia calls fn for every media file of the dataset, in the
	// order stored.
	EachMedia(ctx context.Context, fn func(MediaFile) error) error
	// CaseTx is the same store transaction seen as a CaseTx, so that the
	// import's custody-log entry (and the dataset's owner) commit with it.
	CaseTx() CaseTx
	// Derivation returns the derivation recorded for the dataset ("" when
	// none: a dataset this import creates, or one imported before
	// derivations were recorded) and whether it holds files already.
	Derivation(ctx context.Context) (string, bool, error)
	// SetDerivation records the derivation of the dataset.
	SetDerivation(ctx context.Context, derivation string) error
	Commit(ctx context.Context) error
	Rollback() error
}

// RederiveStore rebuilds what datasets derive from their raw records.
type RederiveStore interface {
	// BeginRederive opens a transaction on the named dataset (ENOTFOUND
	// when absent) in which its posts, accounts and shares are rebuilt
	// from its stored records. Nothing is visible before Commit.
	BeginRederive(ctx context.Context, dataset string) (RederiveTx, error)
}

// StoredFile is an input file of a dataset, with its row id.
type StoredFile struct {
	ID int64
	ImportFile
}

// StoredRecord is a stored raw record, with its row id. Format and
// SourceFile are its file's.
type StoredRecord struct {
	ID int64
	RawRecord
}

// RederiveTx is one open re-derivation. The caller reads what the dataset
// holds (Files, Records, Each*), calls Reset, then for each file SetFile
// and, for each of its records in order, Rederive with what the record
// derives now or DropRecord when it is now rejected. Rejects of the
// parsers stay as they are; those the store found (post-id conflicts)
// are made anew.
type RederiveTx interface {
	// CaseTx is the same store transaction seen as a CaseTx, for the
	// custody-log entry of the re-derivation.
	CaseTx() CaseTx
	Derivation(ctx context.Context) (string, bool, error)
	SetDerivation(ctx context.Context, derivation string) error
	// Files returns the dataset's files in import order.
	Files(ctx context.Context) ([]StoredFile, error)
	// Records returns up to limit records of file with row ids above
	// after, in row-id (input) order.
	Records(ctx context.Context, file, after int64, limit int) ([]StoredRecord, error)
	// EachPost calls fn for every post of the dataset: the row id of the
	// record it was first seen in, its UID, its author's UID and its
	// stored JSON.
	EachPost(ctx context.Context, fn func(record int64, uid, author string, data []byte) error) error
	// EachShare calls fn for every share: its post's UID, type, object.
	EachShare(ctx context.Context, fn func(post string, typ ObjectType, object string) error) error
	// EachReject calls fn for every reject of the dataset.
	EachReject(ctx context.Context, fn func(Reject) error) error
	// EachMedia calls fn for every media file of the dataset, in the
	// order stored: re-derived posts get their pictures' hashes and
	// objects from here, not from the files.
	EachMedia(ctx context.Context, fn func(MediaFile) error) error
	Counts(ctx context.Context) (DatasetCounts, error)
	// Reset removes the dataset's posts, accounts, shares and the
	// rejects the store found; records, files, media files and the
	// parsers' rejects stay.
	Reset(ctx context.Context) error
	// SetFile makes a file of the dataset the current one.
	SetFile(ctx context.Context, file int64) error
	// Rederive stores what a record of the current file derives (its
	// kind may change), as AddRecord does for a new record.
	Rederive(ctx context.Context, rec *StoredRecord, posts []Post, accounts []Account, shares []Share) (RecordResult, error)
	// DropRecord turns a record of the current file into a reject with
	// its raw bytes: the parser now rejects it.
	DropRecord(ctx context.Context, rec *StoredRecord, reason string) error
	Commit(ctx context.Context) error
	Rollback() error
}

// DatasetStore lists and removes datasets.
type DatasetStore interface {
	FindDatasets(ctx context.Context) ([]Dataset, error)
	FindDatasetByName(ctx context.Context, name string) (Dataset, error) // ENOTFOUND when absent
	// DeleteDataset removes the dataset and everything imported into it and
	// returns the counts it removed. It logs nothing: commands delete
	// through casework, whose CaseTx.DeleteDataset commits with its
	// custody-log entry.
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
	// FindPosts returns the posts of a dataset with the given UIDs, by UID,
	// without their raw records (absent ones are left out): the posts of a
	// page of evidence in one call, not one per post. ENOTFOUND when the
	// dataset is absent.
	FindPosts(ctx context.Context, dataset string, uids []string) (map[string]Post, error)
}
