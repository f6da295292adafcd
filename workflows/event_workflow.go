// Package workflows holds evtrigger's Temporal workflows: deterministic orchestration only.
// No I/O, no wall clock, no map ranged to decide anything; every decision's input comes from the
// event or from an activity result recorded in history.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// Names under which the worker registers the workflow and activities. They are part of the
// history: renaming one breaks the replay of running workflows.
const (
	EventWorkflowName     = "EventWorkflow"
	ActivityEvaluateRules = "EvaluateRules"
	ActivityRunShell      = "RunShell"
	ActivityRunHTTP       = "RunHTTP"
)

// Query names.
const (
	// QueryStatus answers a Status: each task's state, attempts and last error.
	QueryStatus = "status"
	// QueryExplain answers the []rules.Verdict for every rule considered.
	QueryExplain = "explain"
)

// ErrTypeTasksFailed is the ApplicationError type of a workflow whose tasks failed after their
// retries; its details hold the final Status.
const ErrTypeTasksFailed = "TasksFailed"

// EventWorkflow handles one event: it evaluates the rules in a local activity, then runs each
// matched task as an activity under the rule's retry policy and timeout, all tasks at once.
// It returns the final Status; when any task failed it fails with an ApplicationError of type
// ErrTypeTasksFailed whose details carry that Status.
func EventWorkflow(ctx workflow.Context, ev event.Event) (Status, error) {
	st := &Status{EventID: ev.ID, EventType: ev.Type, Tasks: []TaskStatus{}}
	if err := registerQueries(ctx, st); err != nil {
		return Status{}, err
	}
	eval, err := evaluateRules(ctx, ev)
	if err != nil {
		return st.snapshot(), fmt.Errorf("evaluate rules: %w", err)
	}
	st.Evaluated = true
	st.Verdicts = eval.Verdicts
	if err := upsertMatchedRules(ctx, eval.Matched); err != nil {
		return st.snapshot(), fmt.Errorf("set search attribute %s: %w", AttrMatchedRules, err)
	}
	for _, m := range eval.Matched {
		st.Tasks = append(st.Tasks, TaskStatus{
			RuleID: m.RuleID, RuleVersion: m.Version, TaskName: m.TaskName, Type: m.Task.Type, State: TaskPending,
		})
	}
	runTasks(ctx, ev, eval.Matched, st)
	if n := st.Failed(); n > 0 {
		final := st.snapshot()
		msg := fmt.Sprintf("%d of %d tasks failed", n, len(final.Tasks))
		return final, temporal.NewNonRetryableApplicationError(msg, ErrTypeTasksFailed, nil, final)
	}
	return st.snapshot(), nil
}

func registerQueries(ctx workflow.Context, st *Status) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) {
		return st.snapshot(), nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", QueryStatus, err)
	}
	if err := workflow.SetQueryHandler(ctx, QueryExplain, func() ([]rules.Verdict, error) {
		return st.Verdicts, nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", QueryExplain, err)
	}
	return nil
}

// evaluateRules runs the rule evaluation as a local activity: its result (the matched rules'
// rendered tasks) is recorded in history, so a rule changed later never changes this event.
func evaluateRules(ctx workflow.Context, ev event.Event) (rules.Evaluation, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		},
	})
	var eval rules.Evaluation
	err := workflow.ExecuteLocalActivity(lctx, ActivityEvaluateRules, ev).Get(ctx, &eval)
	return eval, err
}

// runTasks runs every matched task concurrently and returns when all have ended.
func runTasks(ctx workflow.Context, ev event.Event, matched []rules.Match, st *Status) {
	wg := workflow.NewWaitGroup(ctx)
	for i := range matched {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			runTask(ctx, ev, matched[i], &st.Tasks[i])
		})
	}
	wg.Wait(ctx)
}

// runTask runs one matched task to its end, recording its progress in ts.
func runTask(ctx workflow.Context, ev event.Event, m rules.Match, ts *TaskStatus) {
	ts.State = TaskRunning
	ts.StartedAt = workflow.Now(ctx)
	req := task.Request{EventID: ev.ID, RuleID: m.RuleID, TaskName: m.TaskName, Timeout: m.Timeout, Spec: m.Task,
		EventTime: ev.Time, TraceID: ev.TraceID()}
	name, err := activityFor(m.Task.Type)
	var res task.Result
	if err == nil {
		actx := workflow.WithActivityOptions(ctx, taskActivityOptions(m))
		err = workflow.ExecuteActivity(actx, name, req).Get(ctx, &res)
	}
	ts.ClosedAt = workflow.Now(ctx)
	if err != nil {
		ts.State = TaskFailed
		ts.LastError, ts.Attempts = describeFailure(err, m.Retry.MaxAttempts)
		workflow.GetLogger(ctx).Warn("task failed", "rule", m.RuleID, "task", m.TaskName,
			"attempts", ts.Attempts, "error", ts.LastError, "trace_id", req.TraceID)
		return
	}
	ts.State = TaskSucceeded
	ts.Attempts = res.Attempt
	ts.Result = &res
}

func activityFor(t task.Type) (string, error) {
	switch t {
	case task.TypeShell:
		return ActivityRunShell, nil
	case task.TypeHTTP:
		return ActivityRunHTTP, nil
	}
	return "", fmt.Errorf("unknown task type %q", t)
}
