package casework_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
)

// TestCloseCase: closing a case is a logged change of its record
// (case.close, the record's new digest); a closed case refuses every
// change of its contents (ECONFLICT) but is still read, shared and
// exported; reopening it (case.reopen) lets changes in again; the store
// and the bundle verify at every step.
func TestCloseCase(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	inv, err := f.s.AddUser(ctx, f.admin, "", "dina", tahqiq.RoleInvestigator, "")
	if err != nil {
		t.Fatal(err)
	}
	task, err := f.s.AddTask(ctx, f.admin, f.c.ID, "call the returning officer", "")
	if err != nil {
		t.Fatal(err)
	}
	// only an admin or the case's creator closes it
	if _, err := f.s.CloseCase(ctx, inv, f.c.ID); tahqiq.ErrorCode(err) != tahqiq.EFORBIDDEN {
		t.Fatalf("an investigator who did not open the case closes it: %v, want forbidden", err)
	}
	n0, _ := f.db.LogSize(ctx)
	c, err := f.s.CloseCase(ctx, f.admin, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	e := lastEntry(t, f)
	if n1, _ := f.db.LogSize(ctx); n1 != n0+1 || e.Action != "case.close" || e.CaseID != c.ID || len(e.Records) != 1 ||
		e.Records[0].Kind != tahqiq.RecCase || e.Records[0].ID != c.ID || e.Records[0].Version != 2 {
		t.Fatalf("close logged %d entries, last %+v; want one case.close naming the case record's second version", n1-n0, e)
	}
	if !c.Closed() || c.ClosedBy != f.admin.ID || c.ClosedAt.IsZero() {
		t.Fatalf("closed case %+v", c)
	}
	stored, err := f.db.FindCaseByID(ctx, c.ID)
	if err != nil || !stored.Closed() || !stored.ClosedAt.Equal(c.ClosedAt) {
		t.Fatalf("stored case %+v, %v; want closed as returned", stored, err)
	}
	if _, err := f.s.CloseCase(ctx, f.admin, f.c.ID); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("closing a closed case: %v, want conflict", err)
	}
	// every change of the contents is refused, and nothing is logged
	n0, _ = f.db.LogSize(ctx)
	for what, err := range map[string]error{
		"note":    second(f.s.AddNote(ctx, f.admin, c.ID, "late")),
		"task":    second(f.s.AddTask(ctx, f.admin, c.ID, "late", "")),
		"update":  second(f.s.UpdateTask(ctx, f.admin, task.ID, tahqiq.TaskUpdate{Status: ptr(tahqiq.TaskDone)})),
		"attach":  f.s.CheckAttach(ctx, f.admin, c.ID),
		"finding": second(f.s.AddFinding(ctx, f.admin, tahqiq.Finding{CaseID: c.ID, Title: "x", ItemIDs: []string{"i-x"}})),
	} {
		if tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
			t.Errorf("%s on a closed case: %v, want conflict", what, err)
		}
	}
	if n1, _ := f.db.LogSize(ctx); n1 != n0 {
		t.Errorf("refused changes logged %d entries", n1-n0)
	}
	// still read and verified, in the store and as a bundle
	if v, err := f.s.Show(ctx, f.admin, c.ID); err != nil || !v.Case.Closed() {
		t.Fatalf("show closed case: %+v, %v", v.Case, err)
	}
	r, err := f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	out := filepath.Join(t.TempDir(), "closed.zip")
	if _, err := f.s.ExportZipFile(ctx, f.admin, c.ID, out); err != nil {
		t.Fatal(err)
	}
	r, err = bundle.Verify(out, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	// reopened, it changes again; the record is back to its first form
	c, err = f.s.ReopenCase(ctx, f.admin, c.ID)
	if err != nil || c.Closed() {
		t.Fatalf("reopen: %+v, %v", c, err)
	}
	if e := lastEntry(t, f); e.Action != "case.reopen" || e.Records[0].Version != 3 {
		t.Errorf("reopen logged %+v", e)
	}
	if _, err := f.s.ReopenCase(ctx, f.admin, c.ID); tahqiq.ErrorCode(err) != tahqiq.ECONFLICT {
		t.Errorf("reopening an open case: %v, want conflict", err)
	}
	if _, err := f.s.AddNote(ctx, f.admin, c.ID, "after reopening"); err != nil {
		t.Fatal(err)
	}
	r, err = f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	// closing behind casework's back is caught
	rawExec(t, f.dir, `UPDATE cases SET closed_by = 'u-someone', closed_at = '2026-02-08T10:00:00Z' WHERE id = ?`, c.ID)
	r, err = f.s.VerifyStore(ctx, casework.VerifyOptions{})
	if err != nil || r.OK() {
		t.Fatalf("a case closed behind casework's back verifies: %v %v", r, err)
	}
}

func second[T any](_ T, err error) error { return err }
