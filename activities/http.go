package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/evtrigger/evtrigger/task"
)

// maxRetryAfter caps the retry delay a Retry-After header can ask for.
const maxRetryAfter = 5 * time.Minute

// RunHTTP sends req.Spec.HTTP's request (POST when no method is given) and returns the status
// and the tail of the response body.
//
// Besides the rule's headers it sets Idempotency-Key "<EventID>/<RuleID>" and User-Agent
// "evtrigger" unless the rule set them, X-Evtrigger-Attempt to the attempt number (a short task
// run again after its worker died, as a local activity, starts again at 1),
// X-Evtrigger-Run-Id to the event workflow's run ID, and
// Content-Type application/json when the body is JSON and the rule set none. A "Host" header
// sets the request's Host. The attempt is bounded by req.Timeout (if non-zero) and ctx. At most
// a.MaxResponseBytes of the body are read; a larger body closes the connection instead of
// returning it to the pool.
//
// The request succeeds when the status is in AcceptStatus, or is 2xx when AcceptStatus is empty.
// Errors are *temporal.ApplicationError with a task.FailureDetails detail, of type
// ErrTypeHTTPStatus (retryable for 5xx, 408 and 429, with NextRetryDelay from a Retry-After on
// 429 and 503, capped at 5 minutes; non-retryable for any other status, including a 3xx left
// after the redirect limit), ErrTypeHTTPNetwork (retryable), ErrTypeHostNotAllowed or
// ErrTypeInvalidSpec (both non-retryable). When the activity is canceled, the error wraps
// context.Canceled.
func (a *Activities) RunHTTP(ctx context.Context, req task.Request) (task.Result, error) {
	done := a.observeTask(ctx, req, task.TypeHTTP)
	res, err := a.runHTTP(ctx, req)
	done(err)
	return res, err
}

func (a *Activities) runHTTP(ctx context.Context, req task.Request) (task.Result, error) {
	info := activity.GetInfo(ctx)
	attempt := info.Attempt
	log := a.logger(req, attempt)
	runCtx, cancel := withTimeout(ctx, req.Timeout)
	defer cancel()
	httpReq, err := a.newHTTPRequest(runCtx, req, attempt)
	if err != nil {
		return task.Result{}, err
	}
	httpReq.Header.Set("X-Evtrigger-Run-Id", info.WorkflowExecution.RunID)
	call := httpCall{req: req, attempt: attempt, target: redactedTarget(httpReq)}

	log.Debug("sending http task", "target", call.target)
	start := time.Now()
	stopHeartbeat := startHeartbeat(ctx)
	defer stopHeartbeat()
	resp, err := a.client().Do(httpReq)
	if err != nil {
		log.Warn("http task failed", "error", err)
		return task.Result{}, call.transportError(ctx, err, task.FailureDetails{Attempt: attempt})
	}
	output, readErr := a.readBody(resp.Body)
	elapsed := time.Since(start)
	details := task.FailureDetails{Attempt: attempt, StatusCode: resp.StatusCode, Output: output}
	if !statusAccepted(req.Spec.HTTP.AcceptStatus, resp.StatusCode) {
		log.Warn("http task failed", "status", resp.StatusCode, "duration", elapsed)
		return task.Result{}, call.statusError(resp, details)
	}
	if readErr != nil {
		log.Warn("http task failed reading the response", "error", readErr)
		return task.Result{}, call.transportError(ctx, readErr, details)
	}
	log.Info("http task succeeded", "status", resp.StatusCode, "duration", elapsed)
	return task.Result{Attempt: attempt, StatusCode: resp.StatusCode, Output: output, Duration: elapsed}, nil
}

// client returns a.HTTPClient, or a fresh policy-enforcing client when it is nil.
func (a *Activities) client() *http.Client {
	if a.HTTPClient != nil {
		return a.HTTPClient
	}
	return newHTTPClient(a.Hosts, DefaultHTTPMaxRedirects)
}

// readBody reads at most a.MaxResponseBytes of body, keeps the tail, and closes body.
func (a *Activities) readBody(body io.ReadCloser) (string, error) {
	defer body.Close()
	out := newTailBuffer(a.OutputLimit)
	_, err := io.Copy(out, io.LimitReader(body, a.MaxResponseBytes))
	return out.String(), err
}

// statusAccepted reports whether code counts as success.
func statusAccepted(accept []int, code int) bool {
	if len(accept) == 0 {
		return code >= 200 && code <= 299
	}
	return slices.Contains(accept, code)
}

// httpCall names one attempt of an HTTP task in its errors.
type httpCall struct {
	req     task.Request
	attempt int32
	target  string // method and URL without credentials, query or fragment
}

// statusError classifies an unaccepted response.
func (c httpCall) statusError(resp *http.Response, details task.FailureDetails) error {
	code := resp.StatusCode
	f := failure{
		errType:      ErrTypeHTTPStatus,
		msg:          fmt.Sprintf("http task %q: %s: status %s", c.req.TaskName, c.target, statusText(resp)),
		nonRetryable: code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests,
		details:      details,
	}
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		f.retryDelay = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return f.newError()
}

// transportError classifies a failure to get or read a response.
func (c httpCall) transportError(ctx context.Context, err error, details task.FailureDetails) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("http task %q: %w", c.req.TaskName, ctx.Err())
	}
	if uerr, ok := errors.AsType[*url.Error](err); ok {
		err = uerr.Err // its message repeats the full URL, query included
	}
	f := failure{errType: ErrTypeHTTPNetwork, details: details}
	switch {
	case errors.Is(err, ErrHostNotAllowed):
		f.errType, f.nonRetryable = ErrTypeHostNotAllowed, true
		f.msg = fmt.Sprintf("http task %q: %s: %v", c.req.TaskName, c.target, err)
	case errors.Is(err, context.DeadlineExceeded):
		f.msg = fmt.Sprintf("http task %q: %s: timed out", c.req.TaskName, c.target)
	default:
		f.msg = fmt.Sprintf("http task %q: %s: %v", c.req.TaskName, c.target, err)
	}
	return f.newError()
}

// statusText is resp.Status, or the bare code when the server sent no reason phrase.
func statusText(resp *http.Response) string {
	if resp.Status != "" {
		return resp.Status
	}
	return strconv.Itoa(resp.StatusCode)
}

// retryAfter parses a Retry-After value (seconds or an HTTP date) into a delay capped at
// maxRetryAfter; 0 when absent, invalid or not in the future.
func retryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), int64(maxRetryAfter/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil {
		return min(max(at.Sub(now), 0), maxRetryAfter)
	}
	return 0
}

// redactedTarget is "METHOD scheme://host/path", leaving out credentials, query and fragment.
func redactedTarget(r *http.Request) string {
	u := *r.URL
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return r.Method + " " + u.String()
}
