package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/temporalproto"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/worker"
	"github.com/evtrigger/evtrigger/workflows"
)

// shop is an HTTP service for saga tests: /charge fails until fixed; every request is counted
// by path and Idempotency-Key.
type shop struct {
	mu    sync.Mutex
	fixed bool
	hits  map[string]int // "path key" → count
	srv   *httptest.Server
}

func newShop(t *testing.T) *shop {
	s := &shop{hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.hits[r.URL.Path+" "+r.Header.Get("Idempotency-Key")]++
		if r.URL.Path == "/charge" && !s.fixed {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) count(path, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path+" "+key]
}

func (s *shop) fix() { s.mu.Lock(); s.fixed = true; s.mu.Unlock() }

func (s *shop) rules() string {
	return fmt.Sprintf(`taskTriggerRules:
  - {ruleId: reserve, eventType: order.created, priority: HIGH, taskType: http, parameters: {url: "%[1]s/reserve"},
     compensation: {taskType: http, parameters: {url: "%[1]s/release"}}}
  - {ruleId: charge, eventType: order.created, taskType: http, parameters: {url: "%[1]s/charge"},
     retry: {maxAttempts: 2, initialInterval: 50ms}}
  - {ruleId: ship, eventType: order.created, priority: LOW, taskType: http, parameters: {url: "%[1]s/ship"},
     compensation: {taskType: http, parameters: {url: "%[1]s/unship"}}}
`, s.srv.URL)
}

func TestSagaCompensationThroughTheServer(t *testing.T) {
	sh := newShop(t)
	st := testenv.NewStack(t, temporal, sh.rules(), testenv.Options{}) // no operator wait
	id := fmt.Sprintf("saga-%d", time.Now().UnixNano())
	st.PostEvent(t, orderEvent(id, 10))
	status, err := workflowResult(t, st, id)
	if err == nil || !strings.Contains(err.Error(), "1 of 3 tasks failed") {
		t.Fatalf("workflow error %v", err)
	}
	var appStatus workflows.Status
	statusOf(t, st, id, &appStatus)
	if got := taskStates(appStatus); got != "reserve=compensated charge=failed ship=compensated" {
		t.Fatalf("states %s (result %+v)", got, status)
	}
	if sh.count("/release", id+"/reserve/compensation") != 1 || sh.count("/unship", id+"/ship/compensation") != 1 {
		t.Fatalf("compensation calls: %v", sh.hits)
	}
}

func TestOperatorRetrySkipAbortThroughTheAPI(t *testing.T) {
	sh := newShop(t)
	st := testenv.NewStack(t, temporal, sh.rules(), testenv.Options{OperatorWait: time.Hour, Token: "ops"})
	base := fmt.Sprintf("op-%d", time.Now().UnixNano())
	waiting := func(id string) {
		testenv.Eventually(t, 60*time.Second, id+" waits for an operator", func() bool {
			var s workflows.Status
			code := apiJSON(t, st, "GET", "/api/v1/events/"+id+"/status", "ops", "", &s)
			return code == http.StatusOK && s.Phase == workflows.PhaseWaiting
		})
	}
	for _, id := range []string{base + "-retry", base + "-skip", base + "-abort"} {
		st.PostEventWithToken(t, orderEvent(id, 10), "ops")
		waiting(id)
	}
	if code := apiJSON(t, st, "POST", "/api/v1/events/"+base+"-abort/abort", "", "", nil); code != http.StatusUnauthorized {
		t.Fatalf("abort without the token: %d", code)
	}
	if code := apiJSON(t, st, "POST", "/api/v1/events/"+base+"-abort/abort", "ops", "", nil); code != http.StatusAccepted {
		t.Fatalf("abort: %d", code)
	}
	if code := apiJSON(t, st, "POST", "/api/v1/events/"+base+"-skip/skip", "ops", `{"ruleId":"charge"}`, nil); code != http.StatusAccepted {
		t.Fatalf("skip: %d", code)
	}
	sh.fix() // the cause is fixed: retry succeeds
	if code := apiJSON(t, st, "POST", "/api/v1/events/"+base+"-retry/retry", "ops", "", nil); code != http.StatusAccepted {
		t.Fatalf("retry: %d", code)
	}
	want := map[string]string{
		"-retry": "reserve=succeeded charge=succeeded ship=succeeded",
		"-skip":  "reserve=succeeded charge=skipped ship=succeeded",
		"-abort": "reserve=compensated charge=failed ship=compensated",
	}
	for suffix, states := range want {
		_, err := workflowResult(t, st, base+suffix)
		if (err != nil) != (suffix == "-abort") {
			t.Errorf("%s: workflow error %v", suffix, err)
		}
		var s workflows.Status
		statusOf(t, st, base+suffix, &s)
		if got := taskStates(s); got != states {
			t.Errorf("%s: states %s, want %s", suffix, got, states)
		}
	}
	if n := sh.count("/charge", base+"-retry/charge"); n != 3 {
		t.Errorf("charge of the retried event hit %d times, want 2 failed attempts + 1 after the retry", n)
	}
	if code := apiJSON(t, st, "POST", "/api/v1/events/no-such-event/retry", "ops", "", nil); code != http.StatusNotFound {
		t.Errorf("retry of an unknown event: %d, want 404", code)
	}
	recordOperatorHistory(t, st, base+"-retry")
}

// recordOperatorHistory replays the retried workflow's real history and, with
// EVTRIGGER_UPDATE_HISTORY, keeps it for workflows/replay_test.go.
func recordOperatorHistory(t *testing.T, st *testenv.Stack, id string) {
	hist := fetchHistory(t, st.Client, event.WorkflowID(id))
	replayer := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(replayer)
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Fatalf("replay of the server's history: %v", err)
	}
	path := filepath.Join("..", "workflows", "testdata", "event_workflow_operator.json")
	if _, err := os.Stat(path); os.Getenv("EVTRIGGER_UPDATE_HISTORY") == "" || err == nil {
		return
	}
	data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func taskStates(s workflows.Status) string {
	var out []string
	for _, ts := range s.Tasks {
		out = append(out, ts.RuleID+"="+string(ts.State))
	}
	return strings.Join(out, " ")
}

func statusOf(t *testing.T, st *testenv.Stack, id string, out *workflows.Status) {
	t.Helper()
	resp, err := st.Client.QueryWorkflow(context.Background(), event.WorkflowID(id), "", workflows.QueryStatus)
	if err != nil {
		t.Fatalf("query %s: %v", id, err)
	}
	if err := resp.Get(out); err != nil {
		t.Fatal(err)
	}
}

// apiJSON calls the stack's API and decodes a JSON answer into out (when not nil).
func apiJSON(t *testing.T, st *testenv.Stack, method, path, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, st.API.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}
