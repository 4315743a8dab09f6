// Package casework holds the use cases of cases and evidence. Every state
// change is one store transaction that also appends one custody-log entry;
// this is the ONLY package that appends to the log. Every read path checks
// access in one place (access.go). It names no storage engine: it works on
// tahqiq.CaseStore, a blob.Store and a signing key.
package casework

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Store is the case store and the accounts' credentials.
type Store interface {
	tahqiq.CaseStore
	tahqiq.AuthStore
}

// Service runs the use cases.
type Service struct {
	Store Store
	Blobs *blob.Store
	Posts tahqiq.PostStore // optional, for attaching posts
	// Datasets, for the ownership of datasets: who imports into one,
	// deletes one, and which exist when the first organisation is made.
	Datasets tahqiq.DatasetStore
	Signer   note.Signer // the store's log key
	LogKey   note.Verifier
	Origin   string // checkpoint origin line, e.g. "tahqiq/<org>"
	Now      func() time.Time
	Rand     io.Reader // for IDs; crypto/rand when nil
	// Runs lists the stored analysis runs as they are now, for verifying
	// the store (runs.Store.Records); nil: the store's runs are not
	// checked (a service without a data directory).
	Runs interface {
		Records() ([]tahqiq.RunRecord, error)
	}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) newID(prefix string) string {
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	var b [6]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("casework: no randomness: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}

// Checkpoint returns a signed checkpoint of the whole log: the latest
// stored one when the log has not grown since, else a new one, signed and
// stored. Checkpoints are stored on change, never per request, so readers
// cannot grow the store.
func (s *Service) Checkpoint(ctx context.Context) (tahqiq.Checkpoint, error) {
	n, err := s.Store.LogSize(ctx)
	if err != nil {
		return tahqiq.Checkpoint{}, err
	}
	return s.checkpointAt(ctx, n)
}

// checkpointAt returns a signed checkpoint of the first n entries (n at
// most the log's size): the stored one of that size signed by the log key,
// or a new one, signed and stored.
func (s *Service) checkpointAt(ctx context.Context, n int64) (tahqiq.Checkpoint, error) {
	if s.Signer == nil {
		return tahqiq.Checkpoint{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "the store has no signing key: run tahqiq org init")
	}
	stored, err := s.Store.Checkpoints(ctx)
	if err != nil {
		return tahqiq.Checkpoint{}, err
	}
	t, err := ledger.TreeAt(s.logHashes(ctx), n)
	if err != nil {
		return tahqiq.Checkpoint{}, err
	}
	for i := len(stored) - 1; i >= 0 && i >= len(stored)-8; i-- {
		origin, st, _, err := ledger.OpenCheckpoint(stored[i], s.LogKey)
		if err == nil && origin == s.Origin && st == t {
			return tahqiq.Checkpoint{Origin: origin, Size: st.N, Root: base64.StdEncoding.EncodeToString(st.Hash[:]), Note: stored[i]}, nil
		}
	}
	cp, err := ledger.Sign(s.Origin, t, s.Signer)
	if err != nil {
		return cp, err
	}
	return cp, s.Store.AddCheckpoint(ctx, n, cp.Note)
}

// ProveConsistency proves that the log's first old entries are the first
// entries of its first n (n 0: the whole log): what a witness asks before
// co-signing a larger checkpoint, and what anyone holding an older
// checkpoint checks to know the log never rewrote it.
func (s *Service) ProveConsistency(ctx context.Context, old, n int64) (tahqiq.Proof, error) {
	size, err := s.Store.LogSize(ctx)
	if err != nil {
		return tahqiq.Proof{}, err
	}
	if n == 0 {
		n = size
	}
	switch {
	case old <= 0 || n > size || old > n:
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.EINVALID, "consistency proof from %d to %d: want 0 < from <= to <= %d (the log's size)", old, n, size)
	case old == n:
		return tahqiq.Proof{Kind: "consistency", Old: old, Size: n, Hashes: []string{}}, nil
	}
	return ledger.ProveConsistency(s.logHashes(ctx), old, n)
}

// ProveInclusion proves that entry i is in the log's first n entries; the
// actor must be able to read the entry (docs/api.md).
func (s *Service) ProveInclusion(ctx context.Context, actor tahqiq.User, i, n int64) (tahqiq.Proof, error) {
	size, err := s.Store.LogSize(ctx)
	if err != nil {
		return tahqiq.Proof{}, err
	}
	if n == 0 {
		n = size
	}
	if i < 0 || i >= n || n > size {
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.EINVALID, "inclusion proof of entry %d in %d: want 0 <= index < size <= %d (the log's size)", i, n, size)
	}
	raw, err := s.Store.LogEntries(ctx, i, i+1)
	if err != nil || len(raw) != 1 {
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no custody log entry %d", i)
	}
	e, err := ledger.DecodeEntry(raw[0])
	if err != nil {
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.EVERIFY, "custody log entry %d does not decode: %w", i, err)
	}
	if ok, err := s.newReader(actor).visible(ctx, e); err != nil || !ok {
		if err != nil {
			return tahqiq.Proof{}, err
		}
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no custody log entry %d that user %s may read", i, actor.Name)
	}
	return ledger.ProveInclusion(s.logHashes(ctx), i, n)
}
