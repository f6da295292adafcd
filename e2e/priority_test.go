package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// holdSink is an HTTP sink that records the order requests arrive in and holds each until released.
type holdSink struct {
	mu      sync.Mutex
	order   []string
	release chan struct{}
	srv     *httptest.Server
}

func newHoldSink(t *testing.T) *holdSink {
	g := &holdSink{release: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.order = append(g.order, strings.SplitN(r.Header.Get("Idempotency-Key"), "/", 2)[0])
		g.mu.Unlock()
		select {
		case <-g.release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(g.release); g.srv.Close() })
	return g
}

func (g *holdSink) arrived() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.order...)
}

// TestHighPriorityTaskOvertakesLowBacklog: one task slot, busy with a LOW event's task, then a
// backlog of LOW events, then a HIGH one: the HIGH event's task runs before the backlog drains.
func TestHighPriorityTaskOvertakesLowBacklog(t *testing.T) {
	g := newHoldSink(t)
	rules := fmt.Sprintf(`taskTriggerRules:
  - {ruleId: slow, eventType: job.queued, taskType: http, parameters: {url: "%s/work"}, timeout: 1m}
`, g.srv.URL)
	st := testenv.NewStack(t, temporal, rules, testenv.Options{MaxConcurrentTasks: 1})
	base := fmt.Sprintf("prio-%d", time.Now().UnixNano())
	post := func(id, priority string) {
		body := fmt.Sprintf(`{"messageId":%q,"eventType":"job.queued","priority":%q,"payload":{}}`, id, priority)
		if code, out := st.PostEvent(t, body); code != http.StatusAccepted {
			t.Fatalf("post %s: %d %v", id, code, out)
		}
	}
	post(base+"-low-first", "LOW")
	testenv.Eventually(t, 30*time.Second, "the first LOW task holds the only slot", func() bool { return len(g.arrived()) == 1 })
	const backlog = 6
	for i := 0; i < backlog; i++ {
		post(fmt.Sprintf("%s-low-%d", base, i), "LOW")
	}
	testenv.Eventually(t, 30*time.Second, "the LOW backlog is scheduled", func() bool {
		for i := 0; i < backlog; i++ {
			resp, err := st.Client.QueryWorkflow(context.Background(), event.WorkflowID(fmt.Sprintf("%s-low-%d", base, i)), "", workflows.QueryStatus)
			var s workflows.Status
			if err != nil || resp.Get(&s) != nil || len(s.Tasks) != 1 || s.Tasks[0].State != workflows.TaskRunning {
				return false // its task is not scheduled yet
			}
		}
		return true
	})
	post(base+"-high", "HIGH")
	for len(g.arrived()) < backlog+2 {
		n := len(g.arrived())
		g.release <- struct{}{} // finish the running task; the next one takes the slot
		testenv.Eventually(t, 30*time.Second, "the next task starts", func() bool { return len(g.arrived()) > n || n == backlog+2 })
	}
	order := g.arrived()
	pos := -1
	for i, id := range order {
		if id == base+"-high" {
			pos = i
		}
	}
	t.Logf("arrival order: %v", order)
	if pos < 0 || pos > 2 {
		t.Fatalf("the HIGH task arrived at position %d of %d: stuck behind the LOW backlog", pos, len(order))
	}
}
