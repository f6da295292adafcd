package workflows_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// limiterEnv runs RuleLimiterWorkflow in the test environment and records the signals it sends
// to requesters: grants and probes, each with the test clock's time. A requester marked closed
// makes those signals fail, as the server does for a closed workflow.
type limiterEnv struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	mu     sync.Mutex
	sent   []sentGrant
	closed map[string]bool // requester workflow IDs
}

type sentGrant struct {
	workflows.PermitGrant
	at time.Duration // since the start
}

func newLimiterEnv(t *testing.T) *limiterEnv {
	l := &limiterEnv{t: t, env: newEnv(t, twoRules), closed: map[string]bool{}}
	start := l.env.Now()
	l.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(_, workflowID, _, signalName string, arg any) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.closed[workflowID] {
				return errors.New("workflow not found: " + workflowID)
			}
			g := arg.(workflows.PermitGrant)
			if signalName != workflows.PermitSignalName("r") {
				l.t.Errorf("grant on signal %q", signalName)
			}
			l.sent = append(l.sent, sentGrant{PermitGrant: g, at: l.env.Now().Sub(start)})
			return nil
		})
	return l
}

// request returns the PermitRequest of requester wf under limits.
func request(wf string, limits rules.Limits, lease time.Duration) workflows.PermitRequest {
	return workflows.PermitRequest{RequestID: wf + "-run/r/1", WorkflowID: wf, RunID: wf + "-run", RuleID: "r",
		RuleVersion: 1, Limits: limits, Lease: lease}
}

// at runs f at d on the test clock.
func (l *limiterEnv) at(d time.Duration, f func()) { l.env.RegisterDelayedCallback(f, d) }

func (l *limiterEnv) acquire(d time.Duration, req workflows.PermitRequest) {
	l.at(d, func() { l.env.SignalWorkflow(workflows.SignalAcquirePermit, req) })
}

func (l *limiterEnv) release(d time.Duration, requestID string) {
	l.at(d, func() {
		l.env.SignalWorkflow(workflows.SignalReleasePermit, workflows.PermitRelease{RequestID: requestID})
	})
}

func (l *limiterEnv) status() workflows.LimiterStatus {
	v, err := l.env.QueryWorkflow(workflows.QueryLimiter)
	if err != nil {
		l.t.Fatalf("query limiter: %v", err)
	}
	var st workflows.LimiterStatus
	if err := v.Get(&st); err != nil {
		l.t.Fatal(err)
	}
	return st
}

// grants lists the grants (not probes) as "requestID@seconds".
func (l *limiterEnv) grants() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, g := range l.sent {
		if !g.Probe {
			out = append(out, fmt.Sprintf("%s@%gs", g.RequestID, g.at.Seconds()))
		}
	}
	return out
}

func (l *limiterEnv) run(st workflows.LimiterState) {
	l.env.ExecuteWorkflow(workflows.LimiterWorkflowName, st)
	if !l.env.IsWorkflowCompleted() {
		l.t.Fatal("limiter did not complete")
	}
}

// TestLimiterCapFIFO: with concurrency 2, two requests hold permits, the others wait in arrival
// order and get one each time a permit is released; a request sent twice is queued once.
func TestLimiterCapFIFO(t *testing.T) {
	l := newLimiterEnv(t)
	limits := rules.Limits{Concurrency: 2}
	for i, wf := range []string{"a", "b", "c", "d", "e"} {
		l.acquire(time.Duration(i+1)*time.Millisecond, request(wf, limits, time.Hour))
	}
	l.acquire(10*time.Millisecond, request("c", limits, time.Hour)) // a duplicate (a retried activity)
	l.release(10*time.Second, "a-run/r/1")
	l.release(20*time.Second, "c-run/r/1")
	var mid workflows.LimiterStatus
	l.at(30*time.Second, func() { mid = l.status() })
	for i, id := range []string{"b", "d", "e"} {
		l.release(time.Duration(40+i)*time.Second, id+"-run/r/1")
	}
	l.run(workflows.LimiterState{RuleID: "r", IdleTimeout: time.Minute})
	if err := l.env.GetWorkflowError(); err != nil {
		t.Fatalf("limiter: %v", err)
	}
	want := []string{"a-run/r/1@0.001s", "b-run/r/1@0.002s", "c-run/r/1@10s", "d-run/r/1@20s", "e-run/r/1@40s"}
	if got := l.grants(); !slices.Equal(got, want) {
		t.Errorf("grants %v, want %v", got, want)
	}
	if !slices.Equal(mid.Holders, []string{"b-run/r/1", "d-run/r/1"}) || !slices.Equal(mid.Waiting, []string{"e-run/r/1"}) {
		t.Errorf("status at 30s: %+v", mid)
	}
}

// TestLimiterRate: with 2/s and no cap, five requests at once start 500 ms apart; with a burst
// of 2 the second goes at once too, and the rest follow 500 ms apart.
func TestLimiterRate(t *testing.T) {
	tests := []struct {
		name  string
		burst int
		want  []string
	}{
		{"no burst", 0, []string{"a-run/r/1@0.001s", "b-run/r/1@0.501s", "c-run/r/1@1.001s", "d-run/r/1@1.501s", "e-run/r/1@2.001s"}},
		{"burst 2", 2, []string{"a-run/r/1@0.001s", "b-run/r/1@0.002s", "c-run/r/1@0.501s", "d-run/r/1@1.001s", "e-run/r/1@1.501s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiterEnv(t)
			limits := rules.Limits{Rate: &rules.RateLimit{Count: 2, Per: time.Second, Burst: tt.burst}}
			for i, wf := range []string{"a", "b", "c", "d", "e"} {
				l.acquire(time.Duration(i+1)*time.Millisecond, request(wf, limits, 0))
			}
			l.run(workflows.LimiterState{RuleID: "r", IdleTimeout: time.Minute})
			if got := l.grants(); !slices.Equal(got, tt.want) {
				t.Errorf("grants %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLimiterReclaims: a grant to a closed requester is taken back at once; a holder whose lease
// ran out keeps its permit while it answers the probe and loses it once it is closed.
func TestLimiterReclaims(t *testing.T) {
	l := newLimiterEnv(t)
	limits := rules.Limits{Concurrency: 1}
	l.closed["gone"] = true
	l.acquire(time.Millisecond, request("gone", limits, time.Minute))
	l.acquire(2*time.Millisecond, request("holder", limits, time.Minute))
	l.acquire(3*time.Millisecond, request("next", limits, time.Minute))
	// The holder answers the probe at its first lease end (1m), and is closed before the second.
	l.at(90*time.Second, func() { l.mu.Lock(); l.closed["holder"] = true; l.mu.Unlock() })
	l.release(3*time.Minute, "next-run/r/1")
	l.run(workflows.LimiterState{RuleID: "r", IdleTimeout: time.Minute})
	want := []string{"holder-run/r/1@0.002s", "next-run/r/1@120.002s"}
	if got := l.grants(); !slices.Equal(got, want) {
		t.Errorf("grants %v, want %v", got, want)
	}
	probes := 0
	for _, g := range l.sent {
		if g.Probe {
			probes++
		}
	}
	if probes != 1 {
		t.Errorf("%d probes delivered, want 1 (the one the holder answered)", probes)
	}
}

// TestLimiterContinuesAsNew: after MaxSignals signals the limiter continues as new carrying its
// holders, waiters in order, rate window and limits; signals already received are not lost.
func TestLimiterContinuesAsNew(t *testing.T) {
	l := newLimiterEnv(t)
	limits := rules.Limits{Concurrency: 1, Rate: &rules.RateLimit{Count: 5, Per: time.Minute}}
	for i, wf := range []string{"a", "b", "c", "d"} {
		l.acquire(time.Duration(i+1)*time.Millisecond, request(wf, limits, time.Hour))
	}
	l.run(workflows.LimiterState{RuleID: "r", MaxSignals: 3})
	var can *workflow.ContinueAsNewError
	if err := l.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("limiter ended with %v, want continue-as-new", err)
	}
	var next workflows.LimiterState
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	var holders, waiting []string
	for _, h := range next.Holders {
		holders = append(holders, h.Request.RequestID)
	}
	for _, r := range next.Waiting {
		waiting = append(waiting, r.RequestID)
	}
	if next.RuleID != "r" || next.MaxSignals != 3 || next.Limits.Concurrency != 1 || next.NextStart.IsZero() ||
		!slices.Equal(holders, []string{"a-run/r/1"}) || !slices.Equal(waiting, []string{"b-run/r/1", "c-run/r/1"}) {
		t.Errorf("carried state %+v (holders %v, waiting %v)", next, holders, waiting)
	}
}

// TestLimiterIdleKeepsRateWindow: an idle limiter completes only once the rate limit would
// allow the next start, so a new run cannot start sooner than this one would have.
func TestLimiterIdleKeepsRateWindow(t *testing.T) {
	l := newLimiterEnv(t)
	start := l.env.Now()
	l.acquire(time.Millisecond, request("a", rules.Limits{Rate: &rules.RateLimit{Count: 1, Per: time.Hour}}, 0))
	l.run(workflows.LimiterState{RuleID: "r", IdleTimeout: time.Second})
	if err := l.env.GetWorkflowError(); err != nil {
		t.Fatalf("limiter: %v", err)
	}
	if ran := l.env.Now().Sub(start); ran < time.Hour {
		t.Errorf("limiter completed after %s, before its rate window of 1h ended", ran)
	}
}
