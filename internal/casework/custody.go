package casework

import (
	"context"
	"encoding/hex"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

// Custody is an item's chain of custody: every log entry that names it,
// and the inclusion proof of the entry that attached it in the tree of
// the latest signed checkpoint.
type Custody struct {
	Item       tahqiq.Item       `json:"item"`
	History    []tahqiq.LogEntry `json:"history"`
	Entry      int64             `json:"entry"` // index of the item.attach entry, -1 if absent
	Proof      tahqiq.Proof      `json:"proof"`
	Checkpoint string            `json:"checkpoint"` // the signed note the proof is against
}

// ItemCustody returns an item's custody, logging the read first (so the
// history it returns includes this read).
func (s *Service) ItemCustody(ctx context.Context, actor tahqiq.User, itemID string) (Custody, error) {
	it, err := s.ReadItem(ctx, actor, itemID)
	if err != nil {
		return Custody{}, err
	}
	cp, err := s.Checkpoint(ctx)
	if err != nil {
		return Custody{}, err
	}
	entries, err := s.Store.LogEntries(ctx, 0, cp.Size)
	if err != nil {
		return Custody{}, err
	}
	c := Custody{Item: it, History: []tahqiq.LogEntry{}, Entry: -1, Checkpoint: string(cp.Note)}
	rd := s.newReader(actor)
	for _, b := range entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil || e.ItemID != it.ID {
			continue
		}
		// the entries the reader may read, as on the log page (a share of
		// the item with a third organisation is not this reader's to see)
		ok, err := rd.visible(ctx, e)
		if err != nil {
			return Custody{}, err
		}
		if !ok {
			continue
		}
		c.History = append(c.History, e)
		if e.Action == "item.attach" && c.Entry < 0 {
			c.Entry = e.Index
		}
	}
	if c.Entry >= 0 {
		if c.Proof, err = ledger.ProveInclusion(s.logHashes(ctx), c.Entry, cp.Size); err != nil {
			return c, err
		}
	}
	return c, nil
}

// LogLine is a custody log entry as a reader sees it: the entry and its
// RFC 6962 leaf hash, or, for an entry about a case the reader may not see
// (or, with no case, made by another organisation's user), only its index
// and leaf hash, so the page still accounts for every position of the log.
type LogLine struct {
	Index int64 `json:"index"`
	*tahqiq.LogEntry
	LeafHash string `json:"leaf_hash"` // hex of SHA-256(0x00 || the entry's bytes)
	Redacted bool   `json:"redacted,omitempty"`
}

// LogPage returns entries [from, from+limit) of the custody log and its
// size. Only admins read the log page by page; an admin sees in full the
// entries its organisation may read (reader.visible, the rule exports
// follow too); the others are redacted to their index and leaf hash.
func (s *Service) LogPage(ctx context.Context, actor tahqiq.User, from, limit int64) (int64, []LogLine, error) {
	if actor.Role != tahqiq.RoleAdmin {
		return 0, nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not read the custody log", actor.Name, actor.Role)
	}
	n, err := s.Store.LogSize(ctx)
	if err != nil {
		return 0, nil, err
	}
	from = max(0, min(from, n))
	to := min(n, from+max(1, min(limit, 1000)))
	raw, err := s.Store.LogEntries(ctx, from, to)
	if err != nil {
		return n, nil, err
	}
	rd := s.newReader(actor)
	out := make([]LogLine, 0, len(raw))
	for _, b := range raw {
		e, err := ledger.DecodeEntry(b)
		if err != nil {
			return n, out, tahqiq.Errorf(tahqiq.EVERIFY, "custody log entry %d does not decode: %w", from+int64(len(out)), err)
		}
		h := ledger.LeafHash(b)
		line := LogLine{Index: e.Index, LeafHash: hex.EncodeToString(h[:])}
		ok, err := rd.visible(ctx, e)
		if err != nil {
			return n, out, err
		}
		if ok {
			line.LogEntry = &e
		} else {
			line.Redacted = true
		}
		out = append(out, line)
	}
	return n, out, nil
}
