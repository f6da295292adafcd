package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/rules"
)

// ordering is an event workflow's side of the ordering protocol: for each ordering key the
// ingress enqueued the event under (rules.OrderKey), it waits for the sequencer's turn, runs the
// rule's task (or nothing, when the rule did not match), and gives the turn back.
type ordering struct {
	keys     []rules.OrderKey // with a Key; the ingress's order
	turned   []bool           // the turn of keys[i] has come
	finished []bool           // keys[i]'s turn was given back
}

// newOrdering starts listening for turns. keys without a Key (their orderBy failed at the
// ingress) are left out: those events were not enqueued.
func newOrdering(ctx workflow.Context, keys []rules.OrderKey) *ordering {
	o := &ordering{}
	for _, k := range keys {
		if k.Key != "" {
			o.keys = append(o.keys, k)
		}
	}
	if len(o.keys) == 0 {
		return o
	}
	o.turned, o.finished = make([]bool, len(o.keys)), make([]bool, len(o.keys))
	ch := workflow.GetSignalChannel(ctx, SignalTurn)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var t Turn
			ch.Receive(ctx, &t)
			o.onTurn(ctx, t)
		}
	})
	return o
}

// onTurn records a turn. A turn signalled again after it was given back (the sequencer's probe,
// or a redelivered event served twice) is given back again at once.
func (o *ordering) onTurn(ctx workflow.Context, t Turn) {
	for i, k := range o.keys {
		if k.RuleID != t.RuleID || k.Key != t.Key {
			continue
		}
		o.turned[i] = true
		if o.finished[i] {
			o.signalDone(ctx, i)
		}
	}
}

// index returns the index of ruleID's key, -1 when the event was not enqueued for it.
func (o *ordering) index(ruleID string) int {
	for i, k := range o.keys {
		if k.RuleID == ruleID {
			return i
		}
	}
	return -1
}

// await blocks until key i's turn has come.
func (o *ordering) await(ctx workflow.Context, i int) error {
	return workflow.Await(ctx, func() bool { return o.turned[i] })
}

// giveBack returns key i's turn to its sequencer, also when ctx was canceled.
func (o *ordering) giveBack(ctx workflow.Context, i int) {
	if o.finished[i] {
		return
	}
	o.finished[i] = true
	if o.turned[i] {
		o.signalDone(ctx, i)
	}
}

func (o *ordering) signalDone(ctx workflow.Context, i int) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	k := o.keys[i]
	err := workflow.SignalExternalWorkflow(dctx, SequencerWorkflowID(k.RuleID, k.Key), "", SignalTurnDone,
		workflow.GetInfo(ctx).WorkflowExecution.ID).Get(dctx, nil)
	if err != nil { // the sequencer takes the turn back with its probe
		workflow.GetLogger(ctx).Warn("could not give the turn back", "rule", k.RuleID, "key", k.Key, "error", err)
	}
}

// passUnmatched gives back, once their turn comes, the turns of keys whose rule did not match
// (the ingress enqueues before the conditions are known).
func (o *ordering) passUnmatched(ctx workflow.Context, matched []rules.Match) {
	for i, k := range o.keys {
		if slices.ContainsFunc(matched, func(m rules.Match) bool { return m.RuleID == k.RuleID }) {
			continue
		}
		workflow.Go(ctx, func(ctx workflow.Context) {
			if o.await(ctx, i) == nil {
				o.giveBack(ctx, i)
			}
		})
	}
}
