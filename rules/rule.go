package rules

import (
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// Rule is one trigger rule in the seed's format, plus retry and timeout. The package doc
// describes every field, its default and its checks; Compiled.Rule has the defaults applied.
type Rule struct {
	// ID identifies the rule: ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$, unique in a set. Required.
	ID string `json:"ruleId" yaml:"ruleId"`
	// Name is a human-readable name.
	Name string `json:"ruleName,omitempty" yaml:"ruleName"`
	// EventType is an exact event type or a pattern with * and # segments. Required, except
	// with a Schedule: then it is ScheduleEventType(ID), filled in when empty.
	EventType string `json:"eventType" yaml:"eventType"`
	// Schedule, when set, makes the rule fire on its own: "@every 30s" or a five-field cron
	// expression (see ParseSchedule). Each firing is a synthetic event of type
	// ScheduleEventType(ID). Empty: the rule waits for events.
	Schedule string `json:"schedule,omitempty" yaml:"schedule"`
	// Condition is a CEL expression yielding a bool; empty always holds.
	Condition string `json:"condition,omitempty" yaml:"condition"`
	// OrderBy, when set, is a CEL expression yielding a string or number: the ordering key. The
	// rule's tasks for events sharing a key run one at a time, in the order the events arrived
	// (see OrderKey). Empty: the rule's tasks run as soon as their events arrive.
	OrderBy string `json:"orderBy,omitempty" yaml:"orderBy"`
	// TaskName names the task; the ID when empty.
	TaskName string `json:"taskName" yaml:"taskName"`
	// TaskType is shell or http. Required.
	TaskType task.Type `json:"taskType" yaml:"taskType"`
	// Parameters are the task type's parameters, with placeholders.
	Parameters map[string]any `json:"parameters,omitempty" yaml:"parameters"`
	// Retry is the retry policy; nil for the defaults.
	Retry *Retry `json:"retry,omitempty" yaml:"retry"`
	// Compensation undoes the task when another task of the same event fails for good; nil: none.
	Compensation *Compensation `json:"compensation,omitempty" yaml:"compensation"`
	// Timeout bounds one attempt of the task; 10m when zero.
	Timeout Duration `json:"timeout,omitempty" yaml:"timeout"`
	// Priority is HIGH, MEDIUM or LOW; MEDIUM when empty.
	Priority event.Priority `json:"priority,omitempty" yaml:"priority"`
	// Concurrency caps how many of the rule's tasks run at once across all workers; 0: no cap.
	Concurrency int `json:"concurrency,omitempty" yaml:"concurrency"`
	// RateLimit caps how fast the rule's tasks start: "N/s", "N/m" or "N/h" (ParseRateLimit);
	// empty: no limit.
	RateLimit string `json:"rateLimit,omitempty" yaml:"rateLimit"`
	// Enabled is false to keep the rule without running it; nil means enabled.
	Enabled *bool `json:"enabled,omitempty" yaml:"enabled"`
	// Description is free text.
	Description string `json:"description,omitempty" yaml:"description"`
	// Version counts the saved versions of the rule; rules loaded from a file are version 1.
	Version int64 `json:"version,omitempty" yaml:"version"`
}

// IsEnabled reports whether the rule is enabled; a rule that does not say is enabled.
func (r *Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// Retry is a rule's retry policy for its task.
type Retry struct {
	// MaxAttempts counts all attempts, the first included. Default 3.
	MaxAttempts int32 `json:"maxAttempts,omitempty" yaml:"maxAttempts"`
	// InitialInterval is the wait before the second attempt. Default 1s.
	InitialInterval Duration `json:"initialInterval,omitempty" yaml:"initialInterval"`
	// Backoff multiplies the wait after each attempt. Default 2.0.
	Backoff float64 `json:"backoff,omitempty" yaml:"backoff"`
	// MaxInterval caps the wait. Default 1m.
	MaxInterval Duration `json:"maxInterval,omitempty" yaml:"maxInterval"`
}

// Duration is a time.Duration written as "30s", "1m30s" or a number of seconds.
type Duration time.Duration

// Outcome says what became of one rule for one event.
type Outcome string

// The outcomes of evaluating one rule against one event.
const (
	OutcomeMatched        Outcome = "matched"
	OutcomeTypeMismatch   Outcome = "type_mismatch"
	OutcomeConditionFalse Outcome = "condition_false"
	OutcomeConditionError Outcome = "condition_error"
	OutcomeDisabled       Outcome = "disabled"
	// OutcomeRenderError: the condition held but a placeholder could not be rendered.
	OutcomeRenderError Outcome = "render_error"
)

// Verdict is the explanation for one rule considered for an event.
type Verdict struct {
	RuleID  string  `json:"ruleId"`
	Version int64   `json:"version"`
	Outcome Outcome `json:"outcome"`
	// Message is the error for condition_error and render_error, empty otherwise.
	Message string `json:"message,omitempty"`
}

// Match is a rule that matched an event, with its task rendered: a snapshot, so a rule changed
// later does not change what this event's workflow runs.
type Match struct {
	RuleID   string         `json:"ruleId"`
	Version  int64          `json:"version"`
	TaskName string         `json:"taskName"`
	Priority event.Priority `json:"priority"`
	// Task is the rendered task. Treat it as read-only: an HTTP task whose headers have no
	// placeholder shares its Headers map with every task of the same rule.
	Task task.Spec `json:"task"`
	// Timeout bounds one attempt of the task.
	Timeout time.Duration `json:"timeout"`
	// Retry is the rule's policy with defaults filled in.
	Retry RetryPolicy `json:"retry"`
	// Compensation is the rendered compensation task; nil when the rule has none.
	Compensation *CompensationTask `json:"compensation,omitempty"`
	// Ordered: the rule has an orderBy, so the task waits for its turn among the events of its
	// ordering key.
	Ordered bool `json:"ordered,omitempty"`
	// Limits are the rule's concurrency cap and rate limit; nil when it has neither.
	Limits *Limits `json:"limits,omitempty"`
}

// RetryPolicy is a Retry with every default applied.
type RetryPolicy struct {
	MaxAttempts     int32         `json:"maxAttempts"`
	InitialInterval time.Duration `json:"initialInterval"`
	Backoff         float64       `json:"backoff"`
	MaxInterval     time.Duration `json:"maxInterval"`
}

// Evaluation is the result of evaluating a rule set against one event.
type Evaluation struct {
	// Matched lists the matching rules, highest priority first, then by rule ID.
	Matched []Match `json:"matched"`
	// Verdicts explains every rule considered, in rule ID order; matched rules included.
	Verdicts []Verdict `json:"verdicts"`
}
