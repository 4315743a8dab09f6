package tahqiq

import "time"

// LogEntry is one custody-log record: who did what, when, to which
// hashes. Entries are appended only by internal/casework and never change.
type LogEntry struct {
	Index   int64     `json:"index"`  // 0-based position in the log
	Time    time.Time `json:"time"`   // UTC, from the injected clock
	Actor   string    `json:"actor"`  // user ID
	Action  string    `json:"action"` // e.g. "case.create", "item.attach", "item.read"
	CaseID  string    `json:"case_id,omitempty"`
	ItemID  string    `json:"item_id,omitempty"`
	Hashes  []string  `json:"hashes,omitempty"` // "sha256:<hex>" of the bytes involved
	Details string    `json:"details,omitempty"`
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
