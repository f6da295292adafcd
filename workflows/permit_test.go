package workflows_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/workflows"
)

const cappedRule = `taskTriggerRules:
  - {ruleId: capped, eventType: order.created, taskType: http, concurrency: 1, rateLimit: 10/s,
     parameters: {url: "http://127.0.0.1:9/hook"}}
`

// permitRecorder mocks the limiter's side of an event workflow with a limited task: it records
// the acquire requests, the releases and when the task ran.
type permitRecorder struct {
	mu       sync.Mutex
	acquires []workflows.PermitRequest
	releases []string
	ranAt    time.Time
}

// TestLimitedTaskWaitsForItsPermit: the task asks the rule's limiter for a permit, shows as
// pending with a note while it waits, asks again after a minute without an answer, ignores
// probes and grants of other requests, runs once granted and then releases its permit.
func TestLimitedTaskWaitsForItsPermit(t *testing.T) {
	env := newEnv(t, cappedRule)
	rec := &permitRecorder{}
	env.OnActivity(workflows.ActivityAcquirePermit, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req workflows.PermitRequest) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.acquires = append(rec.acquires, req)
			return nil
		})
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(
		func(context.Context, task.Request) (task.Result, error) {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.ranAt = env.Now()
			return task.Result{Attempt: 1, StatusCode: 200}, nil
		})
	env.OnSignalExternalWorkflow(mock.Anything, workflows.LimiterWorkflowID("capped"), "", workflows.SignalReleasePermit, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.releases = append(rec.releases, arg.(workflows.PermitRelease).RequestID)
			return nil
		})
	start := env.Now()
	firstID := func() string {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.acquires[0].RequestID
	}
	var waiting workflows.Status
	env.RegisterDelayedCallback(func() {
		waiting = queryStatus(t, env)
		env.SignalWorkflow(workflows.PermitSignalName("capped"), workflows.PermitGrant{RequestID: "someone-else"})
		env.SignalWorkflow(workflows.PermitSignalName("capped"), workflows.PermitGrant{RequestID: firstID(), Probe: true})
	}, 5*time.Second)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.PermitSignalName("capped"), workflows.PermitGrant{RequestID: firstID()})
	}, 90*time.Second)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if ts := waiting.Tasks[0]; ts.State != workflows.TaskPending || !strings.Contains(ts.Waiting, "permit of limit-capped (concurrency 1, rateLimit 10/s)") {
		t.Errorf("task while waiting: %+v", ts)
	}
	if len(rec.acquires) != 2 || rec.acquires[0] != rec.acquires[1] {
		t.Fatalf("acquires %+v, want the same request twice (sent again after a minute)", rec.acquires)
	}
	req := rec.acquires[0]
	if req.WorkflowID != "default-test-workflow-id" || req.Limits.Concurrency != 1 || req.Lease < 30*time.Minute || req.TaskQueue == "" {
		t.Errorf("request %+v", req)
	}
	if ran := rec.ranAt.Sub(start); ran < 90*time.Second {
		t.Errorf("task ran %s after the start, before its grant at 90s", ran)
	}
	if len(rec.releases) != 1 || rec.releases[0] != req.RequestID {
		t.Errorf("releases %v, want %s once", rec.releases, req.RequestID)
	}
}

// TestCanceledWhileWaitingWithdrawsTheRequest: a workflow canceled while its task waits for a
// permit withdraws the request and ends canceled without running the task.
func TestCanceledWhileWaitingWithdrawsTheRequest(t *testing.T) {
	env := newEnv(t, cappedRule)
	var released []string
	env.OnActivity(workflows.ActivityAcquirePermit, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(
		func(context.Context, task.Request) (task.Result, error) {
			t.Error("the task ran without a permit")
			return task.Result{}, nil
		})
	env.OnSignalExternalWorkflow(mock.Anything, workflows.LimiterWorkflowID("capped"), "", workflows.SignalReleasePermit, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			released = append(released, arg.(workflows.PermitRelease).RequestID)
			return nil
		})
	env.RegisterDelayedCallback(env.CancelWorkflow, 5*time.Second)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	var canceled *temporal.CanceledError
	if err := env.GetWorkflowError(); !errors.As(err, &canceled) {
		t.Fatalf("workflow ended with %v, want canceled", err)
	}
	if len(released) != 1 || !strings.HasSuffix(released[0], "/capped/1") {
		t.Errorf("released %v, want the waiting request withdrawn", released)
	}
}
