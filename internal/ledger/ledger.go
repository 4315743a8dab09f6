// Package ledger is the custody log's mathematics: an RFC 6962 Merkle tree
// (golang.org/x/mod/sumdb/tlog) over canonical entry encodings, signed
// checkpoints in the sumdb/note format with Ed25519 keys, witness
// co-signatures, inclusion and consistency proofs, and the offline Verify of
// a log. It is storage-agnostic: hashes live behind the small Store
// interface. It does not decide what is logged; only internal/casework
// appends.
package ledger

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
)

// Store keeps the tree's stored hashes (tlog.StoredHashIndex order) and the
// entries' bytes. Writes must be durable when they return.
type Store interface {
	tlog.HashReader
	// Size is the number of entries appended.
	Size() (int64, error)
	// AppendHashes stores hashes at positions starting at StoredHashIndex(0, n)
	// for entries[n:] and the entries themselves.
	Append(n int64, entries [][]byte, hashes []tlog.Hash) error
	// ReadEntries returns entries [from, to).
	ReadEntries(from, to int64) ([][]byte, error)
}

// EncodeEntry is the canonical leaf encoding of an entry: its JSON with the
// fields in declaration order, no insignificant space, one line.
func EncodeEntry(e tahqiq.LogEntry) ([]byte, error) {
	e.Time = e.Time.UTC()
	return json.Marshal(e)
}

// DecodeEntry parses a leaf and checks it re-encodes to the same bytes.
func DecodeEntry(b []byte) (tahqiq.LogEntry, error) {
	var e tahqiq.LogEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("ledger: decode entry: %w", err)
	}
	re, err := EncodeEntry(e)
	if err != nil {
		return e, err
	}
	if !bytes.Equal(re, b) {
		return e, errors.New("ledger: decode entry: not in canonical form")
	}
	// docs/format/ledger.md: format is absent (format 1, whose entries
	// have only the first eight keys) or 2.
	switch {
	case e.Format != 0 && e.Format != tahqiq.LogFormat:
		return e, fmt.Errorf("ledger: decode entry: format %d (want no format key, format 1, or %d): not in canonical form", e.Format, tahqiq.LogFormat)
	case e.Format == 0 && (e.CaseSeq != 0 || e.Prev != "" || len(e.Records) > 0):
		return e, errors.New("ledger: decode entry: an entry of format 1 (no format key) with case_seq, prev or records: not in canonical form")
	}
	return e, nil
}

// LeafHash is the RFC 6962 leaf hash SHA-256(0x00 || data).
func LeafHash(data []byte) tlog.Hash { return tlog.RecordHash(data) }

// Log appends to a Store. It is safe for concurrent use.
type Log struct {
	mu    sync.Mutex
	store Store
}

// New returns a Log over s.
func New(s Store) *Log { return &Log{store: s} }

// Append adds entries (already encoded) and returns the index of the first.
func (l *Log) Append(entries ...[]byte) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.store.Size()
	if err != nil {
		return 0, fmt.Errorf("ledger: append: %w", err)
	}
	ov := &overlay{base: l.store, start: tlog.StoredHashIndex(0, n)}
	for i, e := range entries {
		hs, err := tlog.StoredHashes(n+int64(i), e, ov)
		if err != nil {
			return 0, fmt.Errorf("ledger: append %d: %w", n+int64(i), err)
		}
		ov.hashes = append(ov.hashes, hs...)
	}
	if err := l.store.Append(n, entries, ov.hashes); err != nil {
		return 0, fmt.Errorf("ledger: append %d: %w", n, err)
	}
	return n, nil
}

// Tree returns the current size and root hash.
func (l *Log) Tree() (tlog.Tree, error) {
	n, err := l.store.Size()
	if err != nil {
		return tlog.Tree{}, err
	}
	return TreeAt(l.store, n)
}

// TreeAt returns the tree of the first n entries.
func TreeAt(r tlog.HashReader, n int64) (tlog.Tree, error) {
	if n == 0 {
		return tlog.Tree{N: 0, Hash: tlog.Hash{}}, nil
	}
	h, err := tlog.TreeHash(n, r)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("ledger: tree hash %d: %w", n, err)
	}
	return tlog.Tree{N: n, Hash: h}, nil
}

// ProveInclusion proves entry i is in the tree of size n.
func ProveInclusion(r tlog.HashReader, i, n int64) (tahqiq.Proof, error) {
	p, err := tlog.ProveRecord(n, i, r)
	if err != nil {
		return tahqiq.Proof{}, fmt.Errorf("ledger: prove %d in %d: %w", i, n, err)
	}
	return tahqiq.Proof{Kind: "inclusion", Index: i, Size: n, Hashes: encHashes(p)}, nil
}

// ProveConsistency proves the tree of size old is a prefix of size n.
func ProveConsistency(r tlog.HashReader, old, n int64) (tahqiq.Proof, error) {
	p, err := tlog.ProveTree(n, old, r)
	if err != nil {
		return tahqiq.Proof{}, fmt.Errorf("ledger: prove %d from %d: %w", n, old, err)
	}
	return tahqiq.Proof{Kind: "consistency", Old: old, Size: n, Hashes: encHashes(p)}, nil
}

// CheckInclusion checks an inclusion proof of leaf data against a root.
func CheckInclusion(p tahqiq.Proof, root tlog.Hash, data []byte) error {
	hs, err := decHashes(p.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(hs, p.Size, root, p.Index, LeafHash(data)); err != nil {
		return fmt.Errorf("ledger: entry %d not in tree of size %d: %w", p.Index, p.Size, err)
	}
	return nil
}

// CheckConsistency checks that oldRoot (size p.Old) is a prefix of root.
// Every tree extends the empty one (size 0, whose hash is 32 zero bytes)
// with an empty proof; two trees of one size are consistent with an empty
// proof when their roots are equal (docs/format/ledger.md, "Tree").
func CheckConsistency(p tahqiq.Proof, root, oldRoot tlog.Hash) error {
	hs, err := decHashes(p.Hashes)
	if err != nil {
		return err
	}
	if p.Old == 0 && p.Size >= 0 {
		switch {
		case len(hs) != 0:
			return fmt.Errorf("ledger: a consistency proof from size 0 has no hashes, this one %d", len(hs))
		case oldRoot != (tlog.Hash{}) || p.Size == 0 && root != (tlog.Hash{}):
			return errors.New("ledger: the empty tree's hash is 32 zero bytes")
		}
		return nil
	}
	if err := tlog.CheckTree(hs, p.Size, root, p.Old, oldRoot); err != nil {
		return fmt.Errorf("ledger: tree of size %d is not an extension of size %d: %w", p.Size, p.Old, err)
	}
	return nil
}

func encHashes(p []tlog.Hash) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func decHashes(s []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(s))
	for i, x := range s {
		h, err := ParseHash(x)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// ParseHash decodes a base64 tree hash.
func ParseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("ledger: bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// overlay reads not-yet-stored hashes from memory during an append.
type overlay struct {
	base   tlog.HashReader
	start  int64
	hashes []tlog.Hash
}

func (o *overlay) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	var missing []int64
	var pos []int
	for i, x := range idx {
		if x >= o.start {
			if x-o.start >= int64(len(o.hashes)) {
				return nil, fmt.Errorf("ledger: hash %d not yet written", x)
			}
			out[i] = o.hashes[x-o.start]
			continue
		}
		missing = append(missing, x)
		pos = append(pos, i)
	}
	if len(missing) > 0 {
		hs, err := o.base.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for j, i := range pos {
			out[i] = hs[j]
		}
	}
	return out, nil
}
