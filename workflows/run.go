package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
)

// run is one EventWorkflow's state: the matched rules (task i of Status is Matched[i]), their
// progress, and the order in which tasks succeeded (for compensation, newest first).
type run struct {
	ev        event.Event
	eval      evaluation
	st        *Status
	outs      *outcomes
	succeeded []int
}

// runAll runs every matched task concurrently and returns when all have ended.
func (r *run) runAll(ctx workflow.Context) {
	all := make([]int, len(r.eval.Matched))
	for i := range all {
		all[i] = i
	}
	r.runTasks(ctx, all)
}

// runTasks runs the tasks with the given indices concurrently, each from a fresh attempt series,
// and returns when all have ended.
func (r *run) runTasks(ctx workflow.Context, indices []int) {
	wg := workflow.NewWaitGroup(ctx)
	for _, i := range indices {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			r.runTask(ctx, i)
		})
	}
	wg.Wait(ctx)
}

// runTask runs task i to its end, recording its progress in the status.
func (r *run) runTask(ctx workflow.Context, i int) {
	m, ts := r.eval.Matched[i], &r.st.Tasks[i]
	ts.State, ts.StartedAt, ts.LastError = TaskRunning, workflow.Now(ctx), ""
	triggered := r.outs.triggered(ctx, m)
	defer func() { r.outs.final(ctx, m, triggered, *ts) }()
	req := task.Request{EventID: r.ev.ID, RuleID: m.RuleID, TaskName: m.TaskName, Timeout: m.Timeout, Spec: m.Task}
	var res task.Result
	err := executeTask(ctx, req, m.Retry, &res)
	ts.ClosedAt = workflow.Now(ctx)
	if err != nil {
		ts.State = TaskFailed
		ts.LastError, ts.Attempts = describeFailure(err, m.Retry.MaxAttempts)
		workflow.GetLogger(ctx).Warn("task failed", "rule", m.RuleID, "task", m.TaskName,
			"attempts", ts.Attempts, "error", ts.LastError)
		return
	}
	ts.State, ts.Attempts, ts.Result = TaskSucceeded, res.Attempt, &res
	r.succeeded = append(r.succeeded, i)
}

// executeTask runs a rendered task as its type's activity, one attempt bounded by req.Timeout,
// the series by retry.
func executeTask(ctx workflow.Context, req task.Request, retry rules.RetryPolicy, res *task.Result) error {
	name, err := activityFor(req.Spec.Type)
	if err != nil {
		return err
	}
	actx := workflow.WithActivityOptions(ctx, taskActivityOptions(req.Spec.Type, req.Timeout, retry))
	return workflow.ExecuteActivity(actx, name, req).Get(ctx, res)
}
