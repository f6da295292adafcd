package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// outcomeActivityOptions: an outcome is durable and at-least-once, retried for up to a day
// (the outcome topic being down does not lose it; the workflow waits).
var outcomeActivityOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 24 * time.Hour,
	RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

// outcomes publishes task outcomes in the background, when the worker has a publisher: a
// task's final outcome is published after its "triggered" one, and the workflow waits for all
// before it completes.
type outcomes struct {
	enabled bool
	ev      event.Event
	wg      workflow.WaitGroup
}

func newOutcomes(ctx workflow.Context, enabled bool, ev event.Event) *outcomes {
	return &outcomes{enabled: enabled, ev: ev, wg: workflow.NewWaitGroup(ctx)}
}

func (o *outcomes) outcome(ctx workflow.Context, m rules.Match, status task.OutcomeStatus) task.Outcome {
	return task.Outcome{EventID: o.ev.ID, EventType: o.ev.Type, RuleID: m.RuleID, RuleVersion: m.Version,
		TaskName: m.TaskName, TaskType: m.Task.Type, Status: status, At: workflow.Now(ctx)}
}

// triggered publishes that m's task starts; the returned future (nil when disabled) resolves
// once it is published.
func (o *outcomes) triggered(ctx workflow.Context, m rules.Match) workflow.Future {
	if !o.enabled {
		return nil
	}
	actx := workflow.WithActivityOptions(ctx, outcomeActivityOptions)
	f := workflow.ExecuteActivity(actx, ActivityPublishOutcome, o.outcome(ctx, m, task.OutcomeTriggered))
	o.wg.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer o.wg.Done()
		o.logFailure(ctx, f.Get(ctx, nil))
	})
	return f
}

// final publishes the task's end (succeeded or failed, from ts) after its triggered outcome.
func (o *outcomes) final(ctx workflow.Context, m rules.Match, after workflow.Future, ts TaskStatus) {
	if !o.enabled {
		return
	}
	out := o.outcome(ctx, m, task.OutcomeSucceeded)
	out.Attempts = ts.Attempts
	if ts.State == TaskFailed {
		out.Status, out.Error = task.OutcomeFailed, ts.LastError
	}
	o.wg.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer o.wg.Done()
		_ = after.Get(ctx, nil) // order per task: triggered first
		actx := workflow.WithActivityOptions(ctx, outcomeActivityOptions)
		o.logFailure(ctx, workflow.ExecuteActivity(actx, ActivityPublishOutcome, out).Get(ctx, nil))
	})
}

func (o *outcomes) logFailure(ctx workflow.Context, err error) {
	if err != nil {
		workflow.GetLogger(ctx).Error("task outcome not published", "event_id", o.ev.ID, "error", err)
	}
}

// wait returns once every outcome was published (or gave up).
func (o *outcomes) wait(ctx workflow.Context) {
	if o.enabled {
		o.wg.Wait(ctx)
	}
}

// compensated publishes that m's task was compensated.
func (o *outcomes) compensated(ctx workflow.Context, m rules.Match) {
	if !o.enabled {
		return
	}
	out := o.outcome(ctx, m, task.OutcomeCompensated)
	o.wg.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer o.wg.Done()
		actx := workflow.WithActivityOptions(ctx, outcomeActivityOptions)
		o.logFailure(ctx, workflow.ExecuteActivity(actx, ActivityPublishOutcome, out).Get(ctx, nil))
	})
}
