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
	// ActivityPublishOutcome publishes a task.Outcome (only when the evaluation says the worker
	// has an outcome publisher).
	ActivityPublishOutcome = "PublishOutcome"
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
//
// order lists the ordering keys the ingress enqueued the event under (rules.Set.OrderKeys); the
// task of such a rule waits for its turn from the key's KeySequencerWorkflow. Workflows started
// without it (before ordering existed, by a schedule) run every task at once.
//
// shape names the changes the execution takes without asking workflow.GetVersion; the ingress
// passes CurrentShape (see Shape).
func EventWorkflow(ctx workflow.Context, ev event.Event, order []rules.OrderKey, shape Shape) (Status, error) {
	ctx = withShape(ctx, shape)
	st := &Status{EventID: ev.ID, EventType: ev.Type, Tasks: []TaskStatus{}, Phase: PhaseRunning}
	if err := registerQueries(ctx, st); err != nil {
		return Status{}, err
	}
	ord := newOrdering(ctx, order)
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
	ord.passUnmatched(ctx, eval.Matched)
	r := &run{ev: ev, eval: eval, st: st, outs: newOutcomes(ctx, eval.PublishOutcomes, ev), order: ord}
	r.noteOrder(order)
	r.runAll(ctx)
	if versionOf(ctx, changeOperatorControl) == workflow.DefaultVersion {
		r.outs.wait(ctx) // workflows started before operator control: fail at once
		return r.result("")
	}
	if ctx.Err() != nil { // canceled: the running tasks were canceled (their processes killed)
		return r.st.snapshot(), temporal.NewCanceledError("event workflow canceled")
	}
	reason := r.settle(ctx)
	r.outs.wait(ctx)
	return r.result(reason)
}

// result is the workflow's return: its Status, and an ErrTypeTasksFailed error carrying it
// when tasks failed (reason, when set, says why the workflow gave up on them).
func (r *run) result(reason string) (Status, error) {
	n := r.st.Failed()
	if n == 0 && reason == "" {
		if r.st.Phase != "" {
			r.st.Phase = PhaseCompleted
		}
		return r.st.snapshot(), nil
	}
	if r.st.Phase != "" {
		r.st.Phase = PhaseFailed
	}
	final := r.st.snapshot()
	msg := fmt.Sprintf("%d of %d tasks failed", n, len(final.Tasks))
	if reason != "" {
		msg += ": " + reason
	}
	return final, temporal.NewNonRetryableApplicationError(msg, ErrTypeTasksFailed, nil, final)
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

// evaluation is EvaluateRules' recorded result (activities.Evaluation, decoded here without
// importing the activities): the rules' evaluation and the worker's settings that shape the
// workflow, recorded so that replay decides the same.
type evaluation struct {
	rules.Evaluation
	PublishOutcomes bool `json:"publishOutcomes,omitempty"`
	// Notify: the worker has a notification webhook for permanent failures.
	Notify bool `json:"notify,omitempty"`
	// OperatorWait is how long a workflow with failed tasks waits for an operator's retry, skip
	// or abort before it aborts; 0 aborts (compensates) at once.
	OperatorWait time.Duration `json:"operatorWait,omitempty"`
}

// evaluateRules runs the rule evaluation as a local activity: its result (the matched rules'
// rendered tasks) is recorded in history, so a rule changed later never changes this event.
func evaluateRules(ctx workflow.Context, ev event.Event) (evaluation, error) {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		},
	})
	var eval evaluation
	err := workflow.ExecuteLocalActivity(lctx, ActivityEvaluateRules, ev).Get(ctx, &eval)
	return eval, err
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
