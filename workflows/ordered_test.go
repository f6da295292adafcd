package workflows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/workflows"
)

const orderedRules = `taskTriggerRules:
  - {ruleId: o, eventType: order.created, orderBy: payload.orderId, taskType: http, parameters: {url: "http://127.0.0.1:9/o"}}
  - {ruleId: p, eventType: order.created, orderBy: payload.orderId, condition: "false", taskType: http, parameters: {url: "http://127.0.0.1:9/p"}}
  - {ruleId: q, eventType: order.created, orderBy: payload.customer, taskType: http, parameters: {url: "http://127.0.0.1:9/q"}}
`

// TestOrderedTaskWaitsForItsTurn: the task of an ordered rule runs once the sequencer's turn
// has come and gives it back; the turn of a rule that did not match is given back unused (when
// the workflow has ended by then, the sequencer's signal fails and it moves on); a
// rule whose key the ingress could not compute runs at once, unordered, and says why.
func TestOrderedTaskWaitsForItsTurn(t *testing.T) {
	env := newEnv(t, orderedRules)
	started := map[string]time.Duration{}
	begin := env.Now()
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req task.Request) (task.Result, error) {
			started[req.RuleID] = env.Now().Sub(begin)
			return task.Result{Attempt: 1, StatusCode: 200}, nil
		})
	var gaveBack []string
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalTurnDone, mock.Anything).Return(
		func(_, seq, _, _ string, _ any) error {
			gaveBack = append(gaveBack, seq)
			return nil
		})
	env.RegisterDelayedCallback(func() {
		st := queryStatus(t, env)
		for _, ts := range st.Tasks {
			if ts.RuleID == "o" && (ts.State != workflows.TaskPending || ts.Waiting != "waiting for its turn from order-o-o-1") {
				t.Errorf("task o before its turn: state %s, waiting %q", ts.State, ts.Waiting)
			}
		}
		env.SignalWorkflow(workflows.SignalTurn, workflows.Turn{RuleID: "o", Key: "o-1"})
	}, 5*time.Second)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTurn, workflows.Turn{RuleID: "p", Key: "o-1"})
	}, 3*time.Second) // while the workflow waits for o's turn: given back at once
	keys := []rules.OrderKey{{RuleID: "o", Key: "o-1"}, {RuleID: "p", Key: "o-1"},
		{RuleID: "q", Error: "orderBy: no such key: customer"}}
	env.ExecuteWorkflow(workflows.EventWorkflowName, order(500), keys)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if started["o"] < 5*time.Second {
		t.Errorf("the ordered task started at %s, before its turn at 5s", started["o"])
	}
	if started["q"] >= 5*time.Second {
		t.Errorf("the unordered task started at %s, want at once", started["q"])
	}
	slices.Sort(gaveBack)
	if want := []string{"order-o-o-1", "order-p-o-1"}; !slices.Equal(gaveBack, want) {
		t.Errorf("turns given back to %v, want %v", gaveBack, want)
	}
	var st workflows.Status
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	for _, ts := range st.Tasks {
		switch ts.RuleID {
		case "o":
			if ts.OrderKey != "o-1" || ts.OrderError != "" {
				t.Errorf("task o: order key %q, error %q; want o-1 and none", ts.OrderKey, ts.OrderError)
			}
		case "q":
			if ts.OrderKey != "" || ts.OrderError != "not ordered: orderBy: no such key: customer" {
				t.Errorf("task q: order key %q, error %q; want none and the reason", ts.OrderKey, ts.OrderError)
			}
		}
	}
}
