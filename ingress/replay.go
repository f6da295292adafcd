package ingress

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// Replayer re-evaluates past messages (a Kafka range, say) against the current rules and says,
// per rule, how many events would fire it now and how many of those already have a workflow.
// Unless DryRun, it starts the missing workflows, idempotently, so a replay is safe to re-run.
type Replayer struct {
	rules   rules.Source
	client  client.Client
	starter *Starter
	dryRun  bool

	mu     sync.Mutex
	report ReplayReport
}

// ReplayReport is what a replay found.
type ReplayReport struct {
	// Records read; Invalid ones are not events; Unmatched match no rule now.
	Records, Invalid, Unmatched int
	// Started counts the workflows the replay started (0 in a dry run).
	Started int
	// Rules holds, per rule ID, the events that would fire it now and those that already have a
	// workflow (did fire).
	Rules map[string]*RuleReplay
}

// RuleReplay counts the events of one rule.
type RuleReplay struct {
	WouldFire int `json:"wouldFire"`
	DidFire   int `json:"didFire"`
}

// RuleIDs returns the rule IDs of the report, sorted.
func (r ReplayReport) RuleIDs() []string {
	ids := make([]string, 0, len(r.Rules))
	for id := range r.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// NewReplayer returns a Replayer; starter is used only when dryRun is false.
func NewReplayer(rs rules.Source, c client.Client, starter *Starter, dryRun bool) *Replayer {
	return &Replayer{rules: rs, client: c, starter: starter, dryRun: dryRun,
		report: ReplayReport{Rules: map[string]*RuleReplay{}}}
}

// Handle is the Replayer's Handler: evaluate, look the workflow up, start it unless dry.
func (r *Replayer) Handle(ctx context.Context, m Message) error {
	ev, err := event.Parse(m.Body, event.Options{DefaultID: func([]byte) string { return m.DefaultID }})
	if err != nil {
		r.count(func(rep *ReplayReport) { rep.Records++; rep.Invalid++ })
		return nil
	}
	matched := r.rules.Current().Evaluate(ctx, ev).Matched
	if len(matched) == 0 {
		r.count(func(rep *ReplayReport) { rep.Records++; rep.Unmatched++ })
		return nil
	}
	exists, err := r.workflowExists(ctx, ev.ID)
	if err != nil {
		return err
	}
	started := false
	if !exists && !r.dryRun {
		out, err := r.starter.Start(ctx, ev)
		if err != nil {
			return fmt.Errorf("replay event %s: %w", ev.ID, err)
		}
		started = !out.Duplicate && !out.Filtered
	}
	r.count(func(rep *ReplayReport) {
		rep.Records++
		if started {
			rep.Started++
		}
		for _, m := range matched {
			rr := rep.Rules[m.RuleID]
			if rr == nil {
				rr = &RuleReplay{}
				rep.Rules[m.RuleID] = rr
			}
			rr.WouldFire++
			if exists {
				rr.DidFire++
			}
		}
	})
	return nil
}

func (r *Replayer) workflowExists(ctx context.Context, eventID string) (bool, error) {
	_, err := r.client.DescribeWorkflow(ctx, event.WorkflowID(eventID), "")
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &notFound):
		return false, nil
	}
	return false, fmt.Errorf("look up workflow of event %s: %w", eventID, err)
}

func (r *Replayer) count(f func(*ReplayReport)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.report)
}

// Report returns the counts so far.
func (r *Replayer) Report() ReplayReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.report
	out.Rules = make(map[string]*RuleReplay, len(r.report.Rules))
	for id, rr := range r.report.Rules {
		c := *rr
		out.Rules[id] = &c
	}
	return out
}
