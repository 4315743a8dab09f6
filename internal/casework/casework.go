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
	"fmt"
	"io"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/blob"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Store is the case store.
type Store interface {
	tahqiq.CaseStore
}

// Service runs the use cases.
type Service struct {
	Store  Store
	Blobs  *blob.Store
	Posts  tahqiq.PostStore // optional, for attaching posts
	Signer note.Signer      // the store's log key
	LogKey note.Verifier
	Origin string // checkpoint origin line, e.g. "tahqiq/<org>"
	Now    func() time.Time
	Rand   io.Reader // for IDs; crypto/rand when nil

	reads readCache // reads logged in the current window
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

// InitOrg creates the first organisation and its admin. It fails with
// ECONFLICT when the user exists.
func (s *Service) InitOrg(ctx context.Context, orgName, adminName string) (tahqiq.Organisation, tahqiq.User, error) {
	o := tahqiq.Organisation{ID: s.newID("o"), Name: orgName}
	u := tahqiq.User{ID: s.newID("u"), OrgID: o.ID, Name: adminName, Role: tahqiq.RoleAdmin}
	if err := u.Validate(); err != nil {
		return o, u, err
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: u.ID, Action: "org.init", Details: fmt.Sprintf("org %s %q admin %s %q", o.ID, o.Name, u.ID, u.Name),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecOrg, o.ID, o), ref(tahqiq.RecUser, u.ID, u)}},
		func(tx tahqiq.CaseTx) error {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			return tx.CreateUser(ctx, u)
		})
	return o, u, err
}

// AddOrg creates another organisation (admin only), e.g. a partner to
// share cases with.
func (s *Service) AddOrg(ctx context.Context, actor tahqiq.User, name string) (tahqiq.Organisation, error) {
	if actor.Role != tahqiq.RoleAdmin {
		return tahqiq.Organisation{}, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s is not an admin", actor.Name)
	}
	o := tahqiq.Organisation{ID: s.newID("o"), Name: name}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "org.create", Details: fmt.Sprintf("org %s %q", o.ID, name),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecOrg, o.ID, o)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateOrganisation(ctx, o) })
	return o, err
}

// AddUser creates a user in an organisation (admin only).
func (s *Service) AddUser(ctx context.Context, actor tahqiq.User, orgID, name string, role tahqiq.Role) (tahqiq.User, error) {
	if actor.Role != tahqiq.RoleAdmin {
		return tahqiq.User{}, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s is not an admin", actor.Name)
	}
	if orgID == "" {
		orgID = actor.OrgID
	}
	u := tahqiq.User{ID: s.newID("u"), OrgID: orgID, Name: name, Role: role}
	if err := u.Validate(); err != nil {
		return u, err
	}
	_, err := s.change(ctx, tahqiq.LogEntry{Actor: actor.ID, Action: "user.create", Details: fmt.Sprintf("user %s %q org %s role %s", u.ID, name, orgID, role),
		Records: []tahqiq.RecordRef{ref(tahqiq.RecUser, u.ID, u)}},
		func(tx tahqiq.CaseTx) error { return tx.CreateUser(ctx, u) })
	return u, err
}

// Actor looks a user up by name.
func (s *Service) Actor(ctx context.Context, name string) (tahqiq.User, error) {
	if name == "" {
		return tahqiq.User{}, tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "no user given: pass --as USER or set TAHQIQ_USER (first run: tahqiq org init)")
	}
	return s.Store.FindUserByName(ctx, name)
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
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.EVERIFY, "custody log entry %d does not decode: %v", i, err)
	}
	if ok, err := s.newReader(actor).visible(ctx, e); err != nil || !ok {
		if err != nil {
			return tahqiq.Proof{}, err
		}
		return tahqiq.Proof{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no custody log entry %d that user %s may read", i, actor.Name)
	}
	return ledger.ProveInclusion(s.logHashes(ctx), i, n)
}
