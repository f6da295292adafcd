package workflows

import (
	"go.temporal.io/sdk/temporal"
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
	order     *ordering
	succeeded []int
	permits   int   // permits requested so far: numbers each request of this run
	local     *bool // nil until a short task asked whether this workflow runs them locally
}

// runAll runs every matched task concurrently, a task of an ordered rule once its turn has
// come, and returns when all have ended.
func (r *run) runAll(ctx workflow.Context) {
	all := make([]int, len(r.eval.Matched))
	for i := range all {
		all[i] = i
	}
	r.each(ctx, all, r.runInTurn)
}

// runInTurn runs task i, first waiting for its turn when the ingress enqueued the event under
// the rule's ordering key, and gives the turn back after.
func (r *run) runInTurn(ctx workflow.Context, i int) {
	k := r.order.index(r.eval.Matched[i].RuleID)
	if k < 0 {
		r.runTask(ctx, i)
		return
	}
	defer r.order.giveBack(ctx, k)
	key := r.order.keys[k]
	ts := &r.st.Tasks[i]
	ts.Waiting = "waiting for its turn from " + SequencerWorkflowID(key.RuleID, key.Key)
	err := r.order.await(ctx, k)
	ts.Waiting = ""
	if err == nil {
		r.runTask(ctx, i)
	}
}

// noteOrder records each task's ordering key, or why a task of an ordered rule runs unordered.
func (r *run) noteOrder(order []rules.OrderKey) {
	for i, m := range r.eval.Matched {
		ts := &r.st.Tasks[i]
		if k := r.order.index(m.RuleID); k >= 0 {
			ts.OrderKey = r.order.keys[k].Key
			continue
		}
		if !m.Ordered {
			continue
		}
		ts.OrderError = "not ordered: the ingress gave the event no ordering key for this rule"
		for _, k := range order {
			if k.RuleID == m.RuleID && k.Error != "" {
				ts.OrderError = "not ordered: " + k.Error
			}
		}
	}
}

// runTasks runs the tasks with the given indices concurrently, each from a fresh attempt series
// and without waiting for a turn, and returns when all have ended.
func (r *run) runTasks(ctx workflow.Context, indices []int) { r.each(ctx, indices, r.runTask) }

// each runs fn for each index concurrently and returns when all have returned.
func (r *run) each(ctx workflow.Context, indices []int, fn func(workflow.Context, int)) {
	wg := workflow.NewWaitGroup(ctx)
	for _, i := range indices {
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			fn(ctx, i)
		})
	}
	wg.Wait(ctx)
}

// runTask runs task i to its end, recording its progress in the status.
func (r *run) runTask(ctx workflow.Context, i int) {
	m, ts := r.eval.Matched[i], &r.st.Tasks[i]
	if r.limited(ctx, i) {
		p, err := r.acquirePermit(ctx, i)
		if err != nil {
			ts.State, ts.LastError, ts.ClosedAt = TaskFailed, "no permit: "+err.Error(), workflow.Now(ctx)
			return
		}
		defer p.release(ctx)
	}
	ts.State, ts.StartedAt, ts.LastError = TaskRunning, workflow.Now(ctx), ""
	triggered := r.outs.triggered(ctx, m)
	defer func() { r.outs.final(ctx, m, triggered, *ts) }()
	req := task.Request{EventID: r.ev.ID, RuleID: m.RuleID, TaskName: m.TaskName, Timeout: m.Timeout, Spec: m.Task,
		EventTime: r.ev.Time, TraceID: r.ev.TraceID()}
	var res task.Result
	err := r.execute(ctx, req, m.Retry, &res)
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

// execute runs one of the event's tasks: a short HTTP task as a local activity (in workflows
// started after local tasks existed), any other as a regular activity.
func (r *run) execute(ctx workflow.Context, req task.Request, retry rules.RetryPolicy, res *task.Result) error {
	if !runsLocally(req.Spec.Type, req.Timeout) || !r.localTasks(ctx) {
		return executeTask(ctx, req, retry, r.priority(), res)
	}
	name, err := activityFor(req.Spec.Type)
	if err != nil {
		return err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, localTaskOptions(req.Timeout, retry))
	return workflow.ExecuteLocalActivity(lctx, name, req).Get(ctx, res)
}

// localTasks reports whether this workflow runs short tasks locally, asking versionOf once: in
// an execution of ShapeVersioned, the first short task records the version marker.
func (r *run) localTasks(ctx workflow.Context) bool {
	if r.local == nil {
		local := versionOf(ctx, changeLocalTasks) >= 1
		r.local = &local
	}
	return *r.local
}

// executeTask runs a rendered task as its type's activity, one attempt bounded by req.Timeout,
// the series by retry, dispatched with the priority key (1 first, 5 last).
func executeTask(ctx workflow.Context, req task.Request, retry rules.RetryPolicy, priority int, res *task.Result) error {
	name, err := activityFor(req.Spec.Type)
	if err != nil {
		return err
	}
	opts := taskActivityOptions(req.Spec.Type, req.Timeout, retry)
	opts.Priority = temporal.Priority{PriorityKey: priority}
	actx := workflow.WithActivityOptions(ctx, opts)
	return workflow.ExecuteActivity(actx, name, req).Get(ctx, res)
}

// PriorityKey maps an event priority onto Temporal's priority key: HIGH 1, MEDIUM 3, LOW 5
// (1 is dispatched first when workers are saturated; the server's default range is 1..5).
func PriorityKey(p event.Priority) int {
	switch p {
	case event.PriorityHigh:
		return 1
	case event.PriorityLow:
		return 5
	}
	return 3
}

// priority is the priority key of this event's tasks: the event's priority decides, so a HIGH
// event's task is not stuck behind a backlog of LOW events' tasks.
func (r *run) priority() int { return PriorityKey(r.ev.Priority) }
