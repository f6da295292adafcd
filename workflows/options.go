package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// shellHeartbeatTimeout is how soon a shell task whose worker died is noticed and retried
// elsewhere; the shell activity heartbeats well within it.
const shellHeartbeatTimeout = 30 * time.Second

// taskActivityOptions maps a matched rule's timeout and retry policy onto activity options.
// The timeout bounds one attempt; MaxAttempts bounds the series.
func taskActivityOptions(m rules.Match) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: m.Timeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    m.Retry.InitialInterval,
			BackoffCoefficient: m.Retry.Backoff,
			MaximumInterval:    m.Retry.MaxInterval,
			MaximumAttempts:    m.Retry.MaxAttempts,
		},
	}
	if m.Task.Type == task.TypeShell && m.Timeout > shellHeartbeatTimeout {
		opts.HeartbeatTimeout = shellHeartbeatTimeout
	}
	return opts
}
