package workflows

import (
	"time"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// TaskState is where one matched task stands.
type TaskState string

// The task states.
const (
	TaskPending   TaskState = "pending"
	TaskRunning   TaskState = "running"
	TaskSucceeded TaskState = "succeeded"
	TaskFailed    TaskState = "failed"
	// TaskCompensated: the task had succeeded, then its compensation ran (the event was aborted).
	TaskCompensated TaskState = "compensated"
	// TaskSkipped: the task failed and an operator chose to go on without it.
	TaskSkipped TaskState = "skipped"
)

// Phase is where the whole workflow stands.
type Phase string

// The phases.
const (
	PhaseRunning      Phase = "running"
	PhaseWaiting      Phase = "waiting_for_operator"
	PhaseCompensating Phase = "compensating"
	PhaseCompleted    Phase = "completed"
	PhaseFailed       Phase = "failed"
)

// TaskStatus is one matched task as the status query and the workflow result report it.
type TaskStatus struct {
	RuleID      string    `json:"ruleId"`
	RuleVersion int64     `json:"ruleVersion"`
	TaskName    string    `json:"taskName"`
	Type        task.Type `json:"type"`
	State       TaskState `json:"state"`
	// Waiting, while the task is pending, says what it waits for, such as its turn among the
	// events of its ordering key or a permit of its rule's limiter; empty otherwise.
	Waiting string `json:"waiting,omitempty"`
	// Attempts is how many attempts have ended; 0 while the first one runs.
	Attempts  int32     `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	ClosedAt  time.Time `json:"closedAt,omitzero"`
	// Result is the successful attempt's result.
	Result *task.Result `json:"result,omitempty"`
	// OrderKey is the task's ordering key (its rule has an orderBy); it waits pending for its
	// turn among the events of that key.
	OrderKey string `json:"orderKey,omitempty"`
	// OrderError says why a task of a rule with an orderBy ran unordered.
	OrderError string `json:"orderError,omitempty"`
	// CompensationError is the last error of a compensation that failed (the task stays
	// succeeded); empty otherwise.
	CompensationError string `json:"compensationError,omitempty"`
}

// Status is the answer of the status query and the workflow's result.
type Status struct {
	EventID   string `json:"eventId"`
	EventType string `json:"eventType"`
	// Evaluated is false until the rules have been evaluated.
	Evaluated bool `json:"evaluated"`
	// Phase is where the workflow stands; empty in workflows started before phases existed.
	Phase Phase `json:"phase,omitempty"`
	// WaitingUntil, while waiting for an operator, is when the wait ends (then: abort).
	WaitingUntil time.Time    `json:"waitingUntil,omitzero"`
	Tasks        []TaskStatus `json:"tasks"`
	// Verdicts explains each rule considered for the event.
	Verdicts []rules.Verdict `json:"verdicts,omitempty"`
}

// Failed counts the tasks that failed.
func (s Status) Failed() int {
	n := 0
	for _, t := range s.Tasks {
		if t.State == TaskFailed {
			n++
		}
	}
	return n
}

// copyStatus returns a deep enough copy for a query answer: the task slice is not shared.
func (s *Status) snapshot() Status {
	out := *s
	out.Tasks = append([]TaskStatus(nil), s.Tasks...)
	return out
}
