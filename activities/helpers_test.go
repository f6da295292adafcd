package activities

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/evtrigger/evtrigger/task"
)

// newActivities builds Activities from opts or fails the test.
func newActivities(t *testing.T, opts Options) *Activities {
	t.Helper()
	a, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// execute runs activityFn (a method value of a) with req in a test activity environment.
func execute(t *testing.T, a *Activities, activityFn any, req task.Request) (task.Result, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	val, err := env.ExecuteActivity(activityFn, req)
	if err != nil {
		return task.Result{}, err
	}
	var res task.Result
	if err := val.Get(&res); err != nil {
		t.Fatalf("decode result: %v", err)
	}
	return res, nil
}

// wantAppError asserts that err is an ApplicationError of errType and retryability, and
// returns it with its FailureDetails.
func wantAppError(t *testing.T, err error, errType string, retryable bool) (*temporal.ApplicationError, task.FailureDetails) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("error %v (%T) is not an ApplicationError", err, err)
	}
	if appErr.Type() != errType {
		t.Fatalf("error type = %q, want %q (%v)", appErr.Type(), errType, appErr)
	}
	if appErr.NonRetryable() == retryable {
		t.Fatalf("NonRetryable() = %v, want %v (%v)", appErr.NonRetryable(), !retryable, appErr)
	}
	var details task.FailureDetails
	if err := appErr.Details(&details); err != nil {
		t.Fatalf("decode details of %v: %v", appErr, err)
	}
	return appErr, details
}

// writeScript writes an executable /bin/sh script into dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// eventually polls cond every 10ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}

// processGone reports whether pid no longer runs: it does not exist or is a zombie nobody
// reaped yet.
func processGone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	rest := string(stat[strings.LastIndex(string(stat), ") ")+2:]) // comm may contain ") "
	return strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X")
}
