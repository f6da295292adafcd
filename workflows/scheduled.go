package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// ScheduledEventWorkflowName is the name the worker registers ScheduledEventWorkflow under;
// the Temporal Schedules of scheduled rules start it. Part of the history: never rename it.
const ScheduledEventWorkflowName = "ScheduledEventWorkflow"

// ScheduleEventSource is the source of every synthetic event of a scheduled rule.
const ScheduleEventSource = "evtrigger/schedule"

// ErrTypeNotScheduled is the ApplicationError type of a ScheduledEventWorkflow whose workflow
// ID does not start with "event-": it was not started the way a schedule starts it.
const ErrTypeNotScheduled = "NotScheduled"

// ScheduledEvent is what the Temporal Schedule of a scheduled rule passes to each run.
type ScheduledEvent struct {
	// RuleID is the scheduled rule.
	RuleID string `json:"ruleId"`
	// ScheduleID is the Temporal Schedule's ID.
	ScheduleID string `json:"scheduleId,omitempty"`
}

// ScheduledEventWorkflow is one firing of a scheduled rule. Its Temporal Schedule starts it
// with the workflow ID "event-schedule.<ruleId>-<scheduled time, RFC 3339>" (the schedule's
// workflow ID prefix plus the time Temporal appends), so the synthetic event's ID is that
// workflow ID without "event-": unique per firing, the same on every replay, and
// event.WorkflowID(ev.ID) is this workflow. The event has type rules.ScheduleEventType(RuleID),
// source ScheduleEventSource, the scheduled time as its time (the start time when Temporal did
// not record one) and the payload {ruleId, scheduleId, scheduledTime}. The workflow then is
// EventWorkflow for that event: same evaluation, tasks, queries and signals, same result.
func ScheduledEventWorkflow(ctx workflow.Context, in ScheduledEvent) (Status, error) {
	ev, err := scheduledEvent(ctx, in)
	if err != nil {
		return Status{}, err
	}
	return EventWorkflow(ctx, ev, nil, ShapeVersioned)
}

// scheduledEvent builds the synthetic event of this run from its workflow info.
func scheduledEvent(ctx workflow.Context, in ScheduledEvent) (event.Event, error) {
	info := workflow.GetInfo(ctx)
	id, ok := strings.CutPrefix(info.WorkflowExecution.ID, "event-")
	if !ok || id == "" {
		return event.Event{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("workflow ID %q does not start with \"event-\"", info.WorkflowExecution.ID), ErrTypeNotScheduled, nil)
	}
	at := info.WorkflowStartTime
	key := temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(key); ok {
		at = t
	}
	at = at.UTC()
	return event.Event{
		ID:       id,
		Type:     rules.ScheduleEventType(in.RuleID),
		Source:   ScheduleEventSource,
		Time:     at,
		Priority: event.PriorityMedium,
		Payload: map[string]any{
			"ruleId": in.RuleID, "scheduleId": in.ScheduleID, "scheduledTime": at.Format(time.RFC3339Nano),
		},
	}, nil
}
