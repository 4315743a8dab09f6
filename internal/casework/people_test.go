package casework_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

// TestPeople: who a reader sees behind a user ID: its own organisation's
// users by name, another organisation's as "a user of ORG", every name for
// the system administrator; the system administrator by that title; an
// ID the store does not know as itself.
func TestPeople(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	partner, err := f.s.AddOrg(ctx, tahqiq.System, "Observers")
	if err != nil {
		t.Fatal(err)
	}
	chen, err := f.s.AddUser(ctx, tahqiq.System, partner.ID, "chen", tahqiq.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{f.admin.ID, chen.ID, tahqiq.SystemID, "u000000000000", f.admin.ID}
	tests := []struct {
		reader tahqiq.User
		want   map[string]string
	}{
		{f.admin, map[string]string{f.admin.ID: "amina", chen.ID: "a user of Observers", tahqiq.SystemID: "system administrator", "u000000000000": "u000000000000"}},
		{chen, map[string]string{f.admin.ID: "a user of Team", chen.ID: "chen", tahqiq.SystemID: "system administrator", "u000000000000": "u000000000000"}},
		{tahqiq.System, map[string]string{f.admin.ID: "amina", chen.ID: "chen", tahqiq.SystemID: "system administrator", "u000000000000": "u000000000000"}},
	}
	for _, tc := range tests {
		got, err := f.s.People(ctx, tc.reader, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s reads %d people, want %d", tc.reader.Name, len(got), len(tc.want))
		}
		for id, want := range tc.want {
			if l := got[id].Label(); l != want {
				t.Errorf("%s reads %s as %q, want %q", tc.reader.Name, id, l, want)
			}
		}
		if p := got[chen.ID]; tc.reader.OrgID == f.admin.OrgID && (p.Name != "" || !p.Withheld || p.Org != "Observers") {
			t.Errorf("a user of another organisation: %+v", p)
		}
	}
	if ids := casework.ViewUsers(casework.View{Case: tahqiq.Case{CreatedBy: "u1"}, Tasks: []tahqiq.Task{{CreatedBy: "u1", Assignee: "u2"}}}); len(ids) != 2 || ids[1] != "u2" {
		t.Errorf("ViewUsers = %v", ids)
	}
}
