package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/worker"
)

// TestRealHistoryReplays runs an event with an HTTP task and a retried shell task on the real
// server, without and with outcome publishing, then replays the server's histories with the
// current workflow code. With EVTRIGGER_UPDATE_HISTORY=1 it writes them to
// workflows/testdata/, which workflows/replay_test.go replays: do that after a deliberate
// workflow change guarded by workflow.GetVersion, under new file names, keeping the old files.
func TestRealHistoryReplays(t *testing.T) {
	t.Run("v1", func(t *testing.T) { recordHistory(t, "event_workflow_v1.json", testenv.Options{}) })
	// v3: the search-attributes and operator-control version markers together.
	t.Run("v3", func(t *testing.T) {
		recordHistory(t, "event_workflow_v3.json", testenv.Options{OperatorWait: time.Hour})
	})
	t.Run("outcomes", func(t *testing.T) {
		c := kafkatest.NewCluster(t, 1, "schedule-tasks")
		pub, err := kafka.NewOutcomePublisher(kafka.Conn{Brokers: c.Brokers()}, "schedule-tasks")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pub.Close)
		recordHistory(t, "event_workflow_outcomes.json", testenv.Options{Outcomes: pub})
	})
}

func recordHistory(t *testing.T, file string, opts testenv.Options) {
	sk := newSink(t)
	script := filepath.Join(t.TempDir(), "second-try.sh")
	writeScript(t, script, `#!/bin/sh
[ "$EVTRIGGER_ATTEMPT" -ge 2 ] || exit 1`)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL)+fmt.Sprintf(`  - ruleId: shell-second-try
    eventType: order.#
    taskType: shell
    parameters: {script: %s}
    retry: {maxAttempts: 3, initialInterval: 50ms}
`, script), opts)
	id := fmt.Sprintf("msg-history-%d", time.Now().UnixNano())
	if code, out := st.PostEvent(t, orderEvent(id, 2000)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	if _, err := workflowResult(t, st, id); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	keepHistory(t, fetchHistory(t, st.Client, event.WorkflowID(id)), file)
}

// keepHistory replays hist with the current workflow code and, with EVTRIGGER_UPDATE_HISTORY
// set, writes it to workflows/testdata/file unless that file exists.
func keepHistory(t *testing.T, hist *historypb.History, file string) {
	t.Helper()
	replayer := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(replayer)
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Fatalf("replay of the server's history of %s: %v", file, err)
	}
	if os.Getenv("EVTRIGGER_UPDATE_HISTORY") == "" {
		return
	}
	data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", file)
	if _, err := os.Stat(path); err == nil {
		t.Logf("%s exists: not overwritten (it guards the workflows it was recorded from)", path)
		return
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

func fetchHistory(t *testing.T, c client.Client, workflowID string) *historypb.History {
	t.Helper()
	iter := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	hist := &historypb.History{}
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		hist.Events = append(hist.Events, ev)
	}
	return hist
}
