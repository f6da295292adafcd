package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// shellHeartbeatTimeout is how soon a shell task whose worker died is noticed and retried
// elsewhere, and how soon a cancellation reaches it (cancellation travels with heartbeats):
// a quarter of the task's timeout, between 2 s and 30 s. The shell activity heartbeats well
// within it.
func shellHeartbeatTimeout(timeout time.Duration) time.Duration {
	return min(max(timeout/4, 2*time.Second), 30*time.Second)
}

// taskActivityOptions maps a task's timeout and retry policy onto activity options. The timeout
// bounds one attempt; MaxAttempts bounds the series.
func taskActivityOptions(t task.Type, timeout time.Duration, retry rules.RetryPolicy) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{StartToCloseTimeout: timeout, RetryPolicy: retryPolicy(retry)}
	if t == task.TypeShell {
		opts.HeartbeatTimeout = shellHeartbeatTimeout(timeout)
	}
	return opts
}

// LocalTaskMaxTimeout is the longest timeout of an HTTP task that runs as a local activity:
// in the workflow task itself, without a round trip through the activity task queue (see
// docs/ARCHITECTURE.md, Workflow shape and cost). Longer HTTP tasks, and every shell task (they
// heartbeat, and a worker's death must not take the process group's owner with it), run as
// regular activities.
const LocalTaskMaxTimeout = 30 * time.Second

// runsLocally reports whether a task of type t with the given attempt timeout runs as a local
// activity.
func runsLocally(t task.Type, timeout time.Duration) bool {
	return t == task.TypeHTTP && timeout > 0 && timeout <= LocalTaskMaxTimeout
}

// localTaskOptions maps a task's timeout and retry policy onto local activity options.
func localTaskOptions(timeout time.Duration, retry rules.RetryPolicy) workflow.LocalActivityOptions {
	return workflow.LocalActivityOptions{StartToCloseTimeout: timeout, RetryPolicy: retryPolicy(retry)}
}

// retryPolicy maps a rule's retry policy onto Temporal's.
func retryPolicy(retry rules.RetryPolicy) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:    retry.InitialInterval,
		BackoffCoefficient: retry.Backoff,
		MaximumInterval:    retry.MaxInterval,
		MaximumAttempts:    retry.MaxAttempts,
	}
}
