package workflows

import (
	"time"

	"github.com/evtrigger/evtrigger/rules"
)

// Names of the rule limiter: its workflow, its signals and the activity that reaches it.
const (
	// LimiterWorkflowName is RuleLimiterWorkflow's registered name.
	LimiterWorkflowName = "RuleLimiterWorkflow"
	// ActivityAcquirePermit signals SignalAcquirePermit to a rule's limiter, starting it when
	// none runs (a local activity: it needs a Temporal client).
	ActivityAcquirePermit = "AcquirePermit"
	// SignalAcquirePermit (a PermitRequest) asks the limiter for a permit.
	SignalAcquirePermit = "acquire"
	// SignalReleasePermit (a PermitRelease) gives a permit back, or withdraws a waiting request.
	SignalReleasePermit = "release"
	// QueryLimiter answers a LimiterStatus.
	QueryLimiter = "limiter"
)

// Limiter defaults, used when LimiterState leaves them zero.
const (
	// DefaultLimiterIdle is how long a limiter with no holder, no waiter and no start within its
	// rate window stays before it completes.
	DefaultLimiterIdle = 10 * time.Minute
	// DefaultLimiterMaxSignals is how many signals a limiter run handles before it continues as
	// new (sooner when the server suggests it).
	DefaultLimiterMaxSignals = 500
	// defaultPermitLease is the lease of a request that names none.
	defaultPermitLease = 10 * time.Minute
)

// LimiterWorkflowID is the workflow ID of ruleID's limiter: "limit-<ruleId>".
func LimiterWorkflowID(ruleID string) string { return "limit-" + ruleID }

// PermitSignalName is the signal by which a limiter grants a permit of ruleID's limiter to an
// event workflow (a PermitGrant).
func PermitSignalName(ruleID string) string { return "permit/" + ruleID }

// PermitRequest asks a rule's limiter for a permit on behalf of one run of one task (an attempt
// series) of one event workflow.
type PermitRequest struct {
	// RequestID is unique per task run: "<runId>/<ruleId>/<n>". Requests are deduplicated by it.
	RequestID string `json:"requestId"`
	// WorkflowID and RunID name the requesting workflow, to which the grant is signalled.
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	RuleID     string `json:"ruleId"`
	// RuleVersion and Limits: the limiter applies the limits of the newest version it has seen.
	RuleVersion int64        `json:"ruleVersion"`
	Limits      rules.Limits `json:"limits"`
	// Lease bounds how long the task may hold the permit (its attempt series' bound plus
	// slack); when it runs out the limiter checks the requester is still open and reclaims the
	// permit when it is not.
	Lease time.Duration `json:"lease,omitempty"`
	// TaskQueue is where the limiter is started when none runs.
	TaskQueue string `json:"taskQueue"`
}

// PermitRelease gives back the permit of a request, or withdraws the request while it waits.
type PermitRelease struct {
	RequestID string `json:"requestId"`
}

// PermitGrant tells a requester its request was granted. Probe marks the limiter's check that a
// holder whose lease ran out still exists; the requester ignores it.
type PermitGrant struct {
	RequestID string `json:"requestId"`
	Probe     bool   `json:"probe,omitempty"`
}

// PermitHolder is a granted request and when its lease runs out.
type PermitHolder struct {
	Request PermitRequest `json:"request"`
	Until   time.Time     `json:"until"`
	// probing: a probe signal to the holder is in flight (never across continue-as-new: the
	// limiter waits for every signal's answer first).
	probing bool
}

// LimiterState is RuleLimiterWorkflow's input and what it carries across continue-as-new.
type LimiterState struct {
	RuleID string `json:"ruleId"`
	// RuleVersion and Limits in force: those of the newest rule version seen in a request.
	RuleVersion int64        `json:"ruleVersion"`
	Limits      rules.Limits `json:"limits"`
	// Waiting is the FIFO of requests not granted yet.
	Waiting []PermitRequest `json:"waiting,omitempty"`
	// Holders are granted requests not released yet (only while the rule has a concurrency cap).
	Holders []PermitHolder `json:"holders,omitempty"`
	// NextStart is the rate limit's theoretical arrival time (GCRA): a start is allowed once
	// now >= NextStart - (burst-1) * interval, and moves it to max(NextStart, now) + interval.
	NextStart time.Time `json:"nextStart,omitzero"`
	// IdleTimeout and MaxSignals: 0 means DefaultLimiterIdle and DefaultLimiterMaxSignals.
	IdleTimeout time.Duration `json:"idleTimeout,omitempty"`
	MaxSignals  int           `json:"maxSignals,omitempty"`
}

// LimiterStatus is the answer of the limiter query.
type LimiterStatus struct {
	RuleID      string       `json:"ruleId"`
	RuleVersion int64        `json:"ruleVersion"`
	Limits      rules.Limits `json:"limits"`
	// Holders are the request IDs holding a permit, Waiting those queued, in order.
	Holders []string `json:"holders"`
	Waiting []string `json:"waiting"`
	// NextStart: see LimiterState.
	NextStart time.Time `json:"nextStart,omitzero"`
}

// adopt takes req's limits when its rule version is at least the one in force.
func (s *LimiterState) adopt(req PermitRequest) {
	if req.RuleVersion >= s.RuleVersion {
		s.RuleVersion, s.Limits = req.RuleVersion, req.Limits
	}
}

// capAllows reports whether one more holder fits under the concurrency cap.
func (s *LimiterState) capAllows() bool {
	return s.Limits.Concurrency <= 0 || len(s.Holders) < s.Limits.Concurrency
}

// rateAllows reports whether a task may start at now under the rate limit.
func (s *LimiterState) rateAllows(now time.Time) bool {
	return s.Limits.Rate == nil || !now.Before(s.nextStartAt())
}

// nextStartAt is the earliest time the rate limit allows the next start (only with a rate).
func (s *LimiterState) nextStartAt() time.Time {
	r := s.Limits.Rate
	return s.NextStart.Add(-time.Duration(r.BurstOrOne()-1) * r.Interval())
}

// started records a start at now in the rate limit's state.
func (s *LimiterState) started(now time.Time) {
	if s.Limits.Rate != nil {
		s.NextStart = latest(s.NextStart, now).Add(s.Limits.Rate.Interval())
	}
}

// removeHolder drops the holder of requestID and reports whether there was one.
func (s *LimiterState) removeHolder(requestID string) bool {
	for i, h := range s.Holders {
		if h.Request.RequestID == requestID {
			s.Holders = append(s.Holders[:i:i], s.Holders[i+1:]...)
			return true
		}
	}
	return false
}

// removeWaiting drops the waiting request requestID and reports whether there was one.
func (s *LimiterState) removeWaiting(requestID string) bool {
	for i, r := range s.Waiting {
		if r.RequestID == requestID {
			s.Waiting = append(s.Waiting[:i:i], s.Waiting[i+1:]...)
			return true
		}
	}
	return false
}

// holder returns the holder of requestID, nil when none.
func (s *LimiterState) holder(requestID string) *PermitHolder {
	for i := range s.Holders {
		if s.Holders[i].Request.RequestID == requestID {
			return &s.Holders[i]
		}
	}
	return nil
}

// status answers the limiter query.
func (s *LimiterState) status() LimiterStatus {
	st := LimiterStatus{RuleID: s.RuleID, RuleVersion: s.RuleVersion, Limits: s.Limits,
		Holders: []string{}, Waiting: []string{}, NextStart: s.NextStart}
	for _, h := range s.Holders {
		st.Holders = append(st.Holders, h.Request.RequestID)
	}
	for _, r := range s.Waiting {
		st.Waiting = append(st.Waiting, r.RequestID)
	}
	return st
}

// leaseOf is req's lease, defaultPermitLease when it names none.
func leaseOf(req PermitRequest) time.Duration {
	if req.Lease > 0 {
		return req.Lease
	}
	return defaultPermitLease
}
