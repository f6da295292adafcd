package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Operator signals: sent to a workflow whose tasks failed for good, while it waits.
const (
	// SignalRetry reruns the failed tasks (or the one of OperatorSignal.RuleID) from a fresh
	// attempt series.
	SignalRetry = "retry"
	// SignalSkip gives up the failed tasks (or one) without compensating anything: they become
	// skipped and the workflow completes once none is failed.
	SignalSkip = "skip"
	// SignalAbort runs the compensations of the tasks that succeeded, newest first, and fails
	// the workflow.
	SignalAbort = "abort"
)

// ActivityNotify sends the failure notification (only when the evaluation says the worker has
// a webhook).
const ActivityNotify = "Notify"

// OperatorSignal is the payload of the operator signals.
type OperatorSignal struct {
	// RuleID picks one failed task; empty: all failed tasks.
	RuleID string `json:"ruleId,omitempty"`
}

// Notification is the failure notification's content.
type Notification struct {
	EventID string `json:"eventId"`
	Text    string `json:"text"`
}

// settle deals with failed tasks: it waits up to the operator wait for retry, skip or abort,
// as often as tasks fail, and aborts when the wait runs out (or at once without a wait). It
// returns the reason the workflow gave up, or "" when no task is left failed.
func (r *run) settle(ctx workflow.Context) string {
	deadline := workflow.Now(ctx).Add(r.eval.OperatorWait)
	for r.st.Failed() > 0 {
		if r.eval.OperatorWait <= 0 {
			return r.abort(ctx, "no operator wait configured")
		}
		r.notify(ctx)
		r.st.Phase, r.st.WaitingUntil = PhaseWaiting, deadline
		action, ruleID, ok := r.waitForOperator(ctx, deadline)
		r.st.Phase, r.st.WaitingUntil = PhaseRunning, time.Time{}
		switch {
		case !ok:
			return r.abort(ctx, fmt.Sprintf("no operator decision within %s", r.eval.OperatorWait))
		case action == SignalAbort:
			return r.abort(ctx, "aborted by an operator")
		case action == SignalSkip:
			for _, i := range r.failed(ruleID) {
				r.st.Tasks[i].State = TaskSkipped
			}
		case action == SignalRetry:
			r.runTasks(ctx, r.failed(ruleID))
		}
	}
	return ""
}

// waitForOperator waits for an operator signal until deadline; ok is false when none came.
func (r *run) waitForOperator(ctx workflow.Context, deadline time.Time) (action, ruleID string, ok bool) {
	wait := deadline.Sub(workflow.Now(ctx))
	if wait <= 0 {
		return "", "", false
	}
	tctx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	sel := workflow.NewSelector(ctx)
	for _, name := range []string{SignalRetry, SignalSkip, SignalAbort} {
		sel.AddReceive(workflow.GetSignalChannel(ctx, name), func(c workflow.ReceiveChannel, _ bool) {
			var sig OperatorSignal
			c.Receive(ctx, &sig)
			action, ruleID, ok = name, sig.RuleID, true
		})
	}
	sel.AddFuture(workflow.NewTimer(tctx, wait), func(workflow.Future) {})
	sel.Select(ctx)
	workflow.GetLogger(ctx).Info("operator decision", "action", action, "rule", ruleID, "received", ok)
	return action, ruleID, ok
}

// failed returns the indices of the failed tasks, all or the one of ruleID.
func (r *run) failed(ruleID string) []int {
	var out []int
	for i, ts := range r.st.Tasks {
		if ts.State == TaskFailed && (ruleID == "" || ts.RuleID == ruleID) {
			out = append(out, i)
		}
	}
	return out
}

// notify sends the failure notification when the worker has a webhook; a failure to notify is
// logged, not fatal.
func (r *run) notify(ctx workflow.Context) {
	if !r.eval.Notify {
		return
	}
	var lines []string
	for _, i := range r.failed("") {
		ts := r.st.Tasks[i]
		lines = append(lines, fmt.Sprintf("task %s (rule %s) failed after %d attempt(s): %s", ts.TaskName, ts.RuleID, ts.Attempts, ts.LastError))
	}
	n := Notification{EventID: r.ev.ID, Text: fmt.Sprintf(
		"evtrigger: event %s (%s) needs an operator until %s:\n%s\nretry, skip or abort: evtrigger events retry|skip|abort %s",
		r.ev.ID, r.ev.Type, workflow.Now(ctx).Add(r.eval.OperatorWait).Format(time.RFC3339), strings.Join(lines, "\n"), r.ev.ID)}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 5},
	})
	if err := workflow.ExecuteActivity(actx, ActivityNotify, n).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("failure notification not sent", "error", err)
	}
}
