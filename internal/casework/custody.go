package casework

import (
	"context"

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
	for _, b := range entries {
		e, err := ledger.DecodeEntry(b)
		if err != nil || e.ItemID != it.ID {
			continue
		}
		c.History = append(c.History, e)
		if e.Action == "item.attach" && c.Entry < 0 {
			c.Entry = e.Index
		}
	}
	if c.Entry >= 0 {
		if c.Proof, err = ledger.ProveInclusion(s.Store.LogHashes(ctx), c.Entry, cp.Size); err != nil {
			return c, err
		}
	}
	return c, nil
}

// LogPage returns entries [from, from+limit) of the custody log and its
// size. Only admins read the whole log: it names every case and actor.
func (s *Service) LogPage(ctx context.Context, actor tahqiq.User, from, limit int64) (int64, []tahqiq.LogEntry, error) {
	if actor.Role != tahqiq.RoleAdmin {
		return 0, nil, tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not read the whole custody log", actor.Name, actor.Role)
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
	out := make([]tahqiq.LogEntry, 0, len(raw))
	for _, b := range raw {
		e, err := ledger.DecodeEntry(b)
		if err != nil {
			return n, out, tahqiq.Errorf(tahqiq.EVERIFY, "custody log entry %d does not decode: %v", from+int64(len(out)), err)
		}
		out = append(out, e)
	}
	return n, out, nil
}
