// Package jobs runs long work (imports, analyses, verification) in the
// background with progress and cancellation, and keeps every job's state
// in a JSON file so that a restart or a shutdown loses none of it.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/atomicfile"
)

// State is where a job is in its life.
type State string

const (
	Queued    State = "queued"
	Running   State = "running"
	Done      State = "done"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Progress is how far a job is: Done of Total Units (Total 0 when unknown).
type Progress struct {
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Unit  string `json:"unit,omitempty"`
}

// ErrorInfo is a failed job's error as the API shows it.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Job is the state of one job.
type Job struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Owner    string          `json:"owner"` // user id
	State    State           `json:"state"`
	Created  time.Time       `json:"created"`
	Started  time.Time       `json:"started,omitzero"`
	Finished time.Time       `json:"finished,omitzero"`
	Progress Progress        `json:"progress"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    *ErrorInfo      `json:"error,omitempty"`
}

// Report tells the manager how far a job is.
type Report func(done, total int64, unit string)

// Func is the work of a job. It returns a JSON-encodable result.
type Func func(ctx context.Context, report Report) (any, error)

// Manager runs jobs, at most Workers at once, and persists their state
// under its directory.
type Manager struct {
	dir string
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	jobs    map[string]*entry
	slots   chan struct{}
	closing bool
	wg      sync.WaitGroup
}

type entry struct {
	job    Job
	cancel context.CancelFunc
	saved  time.Time
}

// Open loads the jobs stored in dir. A job that was queued or running when
// the process stopped is marked failed, saying so: its work was rolled back
// by the stores' transactions and can be started again.
func Open(dir string, workers int, log *slog.Logger) (*Manager, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if workers <= 0 {
		workers = 2
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{dir: dir, log: log, now: func() time.Time { return time.Now().UTC() },
		jobs: map[string]*entry{}, slots: make(chan struct{}, workers)}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	for _, de := range ents {
		if !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		var j Job
		if err := json.Unmarshal(raw, &j); err != nil {
			log.Warn("jobs: unreadable job file left aside", "file", de.Name(), "err", err)
			continue
		}
		e := &entry{job: j}
		if j.State == Queued || j.State == Running {
			e.job.State = Failed
			e.job.Finished = m.now()
			e.job.Error = &ErrorInfo{Code: tahqiq.EINTERNAL, Message: "the server stopped before this job finished; nothing of it was committed; start it again"}
			if err := m.save(e); err != nil {
				return nil, err
			}
		}
		m.jobs[j.ID] = e
	}
	return m, nil
}

// ErrClosing is returned by Start during shutdown.
var ErrClosing = tahqiq.Errorf(tahqiq.ECONFLICT, "the server is shutting down; no new jobs")

// Start queues fn and returns the job.
func (m *Manager) Start(owner, kind string, fn Func) (Job, error) {
	m.mu.Lock()
	if m.closing {
		m.mu.Unlock()
		return Job{}, ErrClosing
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &entry{job: Job{ID: newID(), Kind: kind, Owner: owner, State: Queued, Created: m.now()}, cancel: cancel}
	m.jobs[e.job.ID] = e
	err := m.save(e)
	j := e.job
	m.wg.Add(1)
	m.mu.Unlock()
	if err != nil {
		cancel()
		m.wg.Done()
		return Job{}, err
	}
	go m.run(ctx, e, fn)
	return j, nil
}

func (m *Manager) run(ctx context.Context, e *entry, fn Func) {
	defer m.wg.Done()
	defer e.cancel()
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		m.finish(e, nil, ctx.Err())
		return
	}
	defer func() { <-m.slots }()
	m.mu.Lock()
	e.job.State, e.job.Started = Running, m.now()
	m.saveLocked(e)
	m.mu.Unlock()
	res, err := func() (res any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("jobs: %s job panicked: %v", e.job.Kind, r)
			}
		}()
		return fn(ctx, func(done, total int64, unit string) {
			m.mu.Lock()
			defer m.mu.Unlock()
			e.job.Progress = Progress{Done: done, Total: total, Unit: unit}
			if m.now().Sub(e.saved) >= time.Second {
				m.saveLocked(e)
			}
		})
	}()
	m.finish(e, res, err)
}

func (m *Manager) finish(e *entry, res any, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.job.Finished = m.now()
	switch {
	case err == nil:
		raw, merr := json.Marshal(res)
		if merr != nil {
			e.job.State = Failed
			e.job.Error = &ErrorInfo{Code: tahqiq.EINTERNAL, Message: "result: " + merr.Error()}
			break
		}
		e.job.State, e.job.Result = Done, raw
		if e.job.Progress.Total > 0 {
			e.job.Progress.Done = e.job.Progress.Total
		}
	case errors.Is(err, context.Canceled):
		e.job.State = Cancelled
		e.job.Error = &ErrorInfo{Code: tahqiq.ECONFLICT, Message: "cancelled; nothing of it was committed"}
	default:
		e.job.State = Failed
		e.job.Error = &ErrorInfo{Code: tahqiq.ErrorCode(err), Message: tahqiq.ErrorMessage(err)}
		m.log.Error("job failed", "id", e.job.ID, "kind", e.job.Kind, "err", err)
	}
	m.saveLocked(e)
}

// Get returns a job.
func (m *Manager) Get(id string) (Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.jobs[id]
	if !ok {
		return Job{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no job %q", id)
	}
	return e.job, nil
}

// List returns the jobs of owner (all when owner is empty), newest first.
func (m *Manager) List(owner string) []Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []Job{}
	for _, e := range m.jobs {
		if owner == "" || e.job.Owner == owner {
			out = append(out, e.job)
		}
	}
	slices.SortFunc(out, func(a, b Job) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Cancel asks a queued or running job to stop.
func (m *Manager) Cancel(id string) (Job, error) {
	m.mu.Lock()
	e, ok := m.jobs[id]
	m.mu.Unlock()
	if !ok {
		return Job{}, tahqiq.Errorf(tahqiq.ENOTFOUND, "no job %q", id)
	}
	if e.cancel != nil {
		e.cancel()
	}
	return m.Get(id)
}

// CancelOwner asks every queued or running job of owner to stop (a user
// disabled mid-job must not go on acting through its jobs) and returns how
// many it asked.
func (m *Manager) CancelOwner(owner string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.jobs {
		if e.job.Owner == owner && (e.job.State == Queued || e.job.State == Running) && e.cancel != nil {
			e.cancel()
			n++
		}
	}
	return n
}

// Wait blocks until the job is finished or ctx ends.
func (m *Manager) Wait(ctx context.Context, id string) (Job, error) {
	for {
		j, err := m.Get(id)
		if err != nil || (j.State != Queued && j.State != Running) {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Shutdown refuses new jobs and waits for the running ones; when ctx ends
// first, it cancels them and waits for them to record that they stopped.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.closing = true
	m.mu.Unlock()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	m.mu.Lock()
	for _, e := range m.jobs {
		if e.cancel != nil {
			e.cancel()
		}
	}
	m.mu.Unlock()
	<-done
	return ctx.Err()
}

func (m *Manager) saveLocked(e *entry) {
	if err := m.save(e); err != nil {
		m.log.Error("jobs: cannot save job state", "id", e.job.ID, "err", err)
	}
}

// save writes the job file atomically (temp file, fsync, rename).
func (m *Manager) save(e *entry) error {
	raw, err := json.Marshal(e.job)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	path := filepath.Join(m.dir, e.job.ID+".json")
	if err := atomicfile.Write(path, raw, 0o600); err != nil {
		return fmt.Errorf("jobs: save %s: %w", e.job.ID, err)
	}
	e.saved = m.now()
	return nil
}

func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("jobs: no randomness: " + err.Error())
	}
	return "j-" + hex.EncodeToString(b[:])
}
