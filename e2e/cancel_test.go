package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// longTask writes a script that records its attempt, starts a background child, writes both
// PIDs and sleeps; on the attempt given it exits 0 at once.
func longTask(t *testing.T, dir string, succeedOnAttempt int) string {
	script := filepath.Join(dir, "long.sh")
	writeScript(t, script, fmt.Sprintf(`#!/bin/sh
echo "$EVTRIGGER_ATTEMPT" >> %[1]s/attempts
[ "$EVTRIGGER_ATTEMPT" -ge %[2]d ] && exit 0
sleep 300 &
echo "$$ $!" > %[1]s/pids.$EVTRIGGER_ATTEMPT
wait`, dir, succeedOnAttempt))
	return script
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !strings.Contains(string(stat), ") Z ") // a zombie is dead
}

func readPIDs(t *testing.T, path string) []int {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

// TestCancelKillsTheTaskProcessGroup: canceling an event's workflow stops its running shell
// task: the script and the child it started are killed, and the workflow ends canceled.
func TestCancelKillsTheTaskProcessGroup(t *testing.T) {
	dir := t.TempDir()
	script := longTask(t, dir, 99)
	st := testenv.NewStack(t, temporal, fmt.Sprintf(`taskTriggerRules:
  - {ruleId: long, eventType: job.run, taskType: shell, parameters: {script: %s}, timeout: 10m}
`, script), testenv.Options{})
	id := fmt.Sprintf("cancel-%d", time.Now().UnixNano())
	if code, out := st.PostEvent(t, fmt.Sprintf(`{"messageId":%q,"eventType":"job.run"}`, id)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	var pids []int
	testenv.Eventually(t, 30*time.Second, "the task started", func() bool {
		pids = readPIDs(t, filepath.Join(dir, "pids.1"))
		return len(pids) == 2
	})
	if err := st.Client.CancelWorkflow(context.Background(), event.WorkflowID(id), ""); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "the script and its child are killed", func() bool {
		return !alive(pids[0]) && !alive(pids[1])
	})
	_, err := workflowResult(t, st, id)
	var canceled *sdktemporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("workflow ended with %v, want canceled", err)
	}
}

// TestWorkerKilledMidTask: the worker process running a task is SIGKILLed; after the heartbeat
// timeout the task is retried on another worker and the workflow completes.
func TestWorkerKilledMidTask(t *testing.T) {
	dir := t.TempDir()
	script := longTask(t, dir, 2)
	rulesYAML := fmt.Sprintf(`taskTriggerRules:
  - {ruleId: long, eventType: job.run, taskType: shell, parameters: {script: %s}, timeout: 12s,
     retry: {maxAttempts: 3, initialInterval: 100ms}}
`, script)
	rulesFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesFile, []byte(rulesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	// The stack only starts workflows (its pre-filter needs the rules); the workers are processes.
	st := testenv.NewStack(t, temporal, rulesYAML, testenv.Options{NoWorker: true})
	bin := buildEvtrigger(t)
	first := exec.Command(bin, "worker", "--temporal-address", temporal.Address(), "--task-queue", st.TaskQueue,
		"--rules", rulesFile, "--operator-wait", "0", "--log-level", "warn")
	first.Stderr = os.Stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Process.Kill(); _ = first.Wait() })
	id := fmt.Sprintf("killed-%d", time.Now().UnixNano())
	ev, err := event.Parse([]byte(fmt.Sprintf(`{"messageId":%q,"eventType":"job.run"}`, id)), event.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Starter.Start(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 60*time.Second, "attempt 1 runs on the first worker", func() bool {
		return len(readPIDs(t, filepath.Join(dir, "pids.1"))) == 2
	})
	killedAt := time.Now()
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	for _, pid := range readPIDs(t, filepath.Join(dir, "pids.1")) {
		_ = syscall.Kill(pid, syscall.SIGKILL) // the dead worker's orphans (see docs) are not the test's subject
	}
	second := exec.Command(bin, "worker", "--temporal-address", temporal.Address(), "--task-queue", st.TaskQueue,
		"--rules", rulesFile, "--operator-wait", "0", "--log-level", "warn")
	second.Stderr = os.Stderr
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Process.Kill(); _ = second.Wait() })

	status, err := workflowResult(t, st, id)
	if err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if len(status.Tasks) != 1 || status.Tasks[0].State != workflows.TaskSucceeded || status.Tasks[0].Attempts != 2 {
		t.Fatalf("status %+v", status)
	}
	t.Logf("task retried on the second worker %s after the kill", time.Since(killedAt).Round(100*time.Millisecond))
}
