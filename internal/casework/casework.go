// Package casework holds the use cases of cases and evidence. Every state
// change is one store transaction that also appends one custody-log entry;
// this is the ONLY package that appends to the log. Every read path checks
// access in one place (access.go). It names no storage engine: it works on
// tahqiq.CaseStore, a blob.Store and a signing key.
package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Store is the case store, the accounts' credentials, and read access to
// the log's stored hashes.
type Store interface {
	tahqiq.CaseStore
	tahqiq.AuthStore
	LogHashes(ctx context.Context) tlog.HashReader
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

// change runs fn and appends e in the same transaction.
func (s *Service) change(ctx context.Context, e tahqiq.LogEntry, fn func(tx tahqiq.CaseTx) error) (tahqiq.LogEntry, error) {
	e.Time = s.now()
	err := s.Store.InTx(ctx, func(tx tahqiq.CaseTx) error {
		if fn != nil {
			if err := fn(tx); err != nil {
				return err
			}
		}
		var err error
		e, err = tx.AppendLog(ctx, e)
		return err
	})
	return e, err
}

// Checkpoint signs the current tree and stores the checkpoint.
func (s *Service) Checkpoint(ctx context.Context) (tahqiq.Checkpoint, error) {
	hr := s.Store.LogHashes(ctx)
	n, err := s.Store.LogSize(ctx)
	if err != nil {
		return tahqiq.Checkpoint{}, err
	}
	t, err := ledger.TreeAt(hr, n)
	if err != nil {
		return tahqiq.Checkpoint{}, err
	}
	cp, err := ledger.Sign(s.Origin, t, s.Signer)
	if err != nil {
		return cp, err
	}
	return cp, s.Store.AddCheckpoint(ctx, n, cp.Note)
}
