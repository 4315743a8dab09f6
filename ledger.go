package tahqiq

import (
	"context"
	"time"
)

// LogFormat is the entry format this code writes (docs/format/ledger.md).
// Entries of format 1 (written before case chains and record references)
// carry no "format" key; they still verify, without completeness proofs.
const LogFormat = 2

// LogEntry is one custody-log record: who did what, when, to which
// records and hashes. Entries are appended only by internal/casework and
// never change.
//
// Keys are encoded in declaration order (the canonical form); the fields
// after Details were added with format 2 and are omitted when empty, so an
// entry of format 1 encodes exactly as it was logged.
type LogEntry struct {
	Index   int64     `json:"index"`  // 0-based position in the log
	Time    time.Time `json:"time"`   // UTC, from the injected clock
	Actor   string    `json:"actor"`  // user ID ("system" for the store's operator on the CLI)
	Action  string    `json:"action"` // e.g. "case.create", "item.attach", "item.read"
	CaseID  string    `json:"case_id,omitempty"`
	ItemID  string    `json:"item_id,omitempty"`
	Hashes  []string  `json:"hashes,omitempty"` // "sha256:<hex>" of the bytes involved
	Details string    `json:"details,omitempty"`

	// Format is 2 for entries written by this code (absent: format 1).
	Format int `json:"format,omitempty"`
	// CaseSeq numbers a case's entries 1, 2, 3… (0: the entry names no
	// case); Prev is the hex leaf hash of the case's previous entry, or the
	// case's genesis value (ledger.Genesis) for its first. Together they
	// chain every entry of a case, so an entry of the case withheld from
	// an export, or missing at its end, shows.
	CaseSeq int64  `json:"case_seq,omitempty"`
	Prev    string `json:"prev,omitempty"`
	// Records are the records the event created, changed or removed, each
	// with its version and digest after the event: the case is the fold of
	// these (ledger.Fold).
	Records []RecordRef `json:"records,omitempty"`
}

// Record kinds: what a RecordRef names. Case records are folded per case;
// the others are the store's access grants.
const (
	RecCase           = "case"
	RecItem           = "item"
	RecFinding        = "finding"
	RecRecommendation = "recommendation"
	RecTask           = "task"
	RecNote           = "note"
	RecShare          = "share" // ID: "<org>" or "<org>/<item>"
	RecOrg            = "org"
	RecUser           = "user"
	RecDatasetOwner   = "dataset" // ID: the dataset name; the value names its owner
	RecCredential     = "credential"
	RecToken          = "token"
	RecRun            = "run" // ID: "<kind>/<run id>"; the value is a RunRecord
)

// RunRecord is a stored analysis run (coordination or audit) as the
// custody log records it: who made it of what, and the SHA-256 of every
// file of its directory, its run.json among them. A run is logged when it
// is stored, so that one deleted, added or edited under the data
// directory shows when the store is verified.
type RunRecord struct {
	Kind      string            `json:"kind"` // "coord", "audit", "narratives", "claims" or "targets"
	ID        string            `json:"id"`
	Name      string            `json:"name,omitempty"`
	Dataset   string            `json:"dataset,omitempty"`
	CreatedBy string            `json:"created_by,omitempty"` // user ID; "" for runs the CLI made as the system
	Files     map[string]string `json:"files"`                // file name -> hex SHA-256
}

// RecordRef is one record as an event left it.
type RecordRef struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Version int64  `json:"version"`          // 1 when created, one more per change
	Digest  string `json:"digest,omitempty"` // "<kind>:sha256:<hex>" of the record after the event; "" when removed
}

// Checkpoint is a signed tree head: the log's size and root hash signed in
// the sumdb/note format (see docs/format/ledger.md).
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"` // base64 of the 32-byte RFC 6962 tree hash
	Note   []byte `json:"note"` // the signed note, byte for byte
}

// Proof is an RFC 6962 inclusion or consistency proof, hashes in base64.
type Proof struct {
	Kind   string   `json:"kind"` // "inclusion" or "consistency"
	Index  int64    `json:"index,omitempty"`
	Size   int64    `json:"size"`
	Old    int64    `json:"old_size,omitempty"`
	Hashes []string `json:"hashes"`
}

// LogHash is a SHA-256 hash of the log's tree.
type LogHash [32]byte

// LogHead is where a case's chain ends: how many entries it has and the
// bytes of its last one (nil when it has none).
type LogHead struct {
	Count int64
	Last  []byte
}

// LogRow is one entry as the store keeps it: its bytes, and the fields
// of it the store indexes (the case chain and the records it names).
type LogRow struct {
	Index   int64
	CaseID  string // "" for none
	CaseSeq int64  // 0 for none
	Data    []byte
	Records []RecordRef
}

// LogTx is the custody log's rows inside one store transaction. The
// engines store and read rows; what an entry says, its index, its hashes
// and its case chain are decided by internal/casework, the only caller.
type LogTx interface {
	// LogSize is the number of entries.
	LogSize(ctx context.Context) (int64, error)
	// ReadLogHashes returns stored tree hashes by their index
	// (tlog.StoredHashIndex order).
	ReadLogHashes(ctx context.Context, idx []int64) ([]LogHash, error)
	// AppendLogRows stores an entry's row and the tree hashes it adds,
	// the first at index hashStart.
	AppendLogRows(ctx context.Context, row LogRow, hashStart int64, hashes []LogHash) error
	// CaseHead returns the end of a case's chain.
	CaseHead(ctx context.Context, caseID string) (LogHead, error)
	// RecordVersion returns the latest version the log gave a record (0
	// when no entry of format 2 named it).
	RecordVersion(ctx context.Context, kind, id string) (int64, error)
	// AddCheckpointRow stores a signed checkpoint of the first size entries.
	AddCheckpointRow(ctx context.Context, size int64, note []byte) error
}
