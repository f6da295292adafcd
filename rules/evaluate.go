package rules

import (
	"cmp"
	"context"
	"slices"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// evaluate runs the candidate rules, sorted by ID, against one event.
func evaluate(ctx context.Context, ev *event.Event, cands []*Compiled) Evaluation {
	// Room for every candidate to match: one allocation instead of a slice that grows.
	out := Evaluation{Matched: make([]Match, 0, len(cands)), Verdicts: make([]Verdict, 0, len(cands))}
	b := newBinding(ev)
	for _, c := range cands {
		v, m, matched := c.evaluate(ctx, b)
		out.Verdicts = append(out.Verdicts, v)
		if matched {
			out.Matched = append(out.Matched, m)
		}
	}
	slices.SortFunc(out.Matched, func(a, b Match) int {
		return cmp.Or(cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority)), cmp.Compare(a.RuleID, b.RuleID))
	})
	return out
}

// binding holds what the rules of one event see: the CEL activation and the placeholder values.
type binding struct {
	act  activation
	vals values
}

// newBinding binds ev; the event must not change while the binding is in use.
func newBinding(ev *event.Event) *binding {
	return &binding{act: activation{ev: ev}, vals: values{ev: ev}}
}

// evaluate decides one candidate rule: its Verdict, and its Match when it matched.
func (c *Compiled) evaluate(ctx context.Context, b *binding) (Verdict, Match, bool) {
	v := Verdict{RuleID: c.Rule.ID, Version: c.Rule.Version}
	if !c.Rule.IsEnabled() {
		v.Outcome = OutcomeDisabled
		return v, Match{}, false
	}
	ok, err := c.holds(ctx, &b.act)
	switch {
	case err != nil:
		v.Outcome, v.Message = OutcomeConditionError, err.Error()
		return v, Match{}, false
	case !ok:
		v.Outcome = OutcomeConditionFalse
		return v, Match{}, false
	}
	spec, err := c.task.render(&b.vals)
	if err != nil {
		v.Outcome, v.Message = OutcomeRenderError, err.Error()
		return v, Match{}, false
	}
	var comp *CompensationTask
	if c.comp != nil {
		if comp, err = c.comp.render(&b.vals); err != nil {
			v.Outcome, v.Message = OutcomeRenderError, err.Error()
			return v, Match{}, false
		}
	}
	v.Outcome = OutcomeMatched
	return v, Match{
		RuleID: c.Rule.ID, Version: c.Rule.Version, TaskName: c.Rule.TaskName,
		Priority: c.Rule.Priority, Task: spec, Timeout: c.Rule.Timeout.Std(), Retry: c.Rule.Retry.policy(),
		Compensation: comp, Ordered: c.orderBy != nil, Limits: c.limits,
	}, true
}

// Render returns the rule's task rendered for ev, without evaluating the condition. It fails,
// naming the placeholder, when a field is missing or a rendered URL or header is unacceptable.
// The task is read-only, as Match.Task is.
func (c *Compiled) Render(ev event.Event) (task.Spec, error) {
	return c.task.render(&values{ev: &ev})
}

// MatchesType reports whether the rule's eventType matches eventType.
func (c *Compiled) MatchesType(eventType string) bool { return c.pattern.match(eventType) }

// priorityRank orders priorities, HIGH first; anything unknown last.
func priorityRank(p event.Priority) int {
	switch p {
	case event.PriorityHigh:
		return 0
	case event.PriorityMedium:
		return 1
	case event.PriorityLow:
		return 2
	}
	return 3
}
