package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/worker"
	"github.com/evtrigger/evtrigger/workflows"
)

const twoRules = `taskTriggerRules:
  - ruleId: a-shell
    eventType: order.created
    condition: payload.amount > 100
    taskType: shell
    parameters: {script: /bin/true, args: ["${payload.orderId}"]}
    retry: {maxAttempts: 4}
    timeout: 2m
  - ruleId: b-http
    eventType: order.*
    priority: HIGH
    taskType: http
    parameters: {url: "http://127.0.0.1:9/hook"}
  - ruleId: c-never
    eventType: order.created
    condition: payload.amount > 1000000
    taskType: http
    parameters: {url: "http://127.0.0.1:9/never"}
`

func newEnv(t *testing.T, rulesYAML string) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := suite.NewTestWorkflowEnvironment()
	acts, err := activities.New(activities.Options{Rules: testenv.LoadRules(t, rulesYAML)})
	if err != nil {
		t.Fatal(err)
	}
	worker.RegisterWorkflows(env)
	worker.RegisterActivities(env, acts)
	return env
}

func order(amount int) event.Event {
	return event.Event{ID: "e1", Type: "order.created", Time: time.Unix(0, 0).UTC(), Priority: event.PriorityMedium,
		Payload: map[string]any{"orderId": "o-1", "amount": amount}}
}

func TestMatchedTasksRunWithTheirRenderedSpecs(t *testing.T) {
	env := newEnv(t, twoRules)
	var shellReq task.Request
	env.OnActivity(workflows.ActivityRunShell, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req task.Request) (task.Result, error) {
			shellReq = req
			return task.Result{Attempt: 1, ExitCode: 0}, nil
		})
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(task.Result{Attempt: 2, StatusCode: 200}, nil)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var st workflows.Status
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	// HIGH priority first, then by rule ID.
	if len(st.Tasks) != 2 || st.Tasks[0].RuleID != "b-http" || st.Tasks[1].RuleID != "a-shell" {
		t.Fatalf("tasks: %+v", st.Tasks)
	}
	for _, ts := range st.Tasks {
		if ts.State != workflows.TaskSucceeded || ts.Result == nil {
			t.Fatalf("task %s: %+v", ts.RuleID, ts)
		}
	}
	if st.Tasks[0].Attempts != 2 {
		t.Fatalf("attempts of b-http = %d, want 2 (from its result)", st.Tasks[0].Attempts)
	}
	if shellReq.EventID != "e1" || shellReq.RuleID != "a-shell" || shellReq.Timeout != 2*time.Minute ||
		len(shellReq.Spec.Shell.Args) != 1 || shellReq.Spec.Shell.Args[0] != "o-1" {
		t.Fatalf("shell request: %+v", shellReq)
	}
	if len(st.Verdicts) != 3 || st.Verdicts[2].RuleID != "c-never" || st.Verdicts[2].Outcome != "condition_false" {
		t.Fatalf("verdicts: %+v", st.Verdicts)
	}
}

func TestFailedTaskFailsWorkflowWithStatus(t *testing.T) {
	env := newEnv(t, twoRules)
	env.OnActivity(workflows.ActivityRunShell, mock.Anything, mock.Anything).Return(task.Result{}, temporal.NewApplicationErrorWithOptions(
		"shell task: exit status 3", "ShellExitError",
		temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{task.FailureDetails{Attempt: 1, ExitCode: 3}}}))
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(task.Result{Attempt: 1}, nil)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != workflows.ErrTypeTasksFailed {
		t.Fatalf("workflow error = %v, want %s", err, workflows.ErrTypeTasksFailed)
	}
	var st workflows.Status
	if err := appErr.Details(&st); err != nil {
		t.Fatal(err)
	}
	shell := st.Tasks[1]
	if shell.State != workflows.TaskFailed || shell.Attempts != 1 || !strings.Contains(shell.LastError, "exit status 3") {
		t.Fatalf("shell task: %+v", shell)
	}
	if st.Tasks[0].State != workflows.TaskSucceeded {
		t.Fatalf("http task: %+v", st.Tasks[0])
	}
}

func TestRetriesFollowTheRulePolicy(t *testing.T) {
	env := newEnv(t, twoRules)
	calls := 0
	env.OnActivity(workflows.ActivityRunShell, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ task.Request) (task.Result, error) {
			calls++
			return task.Result{}, temporal.NewApplicationError("exit status 1", "ShellExitError")
		})
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(task.Result{Attempt: 1}, nil)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	if env.GetWorkflowError() == nil {
		t.Fatal("workflow succeeded, want failure")
	}
	if calls != 4 {
		t.Fatalf("shell attempts = %d, want the rule's maxAttempts 4", calls)
	}
}

func TestNoMatchRunsNothing(t *testing.T) {
	env := newEnv(t, twoRules)
	ev := order(500)
	ev.Type = "payment.completed" // no rule's pattern matches it
	env.ExecuteWorkflow(workflows.EventWorkflowName, ev)
	var st workflows.Status
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if !st.Evaluated || len(st.Tasks) != 0 || len(st.Verdicts) != 0 {
		t.Fatalf("status: %+v", st)
	}
}

// recordedOutcomes is an OutcomePublisher that keeps what it was given, in order.
type recordedOutcomes struct {
	mu   sync.Mutex
	list []task.Outcome
}

func (r *recordedOutcomes) PublishOutcome(_ context.Context, o task.Outcome) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, o)
	return nil
}

func TestOutcomesArePublishedInOrderPerTask(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	rec := &recordedOutcomes{}
	acts, err := activities.New(activities.Options{Rules: testenv.LoadRules(t, twoRules), Outcomes: rec})
	if err != nil {
		t.Fatal(err)
	}
	worker.RegisterWorkflows(env)
	worker.RegisterActivities(env, acts)
	env.OnActivity(workflows.ActivityRunShell, mock.Anything, mock.Anything).Return(task.Result{}, temporal.NewNonRetryableApplicationError("exit status 2", "ShellExitError", nil))
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(task.Result{Attempt: 1}, nil)

	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))

	if env.GetWorkflowError() == nil {
		t.Fatal("the shell task failed: the workflow should fail")
	}
	got := map[string][]task.OutcomeStatus{}
	for _, o := range rec.list {
		if o.EventID != "e1" || o.EventType != "order.created" || o.RuleVersion != 1 {
			t.Errorf("outcome %+v", o)
		}
		got[o.RuleID] = append(got[o.RuleID], o.Status)
	}
	want := map[string][]task.OutcomeStatus{
		"b-http":  {task.OutcomeTriggered, task.OutcomeSucceeded},
		"a-shell": {task.OutcomeTriggered, task.OutcomeFailed},
	}
	for rule, statuses := range want {
		if fmt.Sprint(got[rule]) != fmt.Sprint(statuses) {
			t.Errorf("outcomes of %s = %v, want %v", rule, got[rule], statuses)
		}
	}
	for _, o := range rec.list {
		if o.Status == task.OutcomeFailed && !strings.Contains(o.Error, "exit status 2") {
			t.Errorf("failed outcome without the error: %+v", o)
		}
	}
}
