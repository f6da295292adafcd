package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// Custom search attributes of EventWorkflow, for filtering runs in the Temporal UI and CLI, such
// as `EventType = "order.created" AND MatchedRules = "order-created-trigger"`. The ingress sets
// the first four at the start (when enabled); the workflow adds MatchedRules after evaluating
// the rules, only when it was started with them (so they are known to be registered).
const (
	AttrEventType     = "EventType"
	AttrEventSource   = "EventSource"
	AttrEventPriority = "EventPriority"
	AttrTraceID       = "TraceID"
	AttrMatchedRules  = "MatchedRules"
)

// SearchAttributeTypes names each custom search attribute's type, as a cluster registers them:
// `temporal operator search-attribute create --name EventType --type Keyword`.
func SearchAttributeTypes() map[string]string {
	return map[string]string{
		AttrEventType: "Keyword", AttrEventSource: "Keyword", AttrEventPriority: "Keyword",
		AttrTraceID: "Keyword", AttrMatchedRules: "KeywordList",
	}
}

// StartSearchAttributes are the search attributes an event's workflow starts with: its type,
// and its source, priority and trace ID where the event has them.
func StartSearchAttributes(ev event.Event) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{temporal.NewSearchAttributeKeyKeyword(AttrEventType).ValueSet(ev.Type)}
	for _, kv := range [][2]string{
		{AttrEventSource, ev.Source}, {AttrEventPriority, string(ev.Priority)}, {AttrTraceID, ev.TraceID()},
	} {
		if kv[1] != "" {
			updates = append(updates, temporal.NewSearchAttributeKeyKeyword(kv[0]).ValueSet(kv[1]))
		}
	}
	return temporal.NewSearchAttributes(updates...)
}

// upsertMatchedRules sets MatchedRules to the matched rules' IDs, when some matched and the
// workflow was started with search attributes (a cluster without them registered would fail
// the workflow task on every retry).
func upsertMatchedRules(ctx workflow.Context, matched []rules.Match) error {
	if versionOf(ctx, changeSearchAttributes) == workflow.DefaultVersion {
		return nil
	}
	started := workflow.GetTypedSearchAttributes(ctx)
	if _, ok := started.GetKeyword(temporal.NewSearchAttributeKeyKeyword(AttrEventType)); !ok || len(matched) == 0 {
		return nil
	}
	ids := make([]string, len(matched))
	for i, m := range matched {
		ids[i] = m.RuleID
	}
	return workflow.UpsertTypedSearchAttributes(ctx, temporal.NewSearchAttributeKeyKeywordList(AttrMatchedRules).ValueSet(ids))
}
