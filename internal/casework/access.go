package casework

import (
	"context"

	"github.com/tahqiq/tahqiq"
)

// access is the one place that decides whether actor may read (or, with
// write, change) case c, or item itemID of it when itemID is set.
// Members of the owning organisation may read; admins and investigators
// may write. Another organisation may read what is shared with it, case by
// case or item by item; only the owner writes.
func (s *Service) access(ctx context.Context, actor tahqiq.User, c tahqiq.Case, itemID string, write bool) error {
	if actor.OrgID == c.OrgID {
		if write && !actor.Role.CanWrite() {
			return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s (%s) may not change case %s", actor.Name, actor.Role, c.ID)
		}
		return nil
	}
	if !write {
		shares, err := s.Store.FindShares(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, sh := range shares {
			if sh.OrgID == actor.OrgID && (sh.ItemID == "" || sh.ItemID == itemID || itemID == "") {
				return nil
			}
		}
	}
	return tahqiq.Errorf(tahqiq.EFORBIDDEN, "user %s has no access to case %s", actor.Name, c.ID)
}

// openCase finds a case and checks access to it.
func (s *Service) openCase(ctx context.Context, actor tahqiq.User, id string, write bool) (tahqiq.Case, error) {
	c, err := s.Store.FindCaseByID(ctx, id)
	if err != nil {
		return c, err
	}
	return c, s.access(ctx, actor, c, "", write)
}

// visibleItems filters items to those actor may read.
func (s *Service) visibleItems(ctx context.Context, actor tahqiq.User, c tahqiq.Case, items []tahqiq.Item) []tahqiq.Item {
	var out []tahqiq.Item
	for _, it := range items {
		if s.access(ctx, actor, c, it.ID, false) == nil {
			out = append(out, it)
		}
	}
	return out
}
