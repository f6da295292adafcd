package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// RuleLimiterWorkflow enforces one rule's Limits for every event workflow on every worker: a
// semaphore of Limits.Concurrency permits and a rate limit spacing the grants by
// Limits.Rate.Interval() with a burst of Limits.Rate.Burst (GCRA, integer arithmetic). Requests (SignalAcquirePermit) queue in arrival order; the first is granted
// (a PermitGrant signal to its workflow) when a permit is free and the window has room. A
// request seen before (same RequestID) is ignored. A holder gives its permit back with
// SignalReleasePermit. A permit is reclaimed when its grant cannot be delivered (the requester
// is gone), or when its lease ran out and a probe signal finds the requester closed.
//
// The limiter continues as new after MaxSignals signals or when the server suggests it, and
// completes after IdleTimeout without holders or waiters (and not before NextStart); either way it
// first waits for its own signals' answers and drains the signals received, so none is lost.
func RuleLimiterWorkflow(ctx workflow.Context, st LimiterState) error {
	l := &limiter{
		st:      st,
		known:   map[string]bool{},
		acquire: workflow.GetSignalChannel(ctx, SignalAcquirePermit),
		release: workflow.GetSignalChannel(ctx, SignalReleasePermit),
		results: workflow.NewChannel(ctx),
		active:  workflow.Now(ctx),
	}
	for _, r := range st.Waiting {
		l.known[r.RequestID] = true
	}
	for _, h := range st.Holders {
		l.known[h.Request.RequestID] = true
	}
	if err := workflow.SetQueryHandler(ctx, QueryLimiter, func() (LimiterStatus, error) {
		return l.st.status(), nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", QueryLimiter, err)
	}
	return l.run(ctx)
}

// limiter is one run of RuleLimiterWorkflow.
type limiter struct {
	st    LimiterState
	known map[string]bool // request IDs waiting or holding; looked up, never ranged
	// acquire, release: the signal channels; results: answers to the limiter's own signals.
	acquire, release workflow.ReceiveChannel
	results          workflow.Channel
	inflight         int       // grant and probe signals not answered yet
	signals          int       // signals handled in this run
	active           time.Time // when the last signal came
	timer            *limiterTimer
}

// signalResult answers one grant or probe signal the limiter sent.
type signalResult struct {
	requestID string
	probe     bool
	failed    bool
}

// limiterTimer is the one timer the limiter keeps, reused while its deadline stays the same.
type limiterTimer struct {
	at     time.Time
	f      workflow.Future
	cancel workflow.CancelFunc
}

// run is the limiter's loop: grant what can be granted, probe expired leases, then continue as
// new, complete or wait for the next signal, answer or deadline.
func (l *limiter) run(ctx workflow.Context) error {
	for {
		now := workflow.Now(ctx)
		newRun := l.wantsNewRun(ctx)
		if !newRun {
			l.grant(ctx, now)
			l.probeExpired(ctx, now)
		}
		if l.inflight == 0 && (newRun || l.idleSince(now)) {
			l.drain(ctx)
			if newRun {
				return workflow.NewContinueAsNewError(ctx, LimiterWorkflowName, l.st)
			}
			if l.idleSince(now) {
				return nil
			}
			continue
		}
		l.wait(ctx, now)
	}
}

// wantsNewRun reports whether this run has handled enough signals to continue as new.
func (l *limiter) wantsNewRun(ctx workflow.Context) bool {
	limit := l.st.MaxSignals
	if limit <= 0 {
		limit = DefaultLimiterMaxSignals
	}
	return l.signals >= limit || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// idleSince reports whether the limiter has nothing to keep (no waiter, no holder, the rate
// limit's NextStart passed) and has had no signal for its idle timeout.
func (l *limiter) idleSince(now time.Time) bool {
	at, ok := l.idleAt()
	return ok && !now.Before(at)
}

// idleAt is when the limiter may complete if nothing happens until then (not before the rate
// limit's NextStart, so a new run cannot start sooner than this one would); ok is false while
// it has waiters or holders.
func (l *limiter) idleAt() (time.Time, bool) {
	if len(l.st.Waiting) > 0 || len(l.st.Holders) > 0 {
		return time.Time{}, false
	}
	idle := l.st.IdleTimeout
	if idle <= 0 {
		idle = DefaultLimiterIdle
	}
	return latest(l.active.Add(idle), l.st.NextStart), true
}

// grant grants waiting requests in order while the cap and the rate window allow.
func (l *limiter) grant(ctx workflow.Context, now time.Time) {
	for len(l.st.Waiting) > 0 && l.st.capAllows() && l.st.rateAllows(now) {
		req := l.st.Waiting[0]
		l.st.Waiting = l.st.Waiting[1:]
		l.st.started(now)
		if l.st.Limits.Concurrency > 0 {
			l.st.Holders = append(l.st.Holders, PermitHolder{Request: req, Until: now.Add(leaseOf(req))})
		} else {
			delete(l.known, req.RequestID)
		}
		l.send(ctx, req, false)
	}
}

// probeExpired sends a probe to every holder whose lease ran out.
func (l *limiter) probeExpired(ctx workflow.Context, now time.Time) {
	for i := range l.st.Holders {
		h := &l.st.Holders[i]
		if !h.probing && !now.Before(h.Until) {
			h.probing = true
			l.send(ctx, h.Request, true)
		}
	}
}

// send signals a grant (or a probe) to req's workflow run in the background; its answer comes
// back on l.results.
func (l *limiter) send(ctx workflow.Context, req PermitRequest, probe bool) {
	l.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		err := workflow.SignalExternalWorkflow(ctx, req.WorkflowID, req.RunID, PermitSignalName(req.RuleID),
			PermitGrant{RequestID: req.RequestID, Probe: probe}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Info("permit requester gone", "request", req.RequestID, "probe", probe, "error", err)
		}
		l.results.Send(ctx, signalResult{requestID: req.RequestID, probe: probe, failed: err != nil})
	})
}

// wait blocks until a signal, a signal's answer or the next deadline, and handles it.
func (l *limiter) wait(ctx workflow.Context, now time.Time) {
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(l.acquire, func(c workflow.ReceiveChannel, _ bool) {
		var req PermitRequest
		c.Receive(ctx, &req)
		l.onAcquire(ctx, req)
	})
	sel.AddReceive(l.release, func(c workflow.ReceiveChannel, _ bool) {
		var rel PermitRelease
		c.Receive(ctx, &rel)
		l.onRelease(ctx, rel)
	})
	sel.AddReceive(l.results, func(c workflow.ReceiveChannel, _ bool) {
		var res signalResult
		c.Receive(ctx, &res)
		l.onResult(ctx, res)
	})
	if at, ok := l.wakeAt(); ok {
		sel.AddFuture(l.timerAt(ctx, now, at), func(workflow.Future) { l.timer = nil })
	} else {
		l.stopTimer()
	}
	sel.Select(ctx)
}

// wakeAt is the next deadline: room in the rate window for the first waiter, a lease running
// out, or the idle timeout.
func (l *limiter) wakeAt() (time.Time, bool) {
	var at time.Time
	ok := false
	add := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if len(l.st.Waiting) > 0 && l.st.capAllows() && l.st.Limits.Rate != nil {
		add(l.st.nextStartAt())
	}
	for _, h := range l.st.Holders {
		if !h.probing {
			add(h.Until)
		}
	}
	if t, idle := l.idleAt(); idle && l.inflight == 0 {
		add(t)
	}
	return at, ok
}

// timerAt returns a timer firing at at, reusing the current one when its deadline is the same.
func (l *limiter) timerAt(ctx workflow.Context, now, at time.Time) workflow.Future {
	if l.timer != nil && l.timer.at.Equal(at) {
		return l.timer.f
	}
	l.stopTimer()
	tctx, cancel := workflow.WithCancel(ctx)
	l.timer = &limiterTimer{at: at, f: workflow.NewTimer(tctx, max(at.Sub(now), time.Millisecond)), cancel: cancel}
	return l.timer.f
}

// stopTimer cancels the current timer, if any.
func (l *limiter) stopTimer() {
	if l.timer != nil {
		l.timer.cancel()
		l.timer = nil
	}
}

// onAcquire queues a request unless it is known (waiting or holding already).
func (l *limiter) onAcquire(ctx workflow.Context, req PermitRequest) {
	l.signals++
	l.active = workflow.Now(ctx)
	l.st.adopt(req)
	if l.known[req.RequestID] {
		return
	}
	l.known[req.RequestID] = true
	l.st.Waiting = append(l.st.Waiting, req)
}

// onRelease frees a holder's permit or withdraws a waiting request; an unknown ID (a rate-only
// grant, or a permit already reclaimed) changes nothing.
func (l *limiter) onRelease(ctx workflow.Context, rel PermitRelease) {
	l.signals++
	l.active = workflow.Now(ctx)
	if l.st.removeHolder(rel.RequestID) || l.st.removeWaiting(rel.RequestID) {
		delete(l.known, rel.RequestID)
	}
}

// onResult handles the answer to a grant or probe: a requester that is gone loses its permit;
// one that answered a probe keeps it for another lease.
func (l *limiter) onResult(ctx workflow.Context, res signalResult) {
	l.inflight--
	if res.failed {
		if l.st.removeHolder(res.requestID) {
			delete(l.known, res.requestID)
			workflow.GetLogger(ctx).Warn("permit reclaimed from a closed requester", "rule", l.st.RuleID, "request", res.requestID)
		}
		return
	}
	if h := l.st.holder(res.requestID); h != nil && res.probe {
		h.probing = false
		h.Until = workflow.Now(ctx).Add(leaseOf(h.Request))
	}
}

// drain handles every signal already received, without granting, before the run ends.
func (l *limiter) drain(ctx workflow.Context) {
	for {
		var req PermitRequest
		var rel PermitRelease
		switch {
		case l.acquire.ReceiveAsync(&req):
			l.onAcquire(ctx, req)
		case l.release.ReceiveAsync(&rel):
			l.onRelease(ctx, rel)
		default:
			return
		}
	}
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
