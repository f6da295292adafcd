package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// sink is an HTTP task target that counts requests per Idempotency-Key.
type sink struct {
	mu   sync.Mutex
	hits map[string]int
	srv  *httptest.Server
}

func newSink(t *testing.T) *sink {
	s := &sink{hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.Header.Get("Idempotency-Key")]++
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

func (s *sink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

func httpRule(url string) string {
	return fmt.Sprintf(`taskTriggerRules:
  - ruleId: notify-inventory
    eventType: order.created
    condition: payload.amount > 1000
    taskType: http
    parameters:
      url: %s/inventory
      method: POST
      body: {orderId: "${payload.orderId}", amount: "${payload.amount}"}
    retry: {maxAttempts: 3, initialInterval: 100ms}
`, url)
}

func orderEvent(id string, amount float64) string {
	return fmt.Sprintf(`{"messageId":%q,"eventType":"order.created","timestamp":"2025-09-06T10:30:00Z",
	  "source":"order-service","priority":"HIGH","payload":{"orderId":"order-12345","amount":%v}}`, id, amount)
}

// workflowResult waits for the event's workflow to close and returns its final status.
func workflowResult(t *testing.T, st *testenv.Stack, eventID string) (workflows.Status, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var status workflows.Status
	err := st.Client.GetWorkflow(ctx, event.WorkflowID(eventID), "").Get(ctx, &status)
	return status, err
}

func TestHTTPTaskRunsOnceAndDuplicatesAreRecognised(t *testing.T) {
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	body := orderEvent("msg-dup-1", 1999.5)

	code, first := st.PostEvent(t, body)
	if code != http.StatusAccepted || first["duplicate"] != false || first["workflowId"] != "event-msg-dup-1" {
		t.Fatalf("first post: %d %v", code, first)
	}
	code, second := st.PostEvent(t, body) // while the first may still run
	if code != http.StatusAccepted || second["duplicate"] != true || second["runId"] != first["runId"] {
		t.Fatalf("second post: %d %v, first %v", code, second, first)
	}
	status, err := workflowResult(t, st, "msg-dup-1")
	if err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if len(status.Tasks) != 1 || status.Tasks[0].State != workflows.TaskSucceeded || status.Tasks[0].Attempts != 1 {
		t.Fatalf("status: %+v", status)
	}
	code, third := st.PostEvent(t, body) // after the workflow closed
	if code != http.StatusAccepted || third["duplicate"] != true {
		t.Fatalf("post after close: %d %v", code, third)
	}
	if n := sk.count("msg-dup-1/notify-inventory"); n != 1 || sk.total() != 1 {
		t.Fatalf("sink hits for the key = %d, total %d; want exactly 1", n, sk.total())
	}
}

func TestShellTaskRetriedByRulePolicy(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "attempts.log")
	script := filepath.Join(dir, "flaky.sh")
	writeScript(t, script, `#!/bin/sh
echo "attempt $EVTRIGGER_ATTEMPT order $1" >> "$2"
[ "$EVTRIGGER_ATTEMPT" -ge 3 ] || { echo "not yet" >&2; exit 7; }
echo done`)
	rulesYAML := fmt.Sprintf(`taskTriggerRules:
  - ruleId: flaky-shell
    eventType: order.*
    taskType: shell
    parameters: {script: %s, args: ["${payload.orderId}", %s]}
    retry: {maxAttempts: 5, initialInterval: 50ms, backoff: 1.0}
    timeout: 30s
`, script, log)
	st := testenv.NewStack(t, temporal, rulesYAML, testenv.Options{})
	if code, out := st.PostEvent(t, orderEvent("msg-flaky-1", 10)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	status, err := workflowResult(t, st, "msg-flaky-1")
	if err != nil {
		t.Fatalf("workflow: %v", err)
	}
	task := status.Tasks[0]
	if task.State != workflows.TaskSucceeded || task.Attempts != 3 || !strings.Contains(task.Result.Output, "done") {
		t.Fatalf("task: %+v", task)
	}
	got, _ := os.ReadFile(log)
	want := "attempt 1 order order-12345\nattempt 2 order order-12345\nattempt 3 order order-12345\n"
	if string(got) != want {
		t.Fatalf("attempts log = %q, want %q", got, want)
	}
}

func TestShellTaskFailingPermanentlyFailsWorkflow(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fail.sh")
	writeScript(t, script, "#!/bin/sh\necho broken >&2\nexit 3")
	st := testenv.NewStack(t, temporal, fmt.Sprintf(`taskTriggerRules:
  - {ruleId: always-fails, eventType: order.created, taskType: shell, parameters: {script: %s},
     retry: {maxAttempts: 2, initialInterval: 50ms}}
`, script), testenv.Options{})
	st.PostEvent(t, orderEvent("msg-fail-1", 10))
	_, err := workflowResult(t, st, "msg-fail-1")
	if err == nil || !strings.Contains(err.Error(), "1 of 1 tasks failed") {
		t.Fatalf("workflow error = %v, want the task failure", err)
	}
	resp, err := st.Client.QueryWorkflow(context.Background(), event.WorkflowID("msg-fail-1"), "", workflows.QueryStatus)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var status workflows.Status
	if err := resp.Get(&status); err != nil {
		t.Fatalf("decode status: %v", err)
	}
	task := status.Tasks[0]
	if task.State != workflows.TaskFailed || task.Attempts != 2 || !strings.Contains(task.LastError, "exit status 3") {
		t.Fatalf("task: %+v", task)
	}
}

func TestEventMatchingNoRuleRunsNoTask(t *testing.T) {
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})

	// No rule for this type: filtered by the ingress, no workflow.
	code, out := st.PostEvent(t, `{"messageId":"msg-other-1","eventType":"user.deleted","payload":{}}`)
	if code != http.StatusOK || out["filtered"] != true {
		t.Fatalf("unmatched type: %d %v", code, out)
	}
	_, err := st.Client.DescribeWorkflow(context.Background(), event.WorkflowID("msg-other-1"), "")
	if err == nil {
		t.Fatal("a workflow exists for a filtered event")
	}
	// The type matches but the condition does not: a workflow that runs no task.
	if code, out := st.PostEvent(t, orderEvent("msg-small-1", 5)); code != http.StatusAccepted {
		t.Fatalf("small order: %d %v", code, out)
	}
	status, err := workflowResult(t, st, "msg-small-1")
	if err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if len(status.Tasks) != 0 || len(status.Verdicts) != 1 || status.Verdicts[0].Outcome != "condition_false" {
		t.Fatalf("status: %+v", status)
	}
	if sk.total() != 0 {
		t.Fatalf("sink got %d requests, want 0", sk.total())
	}
}

func TestInvalidEventIsRefusedWithReason(t *testing.T) {
	st := testenv.NewStack(t, temporal, httpRule("http://127.0.0.1:1"), testenv.Options{})
	code, out := st.PostEvent(t, `{"messageId":"msg-bad-1","payload":{}}`)
	if code != http.StatusBadRequest || out["field"] != "eventType" {
		t.Fatalf("missing eventType: %d %v", code, out)
	}
	code, out = st.PostEvent(t, `{"messageId":`)
	if code != http.StatusBadRequest || out["error"] == "" {
		t.Fatalf("malformed JSON: %d %v", code, out)
	}
}

func writeScript(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
