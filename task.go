package tahqiq

import "strings"

// TaskStatus is where a task stands.
type TaskStatus string

// Task statuses.
const (
	TaskOpen       TaskStatus = "open"
	TaskInProgress TaskStatus = "in_progress"
	TaskDone       TaskStatus = "done"
)

// ParseTaskStatus accepts open, in_progress (also "in progress",
// "in-progress", "inprogress") and done, in any case.
func ParseTaskStatus(s string) (TaskStatus, error) {
	k := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch k {
	case "open", "done":
		return TaskStatus(k), nil
	case "in_progress", "inprogress":
		return TaskInProgress, nil
	}
	return "", Errorf(EINVALID, "task status %q: want open, in_progress or done", s)
}

// State is the task's status; tasks stored before statuses existed have
// none and are open, or done when Done is set.
func (t Task) State() TaskStatus {
	switch {
	case t.Status != "":
		return t.Status
	case t.Done:
		return TaskDone
	}
	return TaskOpen
}

// TaskUpdate is a change to a task; nil fields stay as they are, an empty
// Assignee unassigns.
type TaskUpdate struct {
	Status   *TaskStatus `json:"status,omitempty"`
	Assignee *string     `json:"assignee,omitempty"`
}
