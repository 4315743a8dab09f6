package tahqiq

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// ItemKind is the kind of an evidence item.
type ItemKind string

// Evidence kinds.
const (
	ItemFile     ItemKind = "file"     // any file; images get a perceptual hash
	ItemPost     ItemKind = "post"     // a post of an imported dataset, with its raw records
	ItemAccount  ItemKind = "account"  // an account of an imported dataset
	ItemCapture  ItemKind = "capture"  // a web capture (WARC, HTML, screenshot)
	ItemAnalysis ItemKind = "analysis" // a coordination or audit run, by its manifest
	ItemDerived  ItemKind = "derived"  // a working copy made from another item
)

// BlobRef names one stored file of an item.
type BlobRef struct {
	Name   string `json:"name"`            // original file name or role ("raw.jsonl", "page.warc")
	SHA256 string `json:"sha256"`          // hex
	Size   int64  `json:"size"`            // bytes
	Type   string `json:"type,omitempty"`  // media type if known
	DHash  string `json:"dhash,omitempty"` // 16 hex digits for images
	// PDQ is the picture's PDQ hash (64 hex digits) and PDQQuality its
	// quality (docs/images.md), for images attached since tahqiq hashes
	// them so.
	PDQ        string `json:"pdq,omitempty"`
	PDQQuality int    `json:"pdq_quality,omitempty"`
}

// Item is one piece of evidence in a case. Items never change once
// attached; a working copy is a new item with DerivedFrom set.
type Item struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Kind        ItemKind  `json:"kind"`
	Title       string    `json:"title"`
	Source      string    `json:"source,omitempty"` // path, URL, or dataset/uid
	Blobs       []BlobRef `json:"blobs"`
	DerivedFrom string    `json:"derived_from,omitempty"`
	TLP         TLP       `json:"tlp,omitempty"`
	AddedBy     string    `json:"added_by"`
	AddedAt     time.Time `json:"added_at"`
}

// Validate checks an item.
func (it Item) Validate() error {
	switch it.Kind {
	case ItemFile, ItemPost, ItemAccount, ItemCapture, ItemAnalysis, ItemDerived:
	default:
		return Errorf(EINVALID, "item %s: unknown kind %q", it.Title, it.Kind)
	}
	if len(it.Blobs) == 0 {
		return Errorf(EINVALID, "item %s: has no content", it.Title)
	}
	if it.TLP != "" && !it.TLP.Valid() {
		return Errorf(EINVALID, "item %s: unknown TLP %q", it.Title, it.TLP)
	}
	return nil
}

// Digest is the SHA-256 of the item's canonical JSON, recorded in its log
// entry so that an edited item row is detected.
func (it Item) Digest() string {
	it.AddedAt = it.AddedAt.UTC()
	b, _ := json.Marshal(it)
	s := sha256.Sum256(b)
	return "item:sha256:" + hex.EncodeToString(s[:])
}
