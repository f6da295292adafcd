package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"
)

// KeySequencerWorkflowName is the name the worker registers KeySequencerWorkflow under.
const KeySequencerWorkflowName = "KeySequencerWorkflow"

// Signals of the ordering protocol between the ingress, a KeySequencerWorkflow and the event
// workflows of its key.
const (
	// SignalEnqueue (a SequencerEntry) is sent by the ingress, with signal-with-start, once the
	// event's workflow has started: the event takes its place at the end of the key's queue.
	SignalEnqueue = "enqueue"
	// SignalTurn (a Turn) is sent by the sequencer to the event workflow at the head of the
	// queue: its task of that rule may run.
	SignalTurn = "order-turn"
	// SignalTurnDone (the event workflow's ID) is sent by the event workflow when the task
	// that had the turn has ended: the next event's turn comes.
	SignalTurnDone = "order-done"
)

// SequencerWorkflowID is the ID of the KeySequencerWorkflow of one rule's ordering key.
func SequencerWorkflowID(ruleID, key string) string { return "order-" + ruleID + "-" + key }

// SequencerEntry is one event's place in a key's queue.
type SequencerEntry struct {
	WorkflowID string `json:"workflowId"`
}

// Turn tells an event workflow that its task of RuleID may run now.
type Turn struct {
	RuleID string `json:"ruleId"`
	Key    string `json:"key"`
}

// SequencerState is what a KeySequencerWorkflow carries over continue-as-new.
type SequencerState struct {
	RuleID string `json:"ruleId"`
	Key    string `json:"key"`
	// Current is the workflow holding the turn; empty when none does.
	Current string `json:"current,omitempty"`
	// Queue holds the workflows waiting for their turn, in arrival order.
	Queue []string `json:"queue,omitempty"`
	// Recent are the last workflows served, newest last, so that an event enqueued again (a
	// broker redelivery) is not served twice.
	Recent []string `json:"recent,omitempty"`
}

// Tuning of KeySequencerWorkflow; variables so that tests can shorten them.
var (
	// sequencerTick is how often the sequencer looks at itself: it signals the turn again to
	// the workflow holding it (a workflow that ended without giving the turn back, being
	// terminated or timed out, is noticed because the signal fails, and the next event gets its
	// turn), and it ends when nothing happened since the last tick.
	sequencerTick = time.Minute
	// sequencerRecent is how many served workflow IDs are remembered.
	sequencerRecent = 1024
	// sequencerServedPerRun bounds the turns of one run before continue-as-new.
	sequencerServedPerRun = 500
)

// KeySequencerWorkflow serialises the tasks of one rule for one ordering key: it hands the turn
// to the queued event workflows one at a time, in the order the ingress enqueued them, and
// waits for each to give it back. It ends after a tick (sequencerTick) without work and
// continues as new after sequencerServedPerRun turns.
func KeySequencerWorkflow(ctx workflow.Context, st SequencerState) error {
	s := &sequencer{st: st,
		enqueue: workflow.GetSignalChannel(ctx, SignalEnqueue),
		done:    workflow.GetSignalChannel(ctx, SignalTurnDone)}
	tick := workflow.NewTimer(ctx, sequencerTick)
	busy := true // since the last tick
	for {
		s.grant(ctx)
		if s.served >= sequencerServedPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			s.drain(ctx)
			return workflow.NewContinueAsNewError(ctx, KeySequencerWorkflowName, s.st)
		}
		ticked := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(s.enqueue, func(c workflow.ReceiveChannel, _ bool) { s.onEnqueue(ctx, c) })
		sel.AddReceive(s.done, func(c workflow.ReceiveChannel, _ bool) { s.onDone(ctx, c) })
		sel.AddFuture(tick, func(workflow.Future) { ticked = true })
		sel.Select(ctx)
		if !ticked {
			busy = true
			s.drain(ctx) // every signal already here, before the next grant
			continue
		}
		if s.drain(ctx) {
			busy = true
		}
		if !busy && s.idle() {
			return nil // a signal arriving now fails this completion: the workflow runs on
		}
		busy = false
		tick = workflow.NewTimer(ctx, sequencerTick)
		s.probe(ctx)
	}
}

type sequencer struct {
	st            SequencerState
	enqueue, done workflow.ReceiveChannel
	served        int
}

func (s *sequencer) idle() bool { return s.st.Current == "" && len(s.st.Queue) == 0 }

// grant hands the turn to the head of the queue when nobody holds it, skipping workflows that
// are gone.
func (s *sequencer) grant(ctx workflow.Context) {
	for s.st.Current == "" && len(s.st.Queue) > 0 {
		head := s.st.Queue[0]
		s.st.Queue = s.st.Queue[1:]
		s.st.Current = head
		if err := s.signalTurn(ctx); err != nil {
			workflow.GetLogger(ctx).Warn("event workflow gone before its turn; skipped",
				"workflow_id", head, "error", err)
			s.release(head)
		}
	}
}

// probe signals the turn again to its holder, and takes it back when the holder is gone.
func (s *sequencer) probe(ctx workflow.Context) {
	if s.st.Current == "" {
		return
	}
	if err := s.signalTurn(ctx); err != nil {
		workflow.GetLogger(ctx).Warn("event workflow holding the turn is gone; turn taken back",
			"workflow_id", s.st.Current, "error", err)
		s.release(s.st.Current)
	}
}

func (s *sequencer) signalTurn(ctx workflow.Context) error {
	turn := Turn{RuleID: s.st.RuleID, Key: s.st.Key}
	return workflow.SignalExternalWorkflow(ctx, s.st.Current, "", SignalTurn, turn).Get(ctx, nil)
}

// release ends the turn of id.
func (s *sequencer) release(id string) {
	if s.st.Current != id {
		return
	}
	s.st.Current = ""
	s.served++
	s.st.Recent = append(s.st.Recent, id)
	if n := len(s.st.Recent) - sequencerRecent; n > 0 {
		s.st.Recent = slices.Delete(s.st.Recent, 0, n)
	}
}

// drain handles every signal already received; true when there was one.
func (s *sequencer) drain(ctx workflow.Context) bool {
	got := false
	for {
		var e SequencerEntry
		if s.enqueue.ReceiveAsync(&e) {
			s.add(ctx, e)
			got = true
			continue
		}
		var id string
		if s.done.ReceiveAsync(&id) {
			s.release(id)
			got = true
			continue
		}
		return got
	}
}

func (s *sequencer) onEnqueue(ctx workflow.Context, c workflow.ReceiveChannel) {
	var e SequencerEntry
	c.Receive(ctx, &e)
	s.add(ctx, e)
}

func (s *sequencer) onDone(ctx workflow.Context, c workflow.ReceiveChannel) {
	var id string
	c.Receive(ctx, &id)
	s.release(id)
}

// add queues e unless it is queued, holds the turn or was served recently.
func (s *sequencer) add(ctx workflow.Context, e SequencerEntry) {
	id := e.WorkflowID
	if id == "" || id == s.st.Current || slices.Contains(s.st.Queue, id) || slices.Contains(s.st.Recent, id) {
		workflow.GetLogger(ctx).Debug("duplicate enqueue ignored", "workflow_id", id)
		return
	}
	s.st.Queue = append(s.st.Queue, id)
}
