package workflows

import (
	"errors"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/task"
)

// describeFailure turns a task activity's final error into the message and attempt count the
// status reports: the application error's own message (not the SDK's wrapping), and the attempt
// from the error's task.FailureDetails, else maxAttempts when the retries ran out.
func describeFailure(err error, maxAttempts int32) (string, int32) {
	var attempts int32
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) && actErr.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		attempts = maxAttempts
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		var d task.FailureDetails
		if appErr.HasDetails() && appErr.Details(&d) == nil && d.Attempt > 0 {
			attempts = d.Attempt
		}
		return appErr.Error(), attempts
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return timeoutErr.Error(), attempts
	}
	return err.Error(), attempts
}
