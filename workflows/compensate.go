package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/task"
)

// abort runs the compensations of the tasks that succeeded, newest first, one at a time, and
// returns reason. A compensation that fails after its retries is recorded and the others still
// run.
func (r *run) abort(ctx workflow.Context, reason string) string {
	r.st.Phase = PhaseCompensating
	for k := len(r.succeeded) - 1; k >= 0; k-- {
		i := r.succeeded[k]
		m, ts := r.eval.Matched[i], &r.st.Tasks[i]
		if m.Compensation == nil || ts.State != TaskSucceeded {
			continue
		}
		c := m.Compensation
		req := task.Request{EventID: r.ev.ID, RuleID: m.RuleID, TaskName: m.TaskName + ".compensation",
			Timeout: c.Timeout, Spec: c.Task, Compensation: true, EventTime: r.ev.Time, TraceID: r.ev.TraceID()}
		var res task.Result
		if err := executeTask(ctx, req, c.Retry, r.priority(), &res); err != nil {
			ts.CompensationError, _ = describeFailure(err, c.Retry.MaxAttempts)
			workflow.GetLogger(ctx).Error("compensation failed", "rule", m.RuleID, "error", ts.CompensationError)
			continue
		}
		ts.State = TaskCompensated
		r.outs.compensated(ctx, m)
	}
	return reason
}
