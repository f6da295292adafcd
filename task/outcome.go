package task

import "time"

// OutcomeStatus is what happened to a task, as published to the outcome topic.
type OutcomeStatus string

// The outcome statuses.
const (
	OutcomeTriggered   OutcomeStatus = "triggered"
	OutcomeSucceeded   OutcomeStatus = "succeeded"
	OutcomeFailed      OutcomeStatus = "failed"
	OutcomeCompensated OutcomeStatus = "compensated"
)

// Outcome is one task outcome event, published (keyed by event ID) so downstream systems can
// react to results. Delivery is at-least-once: consumers dedupe on (eventId, ruleId, status).
type Outcome struct {
	EventID     string        `json:"eventId"`
	EventType   string        `json:"eventType"`
	RuleID      string        `json:"ruleId"`
	RuleVersion int64         `json:"ruleVersion"`
	TaskName    string        `json:"taskName"`
	TaskType    Type          `json:"taskType"`
	Status      OutcomeStatus `json:"status"`
	// Attempts is how many attempts the task took (succeeded, failed).
	Attempts int32 `json:"attempts,omitempty"`
	// Error is the last error of a failed task.
	Error string `json:"error,omitempty"`
	// At is the workflow time of the outcome.
	At time.Time `json:"at"`
}
