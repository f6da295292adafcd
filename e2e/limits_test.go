package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// limitSink is an HTTP task target that holds each request for hold and records, per path, how
// many requests were in flight at most and when each arrived.
type limitSink struct {
	mu       sync.Mutex
	hold     time.Duration
	inFlight map[string]int
	maxIn    map[string]int
	arrivals map[string][]time.Time
	srv      *httptest.Server
}

func newLimitSink(t *testing.T, hold time.Duration) *limitSink {
	s := &limitSink{hold: hold, inFlight: map[string]int{}, maxIn: map[string]int{}, arrivals: map[string][]time.Time{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		s.mu.Lock()
		s.inFlight[p]++
		s.maxIn[p] = max(s.maxIn[p], s.inFlight[p])
		s.arrivals[p] = append(s.arrivals[p], time.Now())
		s.mu.Unlock()
		testenv.Work(r, s.hold) // the target is slow: this is what the cap protects
		s.mu.Lock()
		s.inFlight[p]--
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// stats returns the most requests ever in flight on path and their arrival times.
func (s *limitSink) stats(path string) (maxIn int, arrivals []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn[path], slices.Clone(s.arrivals[path])
}

// startWorkerProcess runs `evtrigger worker` on the stack's task queue; it is killed when the
// test ends.
func startWorkerProcess(t *testing.T, bin, rulesFile string, st *testenv.Stack) {
	t.Helper()
	cmd := exec.Command(bin, "worker", "--temporal-address", temporal.Address(), "--task-queue", st.TaskQueue,
		"--rules", rulesFile, "--operator-wait", "0", "--metrics-addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}

// TestRuleLimitsAcrossTwoWorkers: two separate worker processes run the tasks of a rule with
// concurrency: 2 and of a rule with rateLimit: 5/s; the sink sees the cap and the rate hold.
func TestRuleLimitsAcrossTwoWorkers(t *testing.T) {
	sk := newLimitSink(t, 300*time.Millisecond)
	rulesYAML := fmt.Sprintf(`taskTriggerRules:
  - {ruleId: capped-e2e, eventType: job.capped, taskType: http, concurrency: 2, parameters: {url: "%[1]s/capped"}}
  - {ruleId: rated-e2e, eventType: job.rated, taskType: http, rateLimit: 5/s, parameters: {url: "%[1]s/rated"}}
`, sk.srv.URL)
	rulesFile := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(rulesFile, []byte(rulesYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	st := testenv.NewStack(t, temporal, rulesYAML, testenv.Options{NoWorker: true})
	bin := buildEvtrigger(t)
	startWorkerProcess(t, bin, rulesFile, st)
	startWorkerProcess(t, bin, rulesFile, st)

	t.Run("concurrency", func(t *testing.T) {
		ids := postJobs(t, st, "job.capped", 20)
		maxIn, arrivals := sk.stats("/capped")
		if len(arrivals) != 20 || maxIn != 2 {
			t.Fatalf("%d requests, at most %d in flight: want 20 requests, never more than 2 in flight and 2 reached",
				len(arrivals), maxIn)
		}
		if workers := taskWorkers(t, st, ids); len(workers) < 2 {
			t.Errorf("tasks ran on the workers %v, want both processes", workers)
		}
		keepHistory(t, fetchHistory(t, st.Client, event.WorkflowID(ids[len(ids)-1])), "event_workflow_limits.json")
		keepHistory(t, fetchHistory(t, st.Client, workflows.LimiterWorkflowID("capped-e2e")), "limiter_workflow.json")
	})

	t.Run("rate", func(t *testing.T) {
		postJobs(t, st, "job.rated", 20)
		_, arrivals := sk.stats("/rated")
		if len(arrivals) != 20 {
			t.Fatalf("%d requests, want 20", len(arrivals))
		}
		slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
		// The limiter spaces the grants 200 ms apart, so any 1 s holds at most 5. A request
		// reaches the sink a varying time after its grant: one more start is allowed for that.
		if n, at := busiestWindow(arrivals, time.Second); n > 5+1 {
			t.Errorf("%d requests within 1 s from %s: want at most 5 (+1 for the way to the sink)", n, at.Format("15:04:05.000"))
		}
		// 20 starts 200 ms apart span at least 3.8 s (lower bound, less 300 ms of that variation).
		span := arrivals[len(arrivals)-1].Sub(arrivals[0])
		if span < 3800*time.Millisecond-300*time.Millisecond {
			t.Errorf("20 requests within %s: at 5/s they need 3.8 s", span)
		}
		n, _ := busiestWindow(arrivals, time.Second)
		t.Logf("20 starts over %s, at most %d in any 1 s at the sink", span.Round(time.Millisecond), n)
	})
}

// postJobs posts n events of type typ and waits for every workflow to complete successfully;
// it returns the event IDs.
func postJobs(t *testing.T, st *testenv.Stack, typ string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d-%d", typ, time.Now().UnixNano(), i)
		if code, out := st.PostEvent(t, fmt.Sprintf(`{"messageId":%q,"eventType":%q}`, ids[i], typ)); code != http.StatusAccepted {
			t.Fatalf("post: %d %v", code, out)
		}
	}
	for _, id := range ids {
		status, err := workflowResult(t, st, id)
		if err != nil {
			t.Fatalf("workflow of %s: %v", id, err)
		}
		if len(status.Tasks) != 1 || status.Tasks[0].State != workflows.TaskSucceeded {
			t.Fatalf("workflow of %s: %+v", id, status)
		}
	}
	return ids
}

// busiestWindow returns the most arrivals (sorted) within any window of length w, and where the
// busiest such window starts.
func busiestWindow(arrivals []time.Time, w time.Duration) (int, time.Time) {
	best, at := 0, time.Time{}
	for i := range arrivals {
		j := i
		for j < len(arrivals) && arrivals[j].Sub(arrivals[i]) < w {
			j++
		}
		if j-i > best {
			best, at = j-i, arrivals[i]
		}
	}
	return best, at
}

// taskWorkers returns the identities of the workers that ran the events' task activities, from
// the workflows' histories.
func taskWorkers(t *testing.T, st *testenv.Stack, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		for _, ev := range fetchHistory(t, st.Client, event.WorkflowID(id)).GetEvents() {
			if ev.GetEventType() != enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED {
				continue
			}
			if w := ev.GetActivityTaskStartedEventAttributes().GetIdentity(); !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}
