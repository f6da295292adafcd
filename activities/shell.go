package activities

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/evtrigger/evtrigger/task"
)

// RunShell runs req.Spec.Shell.Script directly (never through a shell) with its Args, in Dir,
// and returns its exit code and the tail of its combined stdout and stderr.
//
// The environment is PATH, HOME and LANG from the worker (when set), then a.ShellEnv, then
// Spec.Shell.Env, then EVTRIGGER_EVENT_ID, EVTRIGGER_RULE_ID, EVTRIGGER_TASK_NAME and
// EVTRIGGER_ATTEMPT; a later entry wins over an earlier one with the same key. Nothing else of the
// worker's environment is passed.
//
// The process runs in a process group of its own. When req.Timeout (if non-zero) or ctx ends
// first, the whole group gets SIGTERM and, after a.KillGrace, SIGKILL; processes the script
// leaves behind in its group are stopped when it exits. The activity heartbeats while the
// process runs when it has a heartbeat timeout.
//
// Errors are *temporal.ApplicationError with a task.FailureDetails detail, of type
// ErrTypeShellExit (non-zero exit, retryable), ErrTypeShellTimeout (retryable),
// ErrTypeShellStart (non-retryable when the script or Dir is missing or not executable) or
// ErrTypeInvalidSpec (non-retryable). When the activity is canceled, the error wraps
// context.Canceled.
func (a *Activities) RunShell(ctx context.Context, req task.Request) (task.Result, error) {
	done := a.observeTask(ctx, req, task.TypeShell)
	res, err := a.runShell(ctx, req)
	done(err)
	return res, err
}

func (a *Activities) runShell(ctx context.Context, req task.Request) (task.Result, error) {
	attempt := activity.GetInfo(ctx).Attempt
	log := a.logger(req, attempt)
	spec := req.Spec.Shell
	if err := validateShell(req); err != nil {
		return task.Result{}, invalidSpec(req, attempt, err.Error())
	}

	runCtx, cancel := withTimeout(ctx, req.Timeout)
	defer cancel()
	cmd := exec.Command(spec.Script, spec.Args...)
	cmd.Dir = spec.Dir
	cmd.Env = a.shellEnv(req, attempt)
	out := newTailBuffer(a.OutputLimit)

	log.Debug("starting shell task", "script", spec.Script)
	start := time.Now()
	stopHeartbeat := startHeartbeat(ctx)
	run, err := a.runInGroup(runCtx, cmd, out)
	stopHeartbeat()
	elapsed := time.Since(start)
	if err != nil {
		log.Warn("shell task did not start", "error", err)
		return task.Result{}, startError(req, attempt, err)
	}

	details := task.FailureDetails{Attempt: attempt, ExitCode: exitCode(run.waitErr), Output: out.String()}
	switch {
	case run.stopped && errors.Is(ctx.Err(), context.Canceled):
		log.Info("shell task canceled", "duration", elapsed)
		return task.Result{}, fmt.Errorf("shell task %q: %w", req.TaskName, ctx.Err())
	case run.stopped:
		log.Warn("shell task timed out", "duration", elapsed)
		return task.Result{}, failure{
			errType: ErrTypeShellTimeout,
			msg:     fmt.Sprintf("shell task %q: timed out after %s", req.TaskName, elapsed.Round(time.Millisecond)),
			details: details,
		}.newError()
	case run.waitErr != nil:
		log.Warn("shell task failed", "error", run.waitErr, "duration", elapsed)
		return task.Result{}, failure{
			errType: ErrTypeShellExit,
			msg:     fmt.Sprintf("shell task %q: %v", req.TaskName, run.waitErr),
			details: details,
		}.newError()
	}
	log.Info("shell task succeeded", "duration", elapsed)
	return task.Result{Attempt: attempt, Output: details.Output, Duration: elapsed}, nil
}

// validateShell checks what exec would otherwise reject with a less helpful error.
func validateShell(req task.Request) error {
	spec := req.Spec.Shell
	switch {
	case req.Spec.Type != "" && req.Spec.Type != task.TypeShell:
		return fmt.Errorf("spec type is %q, not %q", req.Spec.Type, task.TypeShell)
	case spec == nil:
		return errors.New("spec.shell is missing")
	case spec.Script == "":
		return errors.New("shell script is empty")
	case strings.ContainsRune(spec.Script, 0) || strings.ContainsRune(spec.Dir, 0):
		return errors.New("shell script or dir contains a NUL byte")
	}
	for i, arg := range spec.Args {
		if strings.ContainsRune(arg, 0) {
			return fmt.Errorf("shell argument %d contains a NUL byte", i+1)
		}
	}
	for k, v := range spec.Env {
		if !validEnvKey(k) || strings.ContainsRune(v, 0) {
			return fmt.Errorf("shell env %q is not a valid name and value", k)
		}
	}
	return nil
}

// validEnvKey reports whether k can be an environment variable name.
func validEnvKey(k string) bool {
	return k != "" && !strings.ContainsAny(k, "=\x00")
}

// shellEnv builds the process environment; exec keeps the last value of a duplicated key.
func (a *Activities) shellEnv(req task.Request, attempt int32) []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, a.ShellEnv...)
	for _, k := range slices.Sorted(maps.Keys(req.Spec.Shell.Env)) {
		env = append(env, k+"="+req.Spec.Shell.Env[k])
	}
	if req.Compensation {
		env = append(env, "EVTRIGGER_COMPENSATION=1")
	}
	return append(env,
		"EVTRIGGER_EVENT_ID="+req.EventID,
		"EVTRIGGER_RULE_ID="+req.RuleID,
		"EVTRIGGER_TASK_NAME="+req.TaskName,
		"EVTRIGGER_ATTEMPT="+strconv.Itoa(int(attempt)),
	)
}

// startError classifies a failed start: a missing or non-executable script or directory is
// permanent, anything else (fork limits, a busy executable) may pass on retry.
func startError(req task.Request, attempt int32, err error) error {
	if dir := req.Spec.Shell.Dir; dir != "" {
		if _, statErr := os.Stat(dir); statErr != nil { // exec blames the script for a bad Dir
			err = fmt.Errorf("working directory: %w", statErr)
		}
	}
	permanent := errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot) ||
		errors.Is(err, syscall.ENOEXEC) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOTDIR)
	return failure{
		errType:      ErrTypeShellStart,
		msg:          fmt.Sprintf("shell task %q: %v", req.TaskName, err),
		nonRetryable: permanent,
		details:      task.FailureDetails{Attempt: attempt, ExitCode: -1},
	}.newError()
}

// exitCode is the process's exit code: 0 on success, -1 when it died from a signal.
func exitCode(waitErr error) int {
	if waitErr == nil {
		return 0
	}
	if exitErr, ok := errors.AsType[*exec.ExitError](waitErr); ok {
		return exitErr.ExitCode()
	}
	return -1
}

// withTimeout bounds ctx by d when d is positive.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
