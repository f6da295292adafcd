package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// TestShortHTTPTaskRunsLocallyUnderTheRulePolicy: an HTTP task with a timeout within
// workflows.LocalTaskMaxTimeout runs as a local activity: no activity task in the history, the
// rule's retry policy still applies (two 503s, then 200 on the third attempt), and the status
// reports the attempts. The history holds no version marker (workflows.CurrentShape).
func TestShortHTTPTaskRunsLocallyUnderTheRulePolicy(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	rule := fmt.Sprintf(`taskTriggerRules:
  - ruleId: quick-hook
    eventType: order.created
    taskType: http
    timeout: 5s
    parameters: {url: %s/hook}
    retry: {maxAttempts: 3, initialInterval: 50ms}
`, srv.URL)
	st := testenv.NewStack(t, temporal, rule, testenv.Options{})
	if code, out := st.PostEvent(t, orderEvent("msg-local-1", 10)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	status, err := workflowResult(t, st, "msg-local-1")
	if err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if len(status.Tasks) != 1 || status.Tasks[0].State != workflows.TaskSucceeded || status.Tasks[0].Attempts != 3 {
		t.Fatalf("status: %+v, want one task succeeded on attempt 3", status.Tasks)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("the hook was called %d times, want 3", n)
	}
	hist := fetchHistory(t, st.Client, event.WorkflowID("msg-local-1"))
	var markers []string
	for _, ev := range hist.Events {
		switch ev.EventType {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			t.Errorf("history has an activity task (%s): the short task did not run locally",
				ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			markers = append(markers, ev.GetMarkerRecordedEventAttributes().GetMarkerName())
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			for name := range ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes().GetIndexedFields() {
				if name == "TemporalChangeVersion" {
					t.Errorf("history upserts %s: the ingress's workflows.CurrentShape should spare it", name)
				}
			}
		}
	}
	// The ingress starts the workflow with workflows.CurrentShape: no version markers, only the
	// evaluation's and the task's local activity markers.
	if want := []string{"LocalActivity", "LocalActivity"}; !slices.Equal(markers, want) {
		t.Errorf("history has the markers %v, want %v (the evaluation's, the task's)", markers, want)
	}
	keepHistory(t, hist, "event_workflow_shape1.json")
}
