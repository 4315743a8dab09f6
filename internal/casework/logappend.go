package casework

import (
	"context"
	"encoding/json"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// This file is the one place that appends to the custody log. Every state
// change of casework goes through change: the change and its entry are
// written in one store transaction, so neither is ever visible without the
// other. The engines only store the rows (tahqiq.LogTx).

// change runs fn and appends e in the same transaction, with a signed
// checkpoint of the log it ends: every entry is signed as it is made, so
// an entry after the last signed checkpoint was not made by casework.
func (s *Service) change(ctx context.Context, e tahqiq.LogEntry, fn func(tx tahqiq.CaseTx) error) (tahqiq.LogEntry, error) {
	return s.changeThen(ctx, func(tx tahqiq.CaseTx) (tahqiq.LogEntry, error) {
		if fn != nil {
			if err := fn(tx); err != nil {
				return e, err
			}
		}
		return e, nil
	})
}

// changeThen runs fn, which makes a change and returns the entry that
// records it (for entries that say what the change did), and appends that
// entry and a signed checkpoint in the same transaction.
func (s *Service) changeThen(ctx context.Context, fn func(tx tahqiq.CaseTx) (tahqiq.LogEntry, error)) (tahqiq.LogEntry, error) {
	var e tahqiq.LogEntry
	err := s.Store.InTx(ctx, func(tx tahqiq.CaseTx) error {
		var err error
		if e, err = fn(tx); err != nil {
			return err
		}
		e, err = s.appendIn(ctx, tx, e)
		return err
	})
	return e, err
}

// appendIn appends e in tx, the transaction of the change it records,
// with a signed checkpoint. The actor is looked up again once the log's
// lock is held (appendEntry takes it): a user disabled while their
// request was on its way (between authentication and this transaction)
// changes nothing, since a disabling commits under the same lock, either
// before this check or after this change.
func (s *Service) appendIn(ctx context.Context, tx tahqiq.CaseTx, e tahqiq.LogEntry) (tahqiq.LogEntry, error) {
	e.Time = s.now()
	if afterChange != nil {
		afterChange()
	}
	e, err := appendEntry(ctx, tx, e)
	if err != nil {
		return e, err
	}
	if err := stillActive(ctx, tx, e.Actor); err != nil {
		return e, err
	}
	return e, s.signIn(ctx, tx, e.Index+1)
}

// stillActive checks, inside a change's transaction, that the user who
// makes it exists and is not disabled.
func stillActive(ctx context.Context, tx tahqiq.CaseTx, actor string) error {
	if actor == "" || actor == tahqiq.SystemID {
		return nil
	}
	u, err := tx.FindUserByID(ctx, actor)
	if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
		return tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "user %s does not exist: nothing was changed", actor)
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return tahqiq.Errorf(tahqiq.EUNAUTHORIZED, "user %s was disabled: nothing was changed", u.Name)
	}
	return nil
}

// afterChange is called between a change and its entry (tests only).
var afterChange func()

// signIn signs the tree of the first n entries in tx and stores the
// checkpoint there. A store without a signing key yet (before tahqiq org
// init) signs nothing; its first checkpoint covers what came before.
func (s *Service) signIn(ctx context.Context, tx tahqiq.LogTx, n int64) error {
	if s.Signer == nil {
		return nil
	}
	t, err := ledger.TreeAt(txHashes{ctx, tx}, n)
	if err != nil {
		return err
	}
	cp, err := ledger.Sign(s.Origin, t, s.Signer)
	if err != nil {
		return err
	}
	return tx.AddCheckpointRow(ctx, n, cp.Note)
}

// appendEntry completes e and appends it in tx: its index (the log's
// size), format, the case chain (CaseSeq, Prev) and each record's next
// version. It is what every writer of the log calls, inside the
// transaction of the change e records.
func appendEntry(ctx context.Context, tx tahqiq.LogTx, e tahqiq.LogEntry) (tahqiq.LogEntry, error) {
	n, err := tx.LogSize(ctx)
	if err != nil {
		return e, err
	}
	e.Index, e.Format, e.Time = n, tahqiq.LogFormat, e.Time.UTC()
	e.CaseSeq, e.Prev = 0, ""
	if e.CaseID != "" {
		head, err := tx.CaseHead(ctx, e.CaseID)
		if err != nil {
			return e, err
		}
		e.CaseSeq, e.Prev = head.Count+1, ledger.Genesis(e.CaseID)
		if head.Last != nil {
			e.Prev = ledger.LeafHex(head.Last)
		}
	}
	for i, r := range e.Records {
		v, err := tx.RecordVersion(ctx, r.Kind, r.ID)
		if err != nil {
			return e, err
		}
		e.Records[i].Version = v + 1
	}
	b, err := ledger.EncodeEntry(e)
	if err != nil {
		return e, err
	}
	hs, err := tlog.StoredHashes(n, b, txHashes{ctx, tx})
	if err != nil {
		return e, err
	}
	out := make([]tahqiq.LogHash, len(hs))
	for i, h := range hs {
		out[i] = tahqiq.LogHash(h)
	}
	row := tahqiq.LogRow{Index: n, CaseID: e.CaseID, CaseSeq: e.CaseSeq, Data: b, Records: e.Records}
	return e, tx.AppendLogRows(ctx, row, tlog.StoredHashIndex(0, n), out)
}

// txHashes reads the log's stored hashes through a transaction or store.
type txHashes struct {
	ctx context.Context
	r   interface {
		ReadLogHashes(ctx context.Context, idx []int64) ([]tahqiq.LogHash, error)
	}
}

func (h txHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	hs, err := h.r.ReadLogHashes(h.ctx, idx)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(hs))
	for i, x := range hs {
		out[i] = tlog.Hash(x)
	}
	return out, nil
}

// logHashes reads the committed log's stored hashes, for proofs.
func (s *Service) logHashes(ctx context.Context) tlog.HashReader { return txHashes{ctx, s.Store} }

// LogHashes reads a store's committed log hashes as a tlog.HashReader.
func LogHashes(ctx context.Context, s tahqiq.CaseStore) tlog.HashReader { return txHashes{ctx, s} }

// digest is the digest of a record's canonical JSON (docs/format/ledger.md).
func digest(kind string, v any) string {
	b, _ := json.Marshal(v)
	return ledger.Digest(kind, b)
}

// ref names a record as an event leaves it (its version is set at append).
func ref(kind, id string, v any) tahqiq.RecordRef {
	return tahqiq.RecordRef{Kind: kind, ID: id, Digest: digest(kind, v)}
}

// itemRef names an item; its digest is tahqiq.Item.Digest.
func itemRef(it tahqiq.Item) tahqiq.RecordRef {
	return tahqiq.RecordRef{Kind: tahqiq.RecItem, ID: it.ID, Digest: it.Digest()}
}

// shareID is the record ID of a share: the organisation, and the item for
// an item share.
func shareID(sh tahqiq.CaseShare) string {
	if sh.ItemID == "" {
		return sh.OrgID
	}
	return sh.OrgID + "/" + sh.ItemID
}
