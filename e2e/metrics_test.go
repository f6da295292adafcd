package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// metricsRules: an HTTP task for orders over 1000, a shell task that succeeds on its second
// attempt for the same orders, and a shell task that always fails (2 attempts) for orders over
// 5000.
func metricsRules(t *testing.T, sinkURL string) string {
	dir := t.TempDir()
	flaky, doomed := filepath.Join(dir, "second-try.sh"), filepath.Join(dir, "doomed.sh")
	writeScript(t, flaky, "#!/bin/sh\n[ \"$EVTRIGGER_ATTEMPT\" -ge 2 ] || exit 1\n")
	writeScript(t, doomed, "#!/bin/sh\nexit 3\n")
	return httpRule(sinkURL) + fmt.Sprintf(`  - ruleId: flaky
    eventType: order.created
    condition: payload.amount > 1000
    taskType: shell
    parameters: {script: %s}
    retry: {maxAttempts: 3, initialInterval: 50ms}
  - ruleId: doomed
    eventType: order.created
    condition: payload.amount > 5000
    taskType: shell
    parameters: {script: %s}
    retry: {maxAttempts: 2, initialInterval: 50ms}
`, flaky, doomed)
}

// recentOrder is an order event stamped now, so its trigger latency is small.
func recentOrder(id string, amount float64) string {
	return fmt.Sprintf(`{"messageId":%q,"eventType":"order.created","timestamp":%q,"source":"order-service",
	  "priority":"HIGH","payload":{"orderId":"o-1","amount":%v},"metadata":{"traceId":"trace-%s"}}`,
		id, time.Now().UTC().Format(time.RFC3339Nano), amount, id)
}

// TestMetricsMoveByExactAmountsHTTP runs events through the real HTTP ingress and a real
// Temporal dev server, then reads /metrics: every counter moved by exactly what happened.
func TestMetricsMoveByExactAmountsHTTP(t *testing.T) {
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, metricsRules(t, sk.srv.URL), testenv.Options{})
	before := scrape(t, st.API.URL+"/metrics")
	before.check(t, []expect{{"evtrigger_messages_received_total", labels{"source": "http"}, 0},
		{"evtrigger_messages_processed_total", labels{"source": "http", "outcome": "started"}, 0}})

	for _, p := range []struct {
		body string
		code int
	}{
		{recentOrder("m-ok", 2000), http.StatusAccepted},                         // notify + flaky
		{recentOrder("m-bad", 9000), http.StatusAccepted},                        // notify + flaky + doomed
		{recentOrder("m-ok", 2000), http.StatusAccepted},                         // duplicate
		{`{"messageId":"m-pay","eventType":"payment.completed"}`, http.StatusOK}, // filtered
		{`{"messageId":`, http.StatusBadRequest},                                 // malformed
		{`{"messageId":"m-none"}`, http.StatusBadRequest},                        // no eventType
	} {
		if code, out := st.PostEvent(t, p.body); code != p.code {
			t.Fatalf("post %s: %d %v, want %d", p.body, code, out, p.code)
		}
	}
	if _, err := workflowResult(t, st, "m-ok"); err != nil {
		t.Fatalf("workflow m-ok: %v", err)
	}
	var appErr *sdktemporal.ApplicationError
	if _, err := workflowResult(t, st, "m-bad"); !errors.As(err, &appErr) || appErr.Type() != workflows.ErrTypeTasksFailed {
		t.Fatalf("workflow m-bad: %v, want %s", err, workflows.ErrTypeTasksFailed)
	}
	// The SDK counts a closed workflow after reporting its last task: poll for it.
	testenv.Eventually(t, 10*time.Second, "the SDK's workflow counters", func() bool {
		e := scrape(t, st.API.URL+"/metrics")
		return e.value("temporal_workflow_completed_total", labels{"workflow_type": "EventWorkflow"}) == 1 &&
			e.value("temporal_workflow_failed_total", labels{"workflow_type": "EventWorkflow"}) == 1
	})

	after := scrape(t, st.API.URL+"/metrics")
	src := labels{"source": "http"}
	out := func(o string) labels { return labels{"source": "http", "outcome": o} }
	task := func(rule, typ, outcome string) labels { return labels{"rule": rule, "type": typ, "outcome": outcome} }
	after.check(t, []expect{
		{"evtrigger_messages_received_total", src, 6},
		{"evtrigger_messages_processed_total", out("started"), 2},
		{"evtrigger_messages_processed_total", out("duplicate"), 1},
		{"evtrigger_messages_processed_total", out("filtered"), 1},
		{"evtrigger_messages_processed_total", out("dead_lettered"), 0},
		{"evtrigger_message_errors_total", labels{"source": "http", "reason": "invalid"}, 2},
		{"evtrigger_message_errors_total", labels{"source": "http", "reason": "unavailable"}, 0},
		{"evtrigger_message_processing_seconds", src, 3}, // started and duplicate
		{"evtrigger_rule_matches_total", labels{"rule": "notify-inventory"}, 2},
		{"evtrigger_rule_matches_total", labels{"rule": "flaky"}, 2},
		{"evtrigger_rule_matches_total", labels{"rule": "doomed"}, 1},
		{"evtrigger_tasks_triggered_total", labels{"rule": "notify-inventory", "type": "http"}, 2},
		{"evtrigger_tasks_triggered_total", labels{"rule": "flaky", "type": "shell"}, 2},
		{"evtrigger_tasks_triggered_total", labels{"rule": "doomed", "type": "shell"}, 1},
		{"evtrigger_task_retries_total", labels{"rule": "flaky"}, 2},
		{"evtrigger_task_retries_total", labels{"rule": "doomed"}, 1},
		{"evtrigger_task_retries_total", labels{"rule": "notify-inventory"}, 0},
		{"evtrigger_task_duration_seconds", task("notify-inventory", "http", "succeeded"), 2},
		{"evtrigger_task_duration_seconds", task("flaky", "shell", "retrying"), 2},
		{"evtrigger_task_duration_seconds", task("flaky", "shell", "succeeded"), 2},
		{"evtrigger_task_duration_seconds", task("doomed", "shell", "retrying"), 1},
		{"evtrigger_task_duration_seconds", task("doomed", "shell", "failed"), 1},
		{"evtrigger_task_duration_seconds", labels{}, 8},
		{"evtrigger_trigger_latency_seconds", labels{"rule": "notify-inventory"}, 2},
		{"evtrigger_trigger_latency_seconds", labels{"rule": "flaky"}, 2},
		{"evtrigger_trigger_latency_seconds", labels{"rule": "doomed"}, 1},
	})
	if s := after.histogramSum("evtrigger_trigger_latency_seconds", labels{}); s <= 0 || s > 5*60 {
		t.Errorf("trigger latency sum = %vs over 5 tasks of events stamped now", s)
	}
	if s := after.histogramSum("evtrigger_message_processing_seconds", src); s <= 0 || s > 3*5 {
		t.Errorf("processing time sum = %vs over 3 starts", s)
	}
	if after.value("temporal_request_total", labels{"operation": "StartWorkflowExecution"}) < 3 {
		t.Errorf("temporal_request_total{operation=StartWorkflowExecution} < 3: the SDK's metrics are not exported")
	}
}

// TestReadyz: the API answers /readyz with every check passing, and /healthz.
func TestReadyz(t *testing.T) {
	st := testenv.NewStack(t, temporal, httpRule("http://127.0.0.1:1"), testenv.Options{Token: "s3cret"})
	code, body := getJSON(t, st.API.URL+"/readyz")
	if code != http.StatusOK || strings.TrimSpace(body) != `{"status":"ready","checks":{"rules":"ok","temporal":"ok"}}` {
		t.Fatalf("/readyz without a token = %d %s", code, body)
	}
	if code, body := getJSON(t, st.API.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d %s", code, body)
	}
}
