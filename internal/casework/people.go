package casework

import (
	"context"
	"slices"

	"github.com/tahqiq/tahqiq"
)

// Person is a user named by a record or a log entry (created_by,
// added_by, actor, ...) as a reader may see it: the name of a user of the
// reader's own organisation; for a user of another organisation only
// that organisation's name, the user's own withheld, the rule the log
// page follows (visibility.go: what another organisation's users do is
// theirs to show). The CLI, the API, the web UI and the case report name
// users through it, never from the store directly.
type Person struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`     // "" when withheld
	Org      string `json:"org,omitempty"`      // the user's organisation, by name
	Withheld bool   `json:"withheld,omitempty"` // a user of another organisation
}

// Label is how the person is written for people: the user's name, "a
// user of ORG" when withheld, the ID of a user the store does not know.
func (p Person) Label() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Withheld && p.Org != "":
		return "a user of " + p.Org
	case p.Withheld:
		return "a user of another organisation"
	}
	return p.ID
}

// People returns, for each user ID of ids, the person the reader sees.
// The system administrator (the CLI without --as, who manages every
// organisation) sees every name.
func (s *Service) People(ctx context.Context, reader tahqiq.User, ids []string) (map[string]Person, error) {
	out := make(map[string]Person, len(ids))
	var orgs map[string]string
	for _, id := range ids {
		if _, ok := out[id]; ok || id == "" {
			continue
		}
		if id == tahqiq.SystemID {
			out[id] = Person{ID: id, Name: tahqiq.System.Name}
			continue
		}
		u, err := s.Store.FindUserByID(ctx, id)
		if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
			out[id] = Person{ID: id}
			continue
		}
		if err != nil {
			return nil, err
		}
		if orgs == nil {
			list, err := s.Store.FindOrganisations(ctx)
			if err != nil {
				return nil, err
			}
			orgs = map[string]string{}
			for _, o := range list {
				orgs[o.ID] = o.Name
			}
		}
		p := Person{ID: id, Org: orgs[u.OrgID]}
		if reader.IsSystem() || u.OrgID == reader.OrgID {
			p.Name = u.Name
		} else {
			p.Withheld = true
		}
		out[id] = p
	}
	return out, nil
}

// ViewUsers returns the user IDs a case view names, in order of first
// mention.
func ViewUsers(v View) []string {
	var ids []string
	add := func(xs ...string) {
		for _, x := range xs {
			if x != "" && !slices.Contains(ids, x) {
				ids = append(ids, x)
			}
		}
	}
	add(v.Case.CreatedBy, v.Case.ClosedBy)
	for _, it := range v.Items {
		add(it.AddedBy)
	}
	for _, f := range v.Findings {
		add(f.CreatedBy)
	}
	for _, r := range v.Recommendations {
		add(r.CreatedBy, r.DecidedBy)
	}
	for _, t := range v.Tasks {
		add(t.CreatedBy, t.Assignee, t.UpdatedBy)
	}
	for _, n := range v.Notes {
		add(n.CreatedBy)
	}
	return ids
}

// EntryUsers returns the actors of log entries, in order of first mention.
func EntryUsers(es []tahqiq.LogEntry) []string {
	var ids []string
	for _, e := range es {
		if e.Actor != "" && !slices.Contains(ids, e.Actor) {
			ids = append(ids, e.Actor)
		}
	}
	return ids
}
