package casework

import (
	"context"

	"github.com/tahqiq/tahqiq"
)

// Access rules, in one place:
//
//   - Members of the owning organisation read a case; its admins and
//     investigators change it.
//   - Another organisation reads what is shared with it, case by case or
//     item by item, and changes nothing. TLP:RED material (a case, or an
//     item) is never visible to another organisation, whatever was shared.
//   - What the caller may not see does not exist for it: the answer is
//     ENOTFOUND with the same message as for an ID that names nothing, so
//     that nobody learns another organisation's IDs or names. What it sees
//     but may not do is EFORBIDDEN.

// notFound is the answer for what does not exist or is not the caller's
// to see: the stores' own wording, so the two cannot be told apart.
func notFound(what, id string) error {
	return tahqiq.Errorf(tahqiq.ENOTFOUND, "no %s %q", what, id)
}

// access is the one place that decides whether actor may read (or, with
// write, change) case c, or item itemID of it when itemID is set.
func (s *Service) access(ctx context.Context, actor tahqiq.User, c tahqiq.Case, itemID string, write bool) error {
	if actor.OrgID != "" && actor.OrgID == c.OrgID {
		if write && !actor.Role.CanWrite() {
			return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not change case %s", actor.Name, actor.Role, c.ID)
		}
		return nil
	}
	invisible := func() error {
		if itemID != "" && itemID != caseRecords {
			return notFound("item", itemID)
		}
		return notFound("case", c.ID)
	}
	if actor.OrgID == "" || c.TLP == tahqiq.TLPRed {
		return invisible()
	}
	shares, err := s.Store.FindShares(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, sh := range shares {
		if sh.OrgID == actor.OrgID && (sh.ItemID == "" || sh.ItemID == itemID || itemID == "") {
			if write {
				return tahqiq.Errorf(tahqiq.EFORBIDDEN, "case %s is shared with your organisation to read; only its own organisation changes it", c.ID)
			}
			return nil
		}
	}
	return invisible()
}

// caseRecords is the item ID access is asked about for a case's findings,
// recommendations, tasks and notes: only a share of the whole case opens
// them.
const caseRecords = "\x00case"

// openCase finds a case and checks access to it.
func (s *Service) openCase(ctx context.Context, actor tahqiq.User, id string, write bool) (tahqiq.Case, error) {
	c, err := s.Store.FindCaseByID(ctx, id)
	if err != nil {
		return c, err
	}
	if err := s.access(ctx, actor, c, "", write); err != nil {
		return c, err
	}
	if write {
		return c, notClosed(c)
	}
	return c, nil
}

// notClosed refuses a change to the contents of a closed case.
func notClosed(c tahqiq.Case) error {
	if c.Closed() {
		return tahqiq.Errorf(tahqiq.ECONFLICT, "case %s is closed: reopen it to change it", c.ID)
	}
	return nil
}

// itemVisible reports whether actor may read item it of case c: access
// to it, and never another organisation's TLP:RED item.
func (s *Service) itemVisible(ctx context.Context, actor tahqiq.User, c tahqiq.Case, it tahqiq.Item) error {
	if it.TLP == tahqiq.TLPRed && actor.OrgID != c.OrgID {
		return notFound("item", it.ID)
	}
	return s.access(ctx, actor, c, it.ID, false)
}

// visibleItems filters items to those actor may read.
func (s *Service) visibleItems(ctx context.Context, actor tahqiq.User, c tahqiq.Case, items []tahqiq.Item) []tahqiq.Item {
	var out []tahqiq.Item
	for _, it := range items {
		if s.itemVisible(ctx, actor, c, it) == nil {
			out = append(out, it)
		}
	}
	return out
}

// CheckAttach reports whether actor may attach evidence to case caseID,
// before anything is received.
func (s *Service) CheckAttach(ctx context.Context, actor tahqiq.User, caseID string) error {
	_, err := s.openCase(ctx, actor, caseID, true)
	return err
}
