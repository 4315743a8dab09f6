package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/jobs"
)

func wait(t *testing.T, m *jobs.Manager, id string) jobs.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j, err := m.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestStates(t *testing.T) {
	dir := t.TempDir()
	m, err := jobs.Open(dir, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok, _ := m.Start("u1", "import", func(ctx context.Context, r jobs.Report) (any, error) {
		r(5, 10, "records")
		return map[string]int{"posts": 7}, nil
	})
	bad, _ := m.Start("u1", "coord", func(ctx context.Context, r jobs.Report) (any, error) {
		return nil, tahqiq.Errorf(tahqiq.EINVALID, "line 3: no id")
	})
	pan, _ := m.Start("u2", "audit", func(ctx context.Context, r jobs.Report) (any, error) { panic("boom") })
	started := make(chan struct{})
	slow, _ := m.Start("u2", "verify", func(ctx context.Context, r jobs.Report) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	tests := []struct {
		id, state, code, result string
	}{
		{ok.ID, "done", "", `{"posts":7}`},
		{bad.ID, "failed", "invalid", ""},
		{pan.ID, "failed", "internal", ""},
	}
	for _, tc := range tests {
		j := wait(t, m, tc.id)
		code := ""
		if j.Error != nil {
			code = j.Error.Code
		}
		if string(j.State) != tc.state || code != tc.code || string(j.Result) != tc.result {
			t.Errorf("job %s: state %s code %q result %s; want %s %q %s", j.Kind, j.State, code, j.Result, tc.state, tc.code, tc.result)
		}
	}
	if j, _ := m.Get(ok.ID); j.Progress.Done != 10 || j.Progress.Total != 10 {
		t.Errorf("done job progress %+v; want 10 of 10", j.Progress)
	}
	<-started
	if _, err := m.Cancel(slow.ID); err != nil {
		t.Fatal(err)
	}
	if j := wait(t, m, slow.ID); j.State != jobs.Cancelled {
		t.Errorf("cancelled job state %s", j.State)
	}
	if n := len(m.List("u1")); n != 2 {
		t.Errorf("u1 has %d jobs; want 2", n)
	}
	if _, err := m.Get("j-none"); tahqiq.ErrorCode(err) != tahqiq.ENOTFOUND {
		t.Errorf("Get of a missing job: %v", err)
	}
	// The state is on disk: a new manager reads it back.
	m2, err := jobs.Open(dir, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j, err := m2.Get(ok.ID); err != nil || j.State != jobs.Done || string(j.Result) != `{"posts":7}` {
		t.Errorf("reloaded job: %+v %v", j, err)
	}
}

// A job that was running when the process died is reported as failed
// after a restart, not left running forever.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	j := jobs.Job{ID: "j-1", Kind: "import", State: jobs.Running, Created: time.Now()}
	raw, _ := json.Marshal(j)
	if err := os.WriteFile(filepath.Join(dir, "j-1.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := jobs.Open(dir, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := m.Get("j-1")
	if got.State != jobs.Failed || got.Error == nil {
		t.Fatalf("interrupted job: %+v", got)
	}
}

// Shutdown waits for running jobs and refuses new ones; a job that does
// not stop in time is cancelled and its state saved.
func TestShutdown(t *testing.T) {
	// In a synctest bubble: the job's release at 50 ms and the shutdown's
	// deadline at 300 ms happen in that order on the bubble's clock, not
	// by the machine's timing.
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		m, _ := jobs.Open(dir, 2, nil)
		release := make(chan struct{})
		fast, _ := m.Start("u", "import", func(ctx context.Context, r jobs.Report) (any, error) {
			<-release
			return "ok", nil
		})
		stuck, _ := m.Start("u", "coord", func(ctx context.Context, r jobs.Report) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
		go func() { time.Sleep(50 * time.Millisecond); close(release) }()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := m.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown: %v; want deadline exceeded (one job did not stop)", err)
		}
		if _, err := m.Start("u", "x", nil); err == nil {
			t.Fatal("Start during shutdown accepted")
		}
		m2, _ := jobs.Open(dir, 1, nil)
		if j, _ := m2.Get(fast.ID); j.State != jobs.Done {
			t.Errorf("finished job after shutdown: %s", j.State)
		}
		if j, _ := m2.Get(stuck.ID); j.State != jobs.Cancelled {
			t.Errorf("stuck job after shutdown: %s", j.State)
		}
	})
}
