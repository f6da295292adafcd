// Package ingress turns events into workflow starts. Every source (HTTP here, Kafka and RabbitMQ
// in their own packages) hands its parsed events to a Starter and acknowledges a message to its
// broker only after Start has returned without error: by then Temporal has durably recorded the
// workflow (or recognised it as a duplicate), or the event was filtered out by the rules.
package ingress

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// ErrUnavailable is returned (wrapped) by Starter.Start when Temporal could not be reached or
// did not answer in time. Nothing was acknowledged; the caller should retry later (an HTTP
// source answers 503, a broker source pauses and redelivers). A start that did reach Temporal
// before the timeout is recognised as a duplicate on the retry.
var ErrUnavailable = errors.New("temporal unavailable")

// ErrRejected is returned (wrapped) by Starter.Start when Temporal refused the start as
// invalid (for example, an event too large for a workflow input). Retrying cannot help: a broker
// source dead-letters the message, the HTTP ingress answers 400.
var ErrRejected = errors.New("temporal rejected the workflow start")

// DefaultTaskQueue is the task queue evtrigger's workers poll unless configured otherwise.
const DefaultTaskQueue = "evtrigger"

// StarterOptions configure a Starter. The zero value works.
type StarterOptions struct {
	// TaskQueue is the workers' task queue. Default DefaultTaskQueue.
	TaskQueue string
	// StartTimeout bounds one start, retries against an unreachable server included.
	// Default 5s.
	StartTimeout time.Duration
	// EagerStart asks the server to hand the first workflow task straight back to a worker in
	// this process (one round trip less); it only helps when a worker runs on the same client.
	EagerStart bool
	// RunTimeout bounds an event's workflow, operator waits included; when it passes, the
	// workflow is terminated as timed out (no compensation). Default 30 days; keep it above the
	// workers' --operator-wait.
	RunTimeout time.Duration
	// RecordUnmatched starts workflows also for events that no enabled rule can match, so they
	// are on record in Temporal. Default false: such events are counted as filtered and dropped.
	RecordUnmatched bool
	// SearchAttributes starts workflows with the search attributes of
	// workflows.StartSearchAttributes (event type, source, priority, trace ID), and lets the
	// workflow add MatchedRules. The cluster must have them registered
	// (workflows.SearchAttributeTypes), or every start fails as rejected. Default false.
	SearchAttributes bool
}

// Outcome is what became of one event.
type Outcome struct {
	WorkflowID string `json:"workflowId,omitempty"`
	RunID      string `json:"runId,omitempty"`
	// Duplicate: a workflow for this event ID already existed (running or closed); nothing new ran.
	Duplicate bool `json:"duplicate"`
	// Filtered: no enabled rule can match the event's type; no workflow was started.
	Filtered bool `json:"filtered,omitempty"`
}

// Starter starts exactly one workflow per event ID.
type Starter struct {
	client client.Client
	rules  rules.Source
	opts   StarterOptions
}

// NewStarter returns a Starter that starts workflows through c and pre-filters with rs.
func NewStarter(c client.Client, rs rules.Source, opts StarterOptions) *Starter {
	if opts.TaskQueue == "" {
		opts.TaskQueue = DefaultTaskQueue
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 5 * time.Second
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = 30 * 24 * time.Hour
	}
	return &Starter{client: c, rules: rs, opts: opts}
}

// Start starts the event's workflow, ID event.WorkflowID(ev.ID). A second start of the same ID,
// while the first runs or after it closed, starts nothing and reports Duplicate. An event whose
// type no enabled rule can match is Filtered unless RecordUnmatched is set. Errors wrap
// ErrUnavailable when Temporal could not be reached, ErrRejected when it refused the start as
// invalid; other errors (such as a missing namespace) are configuration problems worth retrying
// after a fix.
func (s *Starter) Start(ctx context.Context, ev event.Event) (Outcome, error) {
	return s.StartInOrder(ctx, ev, nil)
}

// StartInOrder is Start for a message with a place in its stream's arrival order: when rules
// with an orderBy listen to the event, it declares the event's ordering keys on t, starts the
// workflow, waits for the earlier events of the same keys, and then enqueues the event with
// each key's KeySequencerWorkflow, so that the rules' tasks run in arrival order per key.
// It is safe to call again for the same event after an error.
func (s *Starter) StartInOrder(ctx context.Context, ev event.Event, t *Ticket) (Outcome, error) {
	set := s.rules.Current()
	if s.filters(set, ev.Type) {
		return Outcome{Filtered: true}, nil
	}
	keys := set.OrderKeys(ctx, ev)
	if err := t.Declare(ctx, ticketKeys(keys)); err != nil {
		return Outcome{}, fmt.Errorf("wait for the events before %s: %w: %w", ev.ID, ErrUnavailable, err)
	}
	out, err := s.start(ctx, ev, keys)
	if err != nil || !hasKey(keys) {
		return out, err
	}
	if err := t.Wait(ctx); err != nil {
		return Outcome{}, fmt.Errorf("wait for the events before %s: %w: %w", ev.ID, ErrUnavailable, err)
	}
	return out, s.enqueue(ctx, out.WorkflowID, keys)
}

// Filters reports whether an event of type typ is filtered: no enabled rule of the current set
// can match it, and RecordUnmatched is off. Start drops such an event without a workflow.
func (s *Starter) Filters(typ string) bool { return s.filters(s.rules.Current(), typ) }

func (s *Starter) filters(set *rules.Set, typ string) bool {
	return !s.opts.RecordUnmatched && !set.MayMatch(typ)
}

// start starts the event's workflow with its ordering keys.
func (s *Starter) start(ctx context.Context, ev event.Event, keys []rules.OrderKey) (Outcome, error) {
	id := event.WorkflowID(ev.ID)
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	opts := client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                s.opts.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		EnableEagerStart:                         s.opts.EagerStart,
		WorkflowRunTimeout:                       s.opts.RunTimeout,
		Priority:                                 temporal.Priority{PriorityKey: workflows.PriorityKey(ev.Priority)},
	}
	if s.opts.SearchAttributes {
		opts.TypedSearchAttributes = workflows.StartSearchAttributes(ev)
	}
	run, err := s.client.ExecuteWorkflow(ctx, opts, workflows.EventWorkflowName, ev, keys, workflows.CurrentShape)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case err == nil:
		return Outcome{WorkflowID: id, RunID: run.GetRunID()}, nil
	case errors.As(err, &started):
		return Outcome{WorkflowID: id, RunID: started.RunId, Duplicate: true}, nil
	case isUnavailable(err):
		return Outcome{}, fmt.Errorf("start workflow %s: %w: %w", id, ErrUnavailable, err)
	case errors.As(err, new(*serviceerror.InvalidArgument)):
		return Outcome{}, fmt.Errorf("start workflow %s: %w: %w", id, ErrRejected, err)
	default:
		return Outcome{}, fmt.Errorf("start workflow %s: %w", id, err)
	}
}

// isUnavailable reports whether err means the server could not be reached or did not answer,
// as opposed to refusing the request.
func isUnavailable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var exhausted *serviceerror.ResourceExhausted
	var canceled *serviceerror.Canceled
	return errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &exhausted) ||
		errors.As(err, &canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// enqueue puts the started workflow id at the end of the queue of each of its ordering keys,
// starting the key's KeySequencerWorkflow if it is not running. A sequencer ignores an
// event it already has, so a retry enqueues nothing twice.
func (s *Starter) enqueue(ctx context.Context, id string, keys []rules.OrderKey) error {
	for _, k := range keys {
		if k.Key == "" {
			continue
		}
		seq := workflows.SequencerWorkflowID(k.RuleID, k.Key)
		sctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
		_, err := s.client.SignalWithStartWorkflow(sctx, seq, workflows.SignalEnqueue,
			workflows.SequencerEntry{WorkflowID: id},
			client.StartWorkflowOptions{ID: seq, TaskQueue: s.opts.TaskQueue,
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE},
			workflows.KeySequencerWorkflowName, workflows.SequencerState{RuleID: k.RuleID, Key: k.Key})
		cancel()
		switch {
		case err == nil:
		case isUnavailable(err):
			return fmt.Errorf("enqueue %s with %s: %w: %w", id, seq, ErrUnavailable, err)
		default:
			return fmt.Errorf("enqueue %s with %s: %w", id, seq, err)
		}
	}
	return nil
}

// ticketKeys names the ordering keys in a stream's arrival order: rule and key.
func ticketKeys(keys []rules.OrderKey) []string {
	var out []string
	for _, k := range keys {
		if k.Key != "" {
			out = append(out, k.RuleID+"\x00"+k.Key)
		}
	}
	return out
}

func hasKey(keys []rules.OrderKey) bool { return len(ticketKeys(keys)) > 0 }
