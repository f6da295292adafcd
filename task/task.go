// Package task describes a rendered task: what a matched rule asks an activity to do, with every
// placeholder already replaced by the event's values. It is shared by rules (which render it),
// workflows (which schedule it) and activities (which run it).
package task

import "time"

// Type is the kind of a task.
type Type string

// The task types.
const (
	TypeShell Type = "shell"
	TypeHTTP  Type = "http"
)

// Spec is a rendered task: exactly one of Shell and HTTP is set, as Type says.
type Spec struct {
	Type  Type   `json:"type"`
	Shell *Shell `json:"shell,omitempty"`
	HTTP  *HTTP  `json:"http,omitempty"`
}

// Shell runs an executable directly (no shell), with arguments and environment. Payload values
// reach the process only as whole argv elements or environment values.
type Shell struct {
	// Script is the path of the executable. Never rendered from event data.
	Script string `json:"script"`
	// Args are the arguments, after rendering.
	Args []string `json:"args,omitempty"`
	// Env is added to the process environment, after rendering.
	Env map[string]string `json:"env,omitempty"`
	// Dir is the working directory; the worker's own when empty.
	Dir string `json:"dir,omitempty"`
}

// HTTP sends one request.
type HTTP struct {
	// Method is the HTTP method; POST when empty.
	Method string `json:"method,omitempty"`
	// URL is the absolute http or https URL, after rendering.
	URL string `json:"url"`
	// Headers are added to the request, after rendering.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the request body, after rendering; a rule's object body is JSON-encoded.
	Body string `json:"body,omitempty"`
	// AcceptStatus lists the status codes that count as success; any 2xx when empty.
	AcceptStatus []int `json:"acceptStatus,omitempty"`
}

// Request is what the workflow hands a task activity.
type Request struct {
	EventID  string `json:"eventId"`
	RuleID   string `json:"ruleId"`
	TaskName string `json:"taskName"`
	// Timeout bounds one attempt; the activity's StartToCloseTimeout is the same value.
	Timeout time.Duration `json:"timeout"`
	Spec    Spec          `json:"spec"`
	// Compensation marks the compensation of the rule's task: its HTTP Idempotency-Key gets a
	// "/compensation" suffix and a shell task sees EVTRIGGER_COMPENSATION=1.
	Compensation bool `json:"compensation,omitempty"`
	// EventTime is the event's timestamp, for the trigger latency metric; zero in requests
	// scheduled before it existed.
	EventTime time.Time `json:"eventTime,omitzero"`
	// TraceID is the event's trace ID (event.Event.TraceID), for the task's logs; may be empty.
	TraceID string `json:"traceId,omitempty"`
}

// Result is what one successful attempt of a task returned.
type Result struct {
	// Attempt is the 1-based attempt that succeeded.
	Attempt int32 `json:"attempt"`
	// ExitCode is the shell task's exit code.
	ExitCode int `json:"exitCode,omitempty"`
	// StatusCode is the HTTP task's response status.
	StatusCode int `json:"statusCode,omitempty"`
	// Output is the tail of stdout and stderr, or of the response body.
	Output string `json:"output,omitempty"`
	// Duration is how long the attempt took.
	Duration time.Duration `json:"duration"`
}

// FailureDetails is attached to a task activity's ApplicationError, so the workflow can report
// the attempt and output of the last failed attempt.
type FailureDetails struct {
	Attempt    int32  `json:"attempt"`
	ExitCode   int    `json:"exitCode,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Output     string `json:"output,omitempty"`
}
