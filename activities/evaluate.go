package activities

import (
	"context"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// EvaluateRules evaluates the current rule set against ev: the matched rules with their
// rendered tasks, and a verdict for every candidate rule; and whether outcomes are published. Per-rule problems (a condition that
// errs, a placeholder that cannot be rendered) are verdicts, not errors; it never fails. The
// workflow runs it as a local activity, so its result is recorded in the workflow's history.
// Each matched rule counts in evtrigger_rule_matches_total (once per execution: a local
// activity re-run after a lost workflow task counts again).
func (a *Activities) EvaluateRules(ctx context.Context, ev event.Event) (Evaluation, error) {
	out := Evaluation{PublishOutcomes: a.Outcomes != nil, Notify: a.NotifyURL != "", OperatorWait: a.OperatorWait}
	if a.Rules == nil {
		out.Evaluation = rules.Evaluation{Matched: []rules.Match{}, Verdicts: []rules.Verdict{}}
		return out, nil
	}
	out.Evaluation = a.Rules.Current().Evaluate(ctx, ev)
	for _, m := range out.Matched {
		a.Metrics.RuleMatched(m.RuleID)
	}
	return out, nil
}
