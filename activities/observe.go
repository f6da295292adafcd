package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/task"
)

// observeTask records the start of a task attempt in a.Metrics (triggered or retried, trigger
// latency) and returns the function that records its end with the attempt's error.
func (a *Activities) observeTask(ctx context.Context, req task.Request, typ task.Type) func(error) {
	info := activity.GetInfo(ctx)
	a.Metrics.TaskStarted(req.RuleID, string(typ), info.Attempt, req.EventTime)
	start := time.Now()
	return func(err error) {
		a.Metrics.TaskFinished(req.RuleID, string(typ), taskOutcome(ctx, info, err), time.Since(start))
	}
}

// taskOutcome names an attempt's end: succeeded; canceled when ctx was canceled; failed when
// no retry follows (a non-retryable error, or the retry policy's last attempt); else retrying.
func taskOutcome(ctx context.Context, info activity.Info, err error) string {
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		return metrics.TaskSucceeded
	case errors.Is(ctx.Err(), context.Canceled):
		return metrics.TaskCanceled
	case errors.As(err, &appErr) && appErr.NonRetryable():
		return metrics.TaskFailed
	case info.RetryPolicy != nil && info.RetryPolicy.MaximumAttempts > 0 && info.Attempt >= info.RetryPolicy.MaximumAttempts:
		return metrics.TaskFailed
	default:
		return metrics.TaskRetrying
	}
}
