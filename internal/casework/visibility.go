package casework

import (
	"context"

	"github.com/tahqiq/tahqiq"
)

// caseScope is what an organisation may read of a case.
type caseScope struct {
	exists bool
	whole  bool            // its own case, or shared whole with it
	items  map[string]bool // items shared with it one by one
}

// Export scopes: what part of a case an export holds.
const (
	ScopeCase  = "case"  // the whole case: every entry of the case is in the export
	ScopeItems = "items" // the items shared with the exporter's organisation
)

// reader decides which custody-log entries a reader sees in full. It is
// the one rule behind the log page and the entries an export discloses:
//   - an entry of a case the reader's organisation owns or was shared
//     whole: visible;
//   - an entry of a case of which only items were shared: visible when it
//     is about one of those items (their attachment and reads, and the
//     shares of them with the reader's organisation), when it made the
//     case's own record, or when a user of the reader's organisation made
//     it;
//   - an entry of no case: visible when a user of the reader's
//     organisation made it;
//   - anything else is withheld: shown as its index and leaf hash.
type reader struct {
	s      *Service
	actor  tahqiq.User
	scopes map[string]caseScope
	orgOf  map[string]string // user ID -> organisation
}

func (s *Service) newReader(actor tahqiq.User) *reader {
	return &reader{s: s, actor: actor, scopes: map[string]caseScope{}, orgOf: map[string]string{}}
}

func (rd *reader) scope(ctx context.Context, caseID string) (caseScope, error) {
	if sc, ok := rd.scopes[caseID]; ok {
		return sc, nil
	}
	var sc caseScope
	c, err := rd.s.Store.FindCaseByID(ctx, caseID)
	switch {
	case tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND:
	case err != nil:
		return sc, err
	case c.OrgID == rd.actor.OrgID:
		sc = caseScope{exists: true, whole: true}
	default:
		sc.exists = true
		shares, err := rd.s.Store.FindShares(ctx, caseID)
		if err != nil {
			return sc, err
		}
		for _, sh := range shares {
			switch {
			case sh.OrgID != rd.actor.OrgID:
			case sh.ItemID == "":
				sc.whole = true
			default:
				if sc.items == nil {
					sc.items = map[string]bool{}
				}
				sc.items[sh.ItemID] = true
			}
		}
	}
	rd.scopes[caseID] = sc
	return sc, nil
}

func (rd *reader) org(ctx context.Context, userID string) (string, error) {
	if o, ok := rd.orgOf[userID]; ok {
		return o, nil
	}
	u, err := rd.s.Store.FindUserByID(ctx, userID)
	if err != nil && tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		return "", err
	}
	rd.orgOf[userID] = u.OrgID
	return u.OrgID, nil
}

// visible reports whether the reader sees entry e in full.
func (rd *reader) visible(ctx context.Context, e tahqiq.LogEntry) (bool, error) {
	own := func() (bool, error) {
		o, err := rd.org(ctx, e.Actor)
		return o != "" && o == rd.actor.OrgID, err
	}
	if e.CaseID == "" {
		return own()
	}
	sc, err := rd.scope(ctx, e.CaseID)
	if err != nil || !sc.exists {
		return false, err
	}
	if sc.whole {
		return true, nil
	}
	if len(sc.items) == 0 {
		return false, nil
	}
	for _, r := range e.Records {
		if r.Kind == tahqiq.RecCase {
			return true, nil
		}
	}
	if e.Action == "case.create" {
		return true, nil
	}
	if e.ItemID != "" && sc.items[e.ItemID] {
		for _, r := range e.Records {
			if r.Kind == tahqiq.RecShare && r.ID != rd.actor.OrgID+"/"+e.ItemID {
				return false, nil // a share of the item with another organisation
			}
		}
		return true, nil
	}
	return own()
}
