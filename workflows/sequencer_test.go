package workflows_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/workflows"
)

// sequencerEnv runs KeySequencerWorkflow with turn signals answered by answer(workflowID, n),
// n counting that workflow's turn signals from 1; turns lists every turn signal in order.
func sequencerEnv(t *testing.T, answer func(env *testsuite.TestWorkflowEnvironment, id string, n int) error) (*testsuite.TestWorkflowEnvironment, *[]string) {
	t.Helper()
	env := newEnv(t, twoRules)
	var turns []string
	calls := map[string]int{}
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, "", workflows.SignalTurn, mock.Anything).Return(
		func(_, id, _, _ string, arg any) error {
			if turn, ok := arg.(workflows.Turn); !ok || turn != (workflows.Turn{RuleID: "r", Key: "k"}) {
				t.Errorf("turn signal to %s carries %#v", id, arg)
			}
			turns = append(turns, id)
			calls[id]++
			return answer(env, id, calls[id])
		})
	return env, &turns
}

// enqueue sends the enqueue signals at the start of the workflow, in order.
func enqueue(env *testsuite.TestWorkflowEnvironment, ids ...string) {
	env.RegisterDelayedCallback(func() {
		for _, id := range ids {
			env.SignalWorkflow(workflows.SignalEnqueue, workflows.SequencerEntry{WorkflowID: id})
		}
	}, time.Millisecond)
}

// giveBackAfter makes id give its turn back after d.
func giveBackAfter(env *testsuite.TestWorkflowEnvironment, id string, d time.Duration) {
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalTurnDone, id) }, d)
}

var errGone = errors.New("workflow execution already completed")

func TestSequencerServesInOrderSkipsTheGoneAndEndsWhenIdle(t *testing.T) {
	env, turns := sequencerEnv(t, func(env *testsuite.TestWorkflowEnvironment, id string, _ int) error {
		if id == "b" {
			return errGone
		}
		giveBackAfter(env, id, time.Second)
		return nil
	})
	enqueue(env, "a", "b", "a", "c", "d")
	// A redelivered event enqueued again after its turn is not served twice.
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalEnqueue, workflows.SequencerEntry{WorkflowID: "a"})
	}, 10*time.Second)
	env.ExecuteWorkflow(workflows.KeySequencerWorkflowName, workflows.SequencerState{RuleID: "r", Key: "k"})
	if !env.IsWorkflowCompleted() {
		t.Fatal("the sequencer did not end when idle")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("sequencer: %v", err)
	}
	if want := []string{"a", "b", "c", "d"}; !reflect.DeepEqual(*turns, want) {
		t.Errorf("turns went to %v, want %v", *turns, want)
	}
}

func TestSequencerTakesTheTurnBackFromAVanishedHolder(t *testing.T) {
	env, turns := sequencerEnv(t, func(env *testsuite.TestWorkflowEnvironment, id string, n int) error {
		switch {
		case id == "a" && n == 1:
			return nil // a takes the turn and never gives it back
		case id == "a":
			return errGone // the probe finds a gone
		}
		giveBackAfter(env, id, time.Second)
		return nil
	})
	enqueue(env, "a", "b")
	env.ExecuteWorkflow(workflows.KeySequencerWorkflowName, workflows.SequencerState{RuleID: "r", Key: "k"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("sequencer: %v", err)
	}
	if want := []string{"a", "a", "b"}; !reflect.DeepEqual(*turns, want) {
		t.Errorf("turns went to %v, want %v (a, its probe, then b)", *turns, want)
	}
}

func TestSequencerContinuesAsNewWithItsQueue(t *testing.T) {
	defer workflows.SetSequencerServedPerRun(2)()
	env, turns := sequencerEnv(t, func(env *testsuite.TestWorkflowEnvironment, id string, _ int) error {
		giveBackAfter(env, id, time.Second)
		return nil
	})
	enqueue(env, "a", "b", "c", "d")
	env.ExecuteWorkflow(workflows.KeySequencerWorkflowName, workflows.SequencerState{RuleID: "r", Key: "k"})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("sequencer ended with %v, want continue-as-new", err)
	}
	var next workflows.SequencerState
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	want := workflows.SequencerState{RuleID: "r", Key: "k", Current: "c", Queue: []string{"d"}, Recent: []string{"a", "b"}}
	if !reflect.DeepEqual(next, want) {
		t.Errorf("continued as new with %+v, want %+v", next, want)
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(*turns, want) {
		t.Errorf("turns went to %v, want %v", *turns, want)
	}
}
