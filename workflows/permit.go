package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/rules"
)

// Permit timing on the requester's side.
const (
	// reacquireAfter: a request not granted within this time is sent again. The limiter ignores
	// a request it knows; one that was terminated and started anew queues it again.
	reacquireAfter = time.Minute
	// leaseSlack is added to a task's attempt series bound to make its permit lease.
	leaseSlack = time.Minute
)

// permit is a granted request, to be released once the task's attempt series has ended.
type permit struct{ req PermitRequest }

// limited reports whether task i must hold a permit of its rule's limiter before it runs.
func (r *run) limited(ctx workflow.Context, i int) bool {
	return r.eval.Matched[i].Limits != nil &&
		versionOf(ctx, changeRuleLimits) >= 1
}

// acquirePermit asks task i's rule limiter for a permit and waits for the grant, the task
// showing as pending with a waiting note meanwhile. It fails only when ctx is canceled; the
// request is then withdrawn.
func (r *run) acquirePermit(ctx workflow.Context, i int) (*permit, error) {
	m, ts := r.eval.Matched[i], &r.st.Tasks[i]
	info := workflow.GetInfo(ctx)
	r.permits++
	req := PermitRequest{
		RequestID:  fmt.Sprintf("%s/%s/%d", info.WorkflowExecution.RunID, m.RuleID, r.permits),
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
		RuleID: m.RuleID, RuleVersion: m.Version, Limits: *m.Limits,
		Lease: seriesBound(m) + leaseSlack, TaskQueue: info.TaskQueueName,
	}
	ts.State, ts.Waiting = TaskPending, "waiting for a permit of "+LimiterWorkflowID(m.RuleID)+" ("+describeLimits(*m.Limits)+")"
	defer func() { ts.Waiting = "" }()
	granted := workflow.GetSignalChannel(ctx, PermitSignalName(m.RuleID))
	p := &permit{req: req}
	for {
		sendAcquire(ctx, req)
		ok, err := waitGrant(ctx, granted, req.RequestID)
		if err != nil {
			p.release(ctx)
			return nil, err
		}
		if ok {
			return p, nil
		}
	}
}

// sendAcquire runs the AcquirePermit local activity, retried until it succeeds. It runs in a
// disconnected context so that a cancellation cannot interrupt it halfway: the request is then
// surely at the limiter before it is withdrawn.
func sendAcquire(ctx workflow.Context, req PermitRequest) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	lctx := workflow.WithLocalActivityOptions(dctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		},
	})
	if err := workflow.ExecuteLocalActivity(lctx, ActivityAcquirePermit, req).Get(lctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("permit request not sent", "request", req.RequestID, "error", err)
	}
}

// waitGrant waits up to reacquireAfter for the grant of requestID; other grants on the channel
// (probes, answers to an earlier run of the task) are dropped. err is set when ctx is canceled.
func waitGrant(ctx workflow.Context, granted workflow.ReceiveChannel, requestID string) (bool, error) {
	tctx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	timer := workflow.NewTimer(tctx, reacquireAfter)
	for {
		ok, timedOut := false, false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(granted, func(c workflow.ReceiveChannel, _ bool) {
			var g PermitGrant
			c.Receive(ctx, &g)
			ok = g.RequestID == requestID && !g.Probe
		})
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		sel.Select(ctx)
		switch {
		case ctx.Err() != nil:
			return false, ctx.Err()
		case ok:
			return true, nil
		case timedOut:
			return false, nil
		}
	}
}

// release gives the permit back (or withdraws the request), also when ctx was canceled. A
// failure is logged: the limiter reclaims the permit once the workflow has closed.
func (p *permit) release(ctx workflow.Context) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	err := workflow.SignalExternalWorkflow(dctx, LimiterWorkflowID(p.req.RuleID), "", SignalReleasePermit,
		PermitRelease{RequestID: p.req.RequestID}).Get(dctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("permit not released", "request", p.req.RequestID, "error", err)
	}
}

// seriesBound is the longest a task's attempt series can take: every attempt's timeout plus
// the retry waits between them.
func seriesBound(m rules.Match) time.Duration {
	total, wait := time.Duration(0), min(m.Retry.InitialInterval, m.Retry.MaxInterval)
	for a := int32(1); a <= max(m.Retry.MaxAttempts, 1); a++ {
		total += m.Timeout
		if a < m.Retry.MaxAttempts {
			total += wait
			if next := float64(wait) * m.Retry.Backoff; next < float64(m.Retry.MaxInterval) {
				wait = time.Duration(next)
			} else {
				wait = m.Retry.MaxInterval
			}
		}
	}
	return total
}

// describeLimits writes limits as a rule does: "concurrency 2, rateLimit 5/s".
func describeLimits(l rules.Limits) string {
	var parts []string
	if l.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("concurrency %d", l.Concurrency))
	}
	if l.Rate != nil {
		parts = append(parts, "rateLimit "+l.Rate.String())
	}
	return strings.Join(parts, ", ")
}
