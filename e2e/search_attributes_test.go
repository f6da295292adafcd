package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestSearchAttributesFindTheRun: a workflow carries the event's type, source, priority and
// trace ID from its start and the matched rule IDs after evaluation, and visibility queries by
// event type, matched rule and trace ID find it (the queries the README shows for the UI).
func TestSearchAttributesFindTheRun(t *testing.T) {
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	if code, out := st.PostEvent(t, recentOrder("sa-1", 2000)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	traceparent := `{"messageId":"sa-2","eventType":"order.cancelled","payload":{},
	  "metadata":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}`
	anyOrder := fmt.Sprintf(`  - {ruleId: any-order, eventType: "order.*", taskType: http, parameters: {url: "%s/any"}}
`, sk.srv.URL)
	st2 := testenv.NewStack(t, temporal, httpRule(sk.srv.URL)+anyOrder, testenv.Options{})
	if code, out := st2.PostEvent(t, traceparent); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	if _, err := workflowResult(t, st, "sa-1"); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	query := func(st *testenv.Stack, q string) []string {
		return listWorkflows(t, st, fmt.Sprintf("%s AND TaskQueue = %q", q, st.TaskQueue))
	}
	found := func(st *testenv.Stack, q, id string) {
		testenv.Eventually(t, 20*time.Second, "visibility query "+q+" finds "+id, func() bool {
			return slices.Equal(query(st, q), []string{event.WorkflowID(id)})
		})
	}
	found(st, `EventType = "order.created"`, "sa-1")
	found(st, `MatchedRules = "notify-inventory" AND EventPriority = "HIGH"`, "sa-1")
	found(st, `TraceID = "trace-sa-1" AND EventSource = "order-service"`, "sa-1")
	found(st2, `TraceID = "4bf92f3577b34da6a3ce929d0e0e4736" AND MatchedRules = "any-order"`, "sa-2")
	if got := query(st, `EventType = "payment.completed"`); len(got) != 0 {
		t.Errorf("EventType = payment.completed found %v", got)
	}

	desc, err := st.Client.DescribeWorkflow(context.Background(), event.WorkflowID("sa-1"), "")
	if err != nil {
		t.Fatal(err)
	}
	var matched []string
	fields := desc.RawResponse.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	if err := converter.GetDefaultDataConverter().FromPayload(fields["MatchedRules"], &matched); err != nil ||
		!slices.Equal(matched, []string{"notify-inventory"}) {
		t.Errorf("MatchedRules = %v (%v), want [notify-inventory]", matched, err)
	}
}

// listWorkflows returns the IDs of the workflows a visibility query finds.
func listWorkflows(t *testing.T, st *testenv.Stack, query string) []string {
	t.Helper()
	resp, err := st.Client.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
	if err != nil {
		t.Fatalf("list %s: %v", query, err)
	}
	var ids []string
	for _, e := range resp.GetExecutions() {
		ids = append(ids, e.GetExecution().GetWorkflowId())
	}
	return ids
}
