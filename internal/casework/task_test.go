package casework_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/bundle"
	"github.com/tahqiq/tahqiq/internal/casework"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateTask(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	dina, err := f.s.AddUser(ctx, f.admin, "", "dina", tahqiq.RoleInvestigator, "")
	if err != nil {
		t.Fatal(err)
	}
	viewer, _ := f.s.AddUser(ctx, f.admin, "", "omar", tahqiq.RoleViewer, "")
	task, err := f.s.AddTask(ctx, f.admin, f.c.ID, "call the returning officer", "")
	if err != nil {
		t.Fatal(err)
	}
	if task.State() != tahqiq.TaskOpen {
		t.Fatalf("new task state %q, want open", task.State())
	}
	steps := []struct {
		name    string
		actor   tahqiq.User
		upd     tahqiq.TaskUpdate
		code    string
		status  tahqiq.TaskStatus
		assigne string
		details string
	}{
		{"start and assign by name", f.admin, tahqiq.TaskUpdate{Status: ptr(tahqiq.TaskStatus("in progress")), Assignee: ptr("dina")}, "", tahqiq.TaskInProgress, dina.ID, `status open -> in_progress, assignee "" -> "` + dina.ID + `"`},
		{"done by assignee", dina, tahqiq.TaskUpdate{Status: ptr(tahqiq.TaskDone)}, "", tahqiq.TaskDone, dina.ID, "status in_progress -> done"},
		{"unassign", dina, tahqiq.TaskUpdate{Assignee: ptr("")}, "", tahqiq.TaskDone, "", `assignee "` + dina.ID + `" -> ""`},
		{"viewer may not", viewer, tahqiq.TaskUpdate{Status: ptr(tahqiq.TaskOpen)}, tahqiq.EFORBIDDEN, "", "", ""},
		{"bad status", f.admin, tahqiq.TaskUpdate{Status: ptr(tahqiq.TaskStatus("finished"))}, tahqiq.EINVALID, "", "", ""},
		{"unknown assignee", f.admin, tahqiq.TaskUpdate{Assignee: ptr("nobody")}, tahqiq.EINVALID, "", "", ""},
		{"nothing to change", f.admin, tahqiq.TaskUpdate{}, tahqiq.EINVALID, "", "", ""},
	}
	for _, st := range steps {
		n0, _ := f.db.LogSize(ctx)
		got, err := f.s.UpdateTask(ctx, st.actor, task.ID, st.upd)
		n1, _ := f.db.LogSize(ctx)
		if st.code != "" {
			if tahqiq.ErrorCode(err) != st.code || n1 != n0 {
				t.Errorf("%s: err %v, log %d -> %d; want %s and nothing logged", st.name, err, n0, n1, st.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		e := lastEntry(t, f)
		if got.State() != st.status || got.Done != (st.status == tahqiq.TaskDone) || got.Assignee != st.assigne || got.UpdatedBy != st.actor.ID {
			t.Errorf("%s: task %+v; want status %s, assignee %q, updated by %s", st.name, got, st.status, st.assigne, st.actor.ID)
		}
		if n1 != n0+1 || e.Action != "task.update" || e.Actor != st.actor.ID || !strings.Contains(e.Details, st.details) {
			t.Errorf("%s: log %d -> %d, last %+v; want one task.update by %s with %q", st.name, n0, n1, e, st.actor.ID, st.details)
		}
	}
	v, err := f.s.Show(ctx, f.admin, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tasks) != 1 || v.Tasks[0].State() != tahqiq.TaskDone {
		t.Errorf("case shows tasks %+v; want the one task, done", v.Tasks)
	}
	f.s.Checkpoint(ctx)
	r, err := f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	out := filepath.Join(t.TempDir(), "b.zip")
	if _, err := f.s.ExportZipFile(ctx, f.admin, f.c.ID, out); err != nil {
		t.Fatal(err)
	}
	r, err = bundle.Verify(out, casework.VerifyOptions{})
	wantProblem(t, r, err, "")
	// Editing the task behind casework's back is caught.
	rawExec(t, f.dir, `UPDATE case_records SET data = replace(data, '"done"', '"open"') WHERE kind = 'task'`)
	r, err = f.s.VerifyStore(ctx, casework.VerifyOptions{})
	wantProblem(t, r, err, "task "+task.ID+" \"call the returning officer\" (open) of case "+f.c.ID+": differs from every state the log recorded")
}
