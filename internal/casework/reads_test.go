package casework_test

import (
	"context"
	"io"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/ledger"
)

func lastEntry(t *testing.T, f *fixture) tahqiq.LogEntry {
	t.Helper()
	ctx := context.Background()
	n, err := f.db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.db.LogEntries(ctx, n-1, n)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ledger.DecodeEntry(raw[0])
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestReadsLogged: showing a case and writing its report each append a
// read entry naming the reader, the case and the items shown; a refused
// read appends nothing.
func TestReadsLogged(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	viewer, err := f.s.AddUser(ctx, f.admin, "", "dina", tahqiq.RoleViewer, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		actor  tahqiq.User
		read   func(tahqiq.User) error
		action string
	}{
		{"show by admin", f.admin, func(u tahqiq.User) error { _, err := f.s.Show(ctx, u, f.c.ID); return err }, "case.read"},
		{"show by viewer", viewer, func(u tahqiq.User) error { _, err := f.s.Show(ctx, u, f.c.ID); return err }, "case.read"},
		{"report", viewer, func(u tahqiq.User) error { return f.s.WriteReport(ctx, u, f.c.ID, io.Discard) }, "case.report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n0, _ := f.db.LogSize(ctx)
			if err := tc.read(tc.actor); err != nil {
				t.Fatal(err)
			}
			n1, _ := f.db.LogSize(ctx)
			e := lastEntry(t, f)
			if n1 != n0+1 || e.Action != tc.action || e.Actor != tc.actor.ID || e.CaseID != f.c.ID || len(e.Hashes) != 1+len(f.items) {
				t.Errorf("log grew %d -> %d, last entry %+v; want one %s by %s of case %s with %d hashes", n0, n1, e, tc.action, tc.actor.ID, f.c.ID, 1+len(f.items))
			}
		})
	}
	partner, _ := f.s.AddOrg(ctx, tahqiq.System, "Observers")
	pu, _ := f.s.AddUser(ctx, tahqiq.System, partner.ID, "chen", tahqiq.RoleViewer, "")
	n0, _ := f.db.LogSize(ctx)
	if _, err := f.s.Show(ctx, pu, f.c.ID); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Fatalf("unshared show: err = %v, want not found", err)
	}
	if n1, _ := f.db.LogSize(ctx); n1 != n0 {
		t.Errorf("refused read logged: log %d -> %d", n0, n1)
	}
	if _, err := f.s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
}
