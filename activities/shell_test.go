package activities

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/task"
)

func shellRequest(script string, args ...string) task.Request {
	return task.Request{
		EventID:  "evt-1",
		RuleID:   "rule-1",
		TaskName: "notify",
		Spec:     task.Spec{Type: task.TypeShell, Shell: &task.Shell{Script: script, Args: args}},
	}
}

func TestRunShellSuccess(t *testing.T) {
	t.Setenv("WORKER_SECRET", "s3cret")
	dir, workDir := t.TempDir(), t.TempDir()
	envFile := filepath.Join(dir, "env")
	script := writeScript(t, dir, "ok.sh", `echo "hello $1"
echo "to stderr" >&2
printf '%s\n' "EVENT=$EVTRIGGER_EVENT_ID" "RULE=$EVTRIGGER_RULE_ID" "TASK=$EVTRIGGER_TASK_NAME" \
  "ATTEMPT=$EVTRIGGER_ATTEMPT" "GLOBAL=$GLOBAL_VAR" "SPEC=$SPEC_VAR" \
  "SECRET=${WORKER_SECRET-unset}" "PWD=$(pwd)" > "$2"
`)
	a := newActivities(t, Options{ShellEnv: []string{"GLOBAL_VAR=global", "SPEC_VAR=overridden"}})
	req := shellRequest(script, "world", envFile)
	req.Spec.Shell.Env = map[string]string{"SPEC_VAR": "spec value", "EVTRIGGER_EVENT_ID": "forged"}
	req.Spec.Shell.Dir = workDir

	res, err := execute(t, a, a.RunShell, req)
	if err != nil {
		t.Fatalf("RunShell: %v", err)
	}
	if res.ExitCode != 0 || res.Attempt != 1 || res.Duration <= 0 {
		t.Errorf("result = %+v, want exit 0, attempt 1, a duration", res)
	}
	if want := "hello world\nto stderr\n"; res.Output != want {
		t.Errorf("output = %q, want %q", res.Output, want)
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{"EVENT=evt-1", "RULE=rule-1", "TASK=notify", "ATTEMPT=1",
		"GLOBAL=global", "SPEC=spec value", "SECRET=unset", "PWD=" + workDir}, "\n") + "\n"
	if string(env) != want {
		t.Errorf("environment:\n%s\nwant:\n%s", env, want)
	}
}

func TestRunShellNonZeroExitIsRetryable(t *testing.T) {
	script := writeScript(t, t.TempDir(), "fail.sh", "echo first\necho 'last line' >&2\nexit 3\n")
	a := newActivities(t, Options{})

	_, err := execute(t, a, a.RunShell, shellRequest(script))
	appErr, details := wantAppError(t, err, ErrTypeShellExit, true)
	if want := `shell task "notify": exit status 3: last line`; appErr.Message() != want {
		t.Errorf("message = %q, want %q", appErr.Message(), want)
	}
	want := task.FailureDetails{Attempt: 1, ExitCode: 3, Output: "first\nlast line\n"}
	if details != want {
		t.Errorf("details = %+v, want %+v", details, want)
	}
}

func TestRunShellStartErrorsAreNotRetryable(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "plain.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := writeScript(t, dir, "ok.sh", "exit 0\n")
	tests := map[string]task.Request{
		"missing script":      shellRequest(filepath.Join(dir, "missing.sh")),
		"not executable":      shellRequest(notExec),
		"missing dir":         {TaskName: "notify", Spec: task.Spec{Shell: &task.Shell{Script: ok, Dir: filepath.Join(dir, "nope")}}},
		"not found in PATH":   shellRequest("evtrigger-no-such-command"),
		"directory as script": shellRequest(dir),
	}
	a := newActivities(t, Options{})
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := execute(t, a, a.RunShell, req)
			wantAppError(t, err, ErrTypeShellStart, false)
		})
	}
}

func TestRunShellInvalidSpec(t *testing.T) {
	tests := map[string]task.Request{
		"no shell spec": {TaskName: "notify", Spec: task.Spec{Type: task.TypeShell}},
		"empty script":  shellRequest(""),
		"bad env key":   {TaskName: "notify", Spec: task.Spec{Shell: &task.Shell{Script: "/bin/true", Env: map[string]string{"A=B": "x"}}}},
		"NUL in arg":    shellRequest("/bin/true", "a\x00b"),
	}
	a := newActivities(t, Options{})
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := execute(t, a, a.RunShell, req)
			wantAppError(t, err, ErrTypeInvalidSpec, false)
		})
	}
}

func TestRunShellTimeoutKillsProcessGroup(t *testing.T) {
	script := writeScript(t, t.TempDir(), "hang.sh", `[ "$1" = ignore-term ] && trap '' TERM
sleep 60 &
echo $! > "$2"
echo started
wait
`)
	for _, mode := range []string{"obey-term", "ignore-term"} {
		t.Run(mode, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			a := newActivities(t, Options{})
			a.KillGrace = 200 * time.Millisecond
			req := shellRequest(script, mode, pidFile)
			req.Timeout = time.Second

			_, err := execute(t, a, a.RunShell, req)
			_, details := wantAppError(t, err, ErrTypeShellTimeout, true)
			if details.Output != "started\n" {
				t.Errorf("output = %q, want %q", details.Output, "started\n")
			}
			raw, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
			if err != nil {
				t.Fatalf("pid file %q: %v", raw, err)
			}
			eventually(t, 10*time.Second, "background sleep "+strconv.Itoa(pid)+" to die", func() bool {
				return processGone(pid)
			})
		})
	}
}

func TestRunShellHostileArgumentsStayArguments(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "echo.sh", `printf '%s' "$1" > "$2"`+"\n")
	a := newActivities(t, Options{})
	for i, arg := range []string{"'; touch pwned #", "$(id)", "`id`", "a b\n\"c\"", "*"} {
		out := filepath.Join(dir, "arg"+strconv.Itoa(i))
		req := shellRequest(script, arg, out)
		req.Spec.Shell.Dir = dir
		if _, err := execute(t, a, a.RunShell, req); err != nil {
			t.Fatalf("RunShell(%q): %v", arg, err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != arg {
			t.Errorf("script got %q, want %q", got, arg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); !os.IsNotExist(err) {
		t.Errorf("file pwned exists or cannot be checked: %v", err)
	}
}

func TestRunShellOutputKeepsTail(t *testing.T) {
	script := writeScript(t, t.TempDir(), "loud.sh", `i=0
while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done
echo END
`)
	a := newActivities(t, Options{OutputLimit: 64})

	res, err := execute(t, a, a.RunShell, shellRequest(script))
	if err != nil {
		t.Fatalf("RunShell: %v", err)
	}
	if len(res.Output) != 64 || !strings.HasSuffix(res.Output, "line 1999\nEND\n") {
		t.Errorf("output = %q (%d bytes), want the last 64 bytes", res.Output, len(res.Output))
	}
}
