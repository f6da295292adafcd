package activities

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/task"
)

// The Type of the *temporal.ApplicationError a task activity fails with. Every one carries a
// task.FailureDetails as its only detail.
const (
	// ErrTypeInvalidSpec: the request cannot run as given (missing spec, bad URL or env key).
	// Non-retryable.
	ErrTypeInvalidSpec = "InvalidTaskSpec"
	// ErrTypeShellStart: the process could not start. Non-retryable when the script or working
	// directory is missing or not executable; retryable for transient causes (fork limits).
	ErrTypeShellStart = "ShellStartError"
	// ErrTypeShellExit: the process exited non-zero or died from a signal. Retryable.
	ErrTypeShellExit = "ShellExitError"
	// ErrTypeShellTimeout: the attempt's timeout passed and the process group was killed.
	// Retryable.
	ErrTypeShellTimeout = "ShellTimeoutError"
	// ErrTypeHTTPStatus: the response status was not accepted. Retryable for 5xx, 408 and 429
	// (with NextRetryDelay from Retry-After on 429 and 503); non-retryable otherwise.
	ErrTypeHTTPStatus = "HTTPStatusError"
	// ErrTypeHTTPNetwork: no response arrived (connection, TLS, timeout) or the body could not
	// be read. Retryable.
	ErrTypeHTTPNetwork = "HTTPNetworkError"
	// ErrTypeHostNotAllowed: the host policy refused the URL, a redirect target or the dialed
	// address. Non-retryable.
	ErrTypeHostNotAllowed = "HostNotAllowed"
)

// maxMessageLine bounds the output line quoted in an error message.
const maxMessageLine = 200

// failure describes a failed attempt; newError turns it into an ApplicationError.
type failure struct {
	errType      string
	msg          string
	nonRetryable bool
	retryDelay   time.Duration
	details      task.FailureDetails
}

func (f failure) newError() error {
	msg := f.msg
	if line := lastLine(f.details.Output); line != "" {
		msg += ": " + line
	}
	return temporal.NewApplicationErrorWithOptions(msg, f.errType, temporal.ApplicationErrorOptions{
		NonRetryable:   f.nonRetryable,
		Details:        []any{f.details},
		NextRetryDelay: f.retryDelay,
	})
}

// invalidSpec is the non-retryable error for a request that cannot run as given.
func invalidSpec(req task.Request, attempt int32, msg string) error {
	return failure{
		errType:      ErrTypeInvalidSpec,
		msg:          fmt.Sprintf("task %q: %s", req.TaskName, msg),
		nonRetryable: true,
		details:      task.FailureDetails{Attempt: attempt},
	}.newError()
}

// lastLine returns the last non-blank line of output, trimmed and shortened for a message.
func lastLine(output string) string {
	output = strings.TrimRight(output, " \t\r\n")
	if i := strings.LastIndexByte(output, '\n'); i >= 0 {
		output = output[i+1:]
	}
	output = strings.TrimSpace(output)
	if len(output) > maxMessageLine {
		output = strings.ToValidUTF8(output[:maxMessageLine], "") + "…"
	}
	return output
}
