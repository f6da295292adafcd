package activities

import (
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/task"
)

// shellWithHeartbeatTimeout runs RunShell once with a short heartbeat timeout, which the test
// workflow environment enforces.
func shellWithHeartbeatTimeout(ctx workflow.Context, req task.Request) (task.Result, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    300 * time.Millisecond,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	var a *Activities
	var res task.Result
	err := workflow.ExecuteActivity(ctx, a.RunShell, req).Get(ctx, &res)
	return res, err
}

func TestRunShellHeartbeatsWhileRunning(t *testing.T) {
	script := writeScript(t, t.TempDir(), "slow.sh", "sleep 1\necho done\n")
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterActivity(newActivities(t, Options{}))
	env.RegisterWorkflow(shellWithHeartbeatTimeout)
	var beats atomic.Int32
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) {
		beats.Add(1)
	})

	env.ExecuteWorkflow(shellWithHeartbeatTimeout, shellRequest(script))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	var res task.Result
	if err := env.GetWorkflowResult(&res); err != nil || res.Output != "done\n" {
		t.Fatalf("result = %+v, %v", res, err)
	}
	if beats.Load() == 0 {
		t.Error("no heartbeats recorded")
	}
}
