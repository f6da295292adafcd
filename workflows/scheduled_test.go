package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/task"
	"github.com/evtrigger/evtrigger/workflows"
)

const scheduledRule = `taskTriggerRules:
  - ruleId: nightly-check
    schedule: "@every 1m"
    taskType: http
    parameters: {url: "http://127.0.0.1:9/check/${eventId}?at=${payload.scheduledTime}"}
`

// TestScheduledEventCarriesItsWorkflowID: the synthetic event's ID is the workflow ID without
// "event-", its time the scheduled time Temporal recorded, and the scheduled rule runs.
func TestScheduledEventCarriesItsWorkflowID(t *testing.T) {
	env := newEnv(t, scheduledRule)
	const wid = "event-schedule.nightly-check-2025-09-06T10:30:00Z"
	at := time.Date(2025, 9, 6, 10, 30, 0, 0, time.UTC)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: wid})
	key := temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")
	if err := env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(key.ValueSet(at))); err != nil {
		t.Fatal(err)
	}
	var url string
	env.OnActivity(workflows.ActivityRunHTTP, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req task.Request) (task.Result, error) {
			url = req.Spec.HTTP.URL
			return task.Result{Attempt: 1, StatusCode: 200}, nil
		})

	env.ExecuteWorkflow(workflows.ScheduledEventWorkflowName, workflows.ScheduledEvent{RuleID: "nightly-check", ScheduleID: "evtrigger-rule-nightly-check"})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var st workflows.Status
	if err := env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	if st.EventID != "schedule.nightly-check-2025-09-06T10:30:00Z" || st.EventType != "schedule.nightly-check" {
		t.Errorf("event %q of type %q; want the workflow ID without event- and schedule.nightly-check", st.EventID, st.EventType)
	}
	if len(st.Tasks) != 1 || st.Tasks[0].State != workflows.TaskSucceeded {
		t.Errorf("tasks %+v: want the scheduled rule's task, succeeded", st.Tasks)
	}
	want := "http://127.0.0.1:9/check/schedule.nightly-check-2025-09-06T10:30:00Z?at=2025-09-06T10:30:00Z"
	if url != want {
		t.Errorf("task URL %q, want %q", url, want)
	}
}

// TestScheduledEventNeedsAnEventWorkflowID: started under another ID it fails, not retried.
func TestScheduledEventNeedsAnEventWorkflowID(t *testing.T) {
	env := newEnv(t, scheduledRule)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: "nightly-check-by-hand"})
	env.ExecuteWorkflow(workflows.ScheduledEventWorkflowName, workflows.ScheduledEvent{RuleID: "nightly-check"})
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if err == nil || !strings.Contains(err.Error(), `"nightly-check-by-hand" does not start with "event-"`) ||
		!errors.As(err, &appErr) || appErr.Type() != workflows.ErrTypeNotScheduled {
		t.Fatalf("error %v, want a %s application error", err, workflows.ErrTypeNotScheduled)
	}
}
