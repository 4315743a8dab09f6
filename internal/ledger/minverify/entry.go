package minverify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
)

// Entries and records: ledger.md, "Entries (leaves)" and "Records".

var refSchema = schema{
	{name: "kind", typ: tString},
	{name: "id", typ: tString},
	{name: "version", typ: tInt},
	{name: "digest", typ: tString, omit: omitEmpty},
}

var entrySchema = schema{
	{name: "index", typ: tInt},
	{name: "time", typ: tTime},
	{name: "actor", typ: tString},
	{name: "action", typ: tString},
	{name: "case_id", typ: tString, omit: omitEmpty},
	{name: "item_id", typ: tString, omit: omitEmpty},
	{name: "hashes", typ: tStrings, omit: omitEmpty},
	{name: "details", typ: tString, omit: omitEmpty},
	{name: "format", typ: tInt, omit: omitEmpty},
	{name: "case_seq", typ: tInt, omit: omitEmpty},
	{name: "prev", typ: tString, omit: omitEmpty},
	{name: "records", typ: tObjects, omit: omitEmpty, sub: refSchema},
}

// Ref is a record reference.
type Ref struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Digest  string `json:"digest"`
}

// Entry is a log entry that is canonical.
type Entry struct {
	Index   int64    `json:"index"`
	Time    string   `json:"time"`
	Actor   string   `json:"actor"`
	Action  string   `json:"action"`
	CaseID  string   `json:"case_id"`
	ItemID  string   `json:"item_id"`
	Hashes  []string `json:"hashes"`
	Details string   `json:"details"`
	Format  int64    `json:"format"`
	CaseSeq int64    `json:"case_seq"`
	Prev    string   `json:"prev"`
	Records []Ref    `json:"records"`
}

// ParseEntry checks that b is an entry in the canonical form and returns
// it (class not-canonical otherwise). Its index is not checked.
func ParseEntry(b []byte) (*Entry, error) {
	if _, err := canonical(b, entrySchema); err != nil {
		return nil, errorf("not-canonical", "%v", err)
	}
	var e Entry
	// The bytes are canonical: every key is one of the table's, once, so
	// any JSON decoder reads them as they are.
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, errorf("not-canonical", "%v", err)
	}
	switch {
	case e.Format != 0 && e.Format != 2:
		return nil, errorf("not-canonical", "format %d: only 2 is valid", e.Format)
	case e.Format == 0 && (e.CaseSeq != 0 || e.Prev != "" || len(e.Records) > 0):
		return nil, errorf("not-canonical", "an entry of format 1 with case_seq, prev or records")
	}
	return &e, nil
}

// CheckEntry checks entry bytes at a position of a log: canonical
// (not-canonical) and at its place (wrong-index).
func CheckEntry(b []byte, position int64) (*Entry, error) {
	e, err := ParseEntry(b)
	if err != nil {
		return nil, err
	}
	if e.Index != position {
		return e, errorf("wrong-index", "index %d at position %d: an entry was deleted, inserted or reordered", e.Index, position)
	}
	return e, nil
}

// LeafHash is SHA-256(0x00 || b).
func LeafHash(b []byte) [32]byte {
	return sha256.Sum256(append([]byte{0}, b...))
}

// Genesis is a case's genesis value, SHA-256("tahqiq/case-genesis\n" ||
// case ID), in hex.
func Genesis(caseID string) string {
	h := sha256.Sum256([]byte("tahqiq/case-genesis\n" + caseID))
	return hex.EncodeToString(h[:])
}

// ---- records

var blobSchema = schema{
	{name: "name", typ: tString},
	{name: "sha256", typ: tString},
	{name: "size", typ: tInt},
	{name: "type", typ: tString, omit: omitEmpty},
	{name: "dhash", typ: tString, omit: omitEmpty},
	{name: "pdq", typ: tString, omit: omitEmpty},
	{name: "pdq_quality", typ: tInt, omit: omitEmpty},
}

// recordSchemas are the records of ledger.md's table, by kind.
var recordSchemas = map[string]schema{
	"case": {
		{name: "id", typ: tString}, {name: "org_id", typ: tString}, {name: "title", typ: tString},
		{name: "description", typ: tString, omit: omitEmpty}, {name: "tlp", typ: tString},
		{name: "created_by", typ: tString}, {name: "created_at", typ: tTime},
		{name: "closed_by", typ: tString, omit: omitEmpty}, {name: "closed_at", typ: tTime, omit: omitZero},
	},
	"item": {
		{name: "id", typ: tString}, {name: "case_id", typ: tString}, {name: "kind", typ: tString}, {name: "title", typ: tString},
		{name: "source", typ: tString, omit: omitEmpty}, {name: "blobs", typ: tObjects, sub: blobSchema},
		{name: "derived_from", typ: tString, omit: omitEmpty}, {name: "tlp", typ: tString, omit: omitEmpty},
		{name: "added_by", typ: tString}, {name: "added_at", typ: tTime},
	},
	"finding": {
		{name: "id", typ: tString}, {name: "case_id", typ: tString}, {name: "title", typ: tString},
		{name: "text", typ: tString, omit: omitEmpty}, {name: "item_ids", typ: tStrings},
		{name: "tags", typ: tStrings, omit: omitEmpty}, {name: "created_by", typ: tString}, {name: "created_at", typ: tTime},
	},
	"recommendation": {
		{name: "id", typ: tString}, {name: "case_id", typ: tString}, {name: "action", typ: tString}, {name: "grounds", typ: tString},
		{name: "finding_ids", typ: tStrings}, {name: "state", typ: tString}, {name: "created_by", typ: tString}, {name: "created_at", typ: tTime},
		{name: "decided_by", typ: tString, omit: omitEmpty}, {name: "decided_at", typ: tTime, omit: omitZero},
	},
	"task": {
		{name: "id", typ: tString}, {name: "case_id", typ: tString}, {name: "title", typ: tString},
		{name: "assignee", typ: tString, omit: omitEmpty}, {name: "done", typ: tBool},
		{name: "created_by", typ: tString}, {name: "created_at", typ: tTime},
		{name: "status", typ: tString, omit: omitEmpty}, {name: "updated_by", typ: tString, omit: omitEmpty},
		{name: "updated_at", typ: tTime, omit: omitZero},
	},
	"note": {
		{name: "id", typ: tString}, {name: "case_id", typ: tString}, {name: "text", typ: tString},
		{name: "created_by", typ: tString}, {name: "created_at", typ: tTime},
	},
	"share": {
		{name: "case_id", typ: tString}, {name: "item_id", typ: tString, omit: omitEmpty},
		{name: "org_id", typ: tString}, {name: "tlp", typ: tString},
	},
	"org":     {{name: "id", typ: tString}, {name: "name", typ: tString}},
	"user":    {{name: "id", typ: tString}, {name: "org_id", typ: tString}, {name: "name", typ: tString}, {name: "role", typ: tString}},
	"dataset": {{name: "dataset", typ: tString}, {name: "org_id", typ: tString}},
}

// recordID is the ID record references name a record of kind by.
func recordID(kind string, v *jvalue) string {
	str := func(k string) string {
		if x := v.get(k); x != nil {
			return x.text
		}
		return ""
	}
	switch kind {
	case "share":
		if item := str("item_id"); item != "" {
			return str("org_id") + "/" + item
		}
		return str("org_id")
	case "dataset":
		return str("dataset")
	}
	return str("id")
}

// Digest is "<kind>:sha256:<hex>" of bytes.
func Digest(kind string, b []byte) string {
	h := sha256.Sum256(b)
	return kind + ":sha256:" + hex.EncodeToString(h[:])
}

// RecordDigest checks that value is a record of kind in the canonical
// form (not-canonical otherwise) and returns its ID and digest.
func RecordDigest(kind string, value []byte) (id, digest string, err error) {
	s, ok := recordSchemas[kind]
	if !ok {
		return "", "", errorf("not-canonical", "unknown record kind %q", kind)
	}
	v, err := canonical(value, s)
	if err != nil {
		return "", "", errorf("not-canonical", "%s: %v", kind, err)
	}
	return recordID(kind, v), Digest(kind, value), nil
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// withheldSchema is a bundle's withheld line.
var withheldSchema = schema{{name: "index", typ: tInt}, {name: "leaf_hash", typ: tString}}

// parseWithheld reports whether line is a withheld line, exactly
// {"index":I,"leaf_hash":"<64 lowercase hex>"}, and returns I and the hash.
func parseWithheld(line []byte) (int64, [32]byte, bool) {
	var h [32]byte
	v, err := canonical(line, withheldSchema)
	if err != nil || !hex64.MatchString(v.get("leaf_hash").text) {
		return 0, h, false
	}
	i, _ := intOf(v.get("index"))
	b, _ := hex.DecodeString(v.get("leaf_hash").text)
	copy(h[:], b)
	return i, h, true
}

// Line is one position of a log as a verifier holds it.
type Line struct {
	Position int64
	Bytes    []byte // nil for a withheld line
	Withheld bool
	Leaf     [32]byte // the leaf hash: of Bytes, or the one a withheld line gives
	Entry    *Entry   // nil when withheld or not canonical
	Err      error    // why the line is not valid at its position (not-canonical, wrong-index)
}

// ReadLine reads the line at a position: a withheld line or an entry.
func ReadLine(position int64, b []byte) Line {
	if i, h, ok := parseWithheld(b); ok {
		l := Line{Position: position, Withheld: true, Leaf: h}
		if i != position {
			l.Err = errorf("wrong-index", "a withheld line of index %d at position %d", i, position)
		}
		return l
	}
	// An entry at the wrong place is still folded (its index is
	// reported); one that is not canonical is not.
	e, err := CheckEntry(b, position)
	return Line{Position: position, Bytes: b, Leaf: LeafHash(b), Entry: e, Err: err}
}
