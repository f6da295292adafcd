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
	"go.temporal.io/sdk/testsuite"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/worker"
	"github.com/evtrigger/evtrigger/workflows"
)

// sagaRules: three HTTP tasks; a and c have compensations, b fails while the sink says so.
const sagaRules = `taskTriggerRules:
  - {ruleId: a-reserve, eventType: order.created, priority: HIGH, taskType: http,
     parameters: {url: "http://svc/reserve"},
     compensation: {taskType: http, parameters: {url: "http://svc/release"}}}
  - {ruleId: b-charge, eventType: order.created, priority: MEDIUM, taskType: http,
     parameters: {url: "http://svc/charge"}, retry: {maxAttempts: 2}}
  - {ruleId: c-ship, eventType: order.created, priority: LOW, taskType: http,
     parameters: {url: "http://svc/ship"},
     compensation: {taskType: http, parameters: {url: "http://svc/unship"}}}
`

// fakeService answers the HTTP task activity by URL path; b-charge fails until fixed.
type fakeService struct {
	mu    sync.Mutex
	fixed bool
	calls []string
}

func (f *fakeService) run(_ context.Context, req task.Request) (task.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := req.Spec.HTTP.URL[len("http://svc"):]
	f.calls = append(f.calls, path)
	if path == "/charge" && !f.fixed {
		return task.Result{}, temporal.NewApplicationErrorWithOptions("HTTP 503", "HTTPStatusError",
			temporal.ApplicationErrorOptions{Details: []any{task.FailureDetails{Attempt: 2, StatusCode: 503}}})
	}
	return task.Result{Attempt: 1, StatusCode: 200}, nil
}

func (f *fakeService) called(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) || prefix == "" {
			out = append(out, c)
		}
	}
	return out
}

func sagaEnv(t *testing.T, wait time.Duration, notifyURL string) (*testsuite.TestWorkflowEnvironment, *fakeService) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts, err := activities.New(activities.Options{Rules: testenv.LoadRules(t, sagaRules), OperatorWait: wait, NotifyURL: notifyURL})
	if err != nil {
		t.Fatal(err)
	}
	worker.RegisterWorkflows(env)
	worker.RegisterActivities(env, acts)
	svc := &fakeService{}
	// reserve succeeds first, ship later (test time): compensation order is then deterministic.
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, urlPath("/reserve")).After(time.Second).Return(svc.run)
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, urlPath("/ship")).After(3 * time.Second).Return(svc.run)
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(svc.run)
	return env, svc
}

func urlPath(path string) any {
	return mock.MatchedBy(func(r task.Request) bool { return r.Spec.HTTP != nil && strings.HasSuffix(r.Spec.HTTP.URL, path) })
}

func finalStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) (workflows.Status, error) {
	t.Helper()
	err := env.GetWorkflowError()
	var st workflows.Status
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		if gerr := env.GetWorkflowResult(&st); gerr != nil {
			t.Fatal(gerr)
		}
	case errors.As(err, &appErr):
		if derr := appErr.Details(&st); derr != nil {
			t.Fatal(derr)
		}
	default:
		t.Fatalf("workflow error %v", err)
	}
	return st, err
}

func states(st workflows.Status) string {
	var s []string
	for _, ts := range st.Tasks {
		s = append(s, ts.RuleID+"="+string(ts.State))
	}
	return strings.Join(s, " ")
}

func TestSagaCompensatesSucceededTasksNewestFirst(t *testing.T) {
	env, svc := sagaEnv(t, 0, "")
	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))
	st, err := finalStatus(t, env)
	if err == nil || !strings.Contains(err.Error(), "1 of 3 tasks failed") {
		t.Fatalf("workflow error %v", err)
	}
	if got := states(st); got != "a-reserve=compensated b-charge=failed c-ship=compensated" {
		t.Fatalf("states: %s", got)
	}
	comps := append(svc.called("/release"), svc.called("/unship")...)
	if len(comps) != 2 {
		t.Fatalf("compensations called: %v", comps)
	}
	all := svc.called("")
	// reserve succeeded before ship: compensations run newest success first.
	if last2 := strings.Join(all[len(all)-2:], ","); last2 != "/unship,/release" {
		t.Fatalf("compensation order %s, want /unship,/release (calls %v)", last2, all)
	}
	if st.Phase != workflows.PhaseFailed {
		t.Fatalf("phase %s", st.Phase)
	}
}

func TestOperatorRetryAfterTheFix(t *testing.T) {
	env, svc := sagaEnv(t, time.Hour, "")
	env.RegisterDelayedCallback(func() {
		st := queryStatus(t, env)
		if st.Phase != workflows.PhaseWaiting || st.WaitingUntil.IsZero() {
			t.Errorf("while waiting: phase %s until %v", st.Phase, st.WaitingUntil)
		}
		svc.mu.Lock()
		svc.fixed = true
		svc.mu.Unlock()
		env.SignalWorkflow(workflows.SignalRetry, workflows.OperatorSignal{RuleID: "b-charge"})
	}, 10*time.Minute)
	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))
	st, err := finalStatus(t, env)
	if err != nil {
		t.Fatalf("workflow error %v", err)
	}
	if got := states(st); got != "a-reserve=succeeded b-charge=succeeded c-ship=succeeded" {
		t.Fatalf("states: %s", got)
	}
	if n := len(svc.called("/release")) + len(svc.called("/unship")); n != 0 {
		t.Fatalf("%d compensations ran after a successful retry", n)
	}
	if st.Tasks[1].Attempts != 1 {
		t.Fatalf("retried task attempts %d, want 1 (a fresh series)", st.Tasks[1].Attempts)
	}
}

func TestOperatorSkipCompletesWithoutCompensation(t *testing.T) {
	env, svc := sagaEnv(t, time.Hour, "")
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalSkip, workflows.OperatorSignal{}) }, time.Minute)
	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))
	st, err := finalStatus(t, env)
	if err != nil || states(st) != "a-reserve=succeeded b-charge=skipped c-ship=succeeded" || st.Phase != workflows.PhaseCompleted {
		t.Fatalf("err %v, states %s, phase %s", err, states(st), st.Phase)
	}
	if n := len(svc.called("/release")); n != 0 {
		t.Fatal("skip compensated")
	}
}

func TestOperatorAbortAndWaitTimeoutCompensate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signal bool
		reason string
	}{{"abort", true, "aborted by an operator"}, {"timeout", false, "no operator decision within 1h0m0s"}} {
		t.Run(tc.name, func(t *testing.T) {
			env, svc := sagaEnv(t, time.Hour, "")
			if tc.signal {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalAbort, nil) }, time.Minute)
			}
			env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))
			st, err := finalStatus(t, env)
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("workflow error %v, want %q", err, tc.reason)
			}
			if got := states(st); got != "a-reserve=compensated b-charge=failed c-ship=compensated" {
				t.Fatalf("states: %s", got)
			}
			if len(svc.called("/release")) != 1 {
				t.Fatal("no compensation")
			}
		})
	}
}

func TestNotificationWhenWaiting(t *testing.T) {
	env, _ := sagaEnv(t, time.Hour, "http://hooks.example/slack")
	var got workflows.Notification
	env.OnActivity(workflows.ActivityNotify, mock.Anything, mock.Anything).Return(
		func(_ context.Context, n workflows.Notification) error { got = n; return nil }).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalSkip, nil) }, time.Minute)
	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500))
	if _, err := finalStatus(t, env); err != nil {
		t.Fatal(err)
	}
	if got.EventID != "e1" || !strings.Contains(got.Text, "b-charge") || !strings.Contains(got.Text, "evtrigger events retry") {
		t.Fatalf("notification %+v", got)
	}
	env.AssertExpectations(t)
}

func queryStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.Status {
	t.Helper()
	v, err := env.QueryWorkflow(workflows.QueryStatus)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.Status
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
