package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/worker"
)

// historyFile is the newest recorded history workflows/replay_test.go replays (with the
// older ones, kept beside it). Refresh it with EVTRIGGER_UPDATE_HISTORY=1 go test ./e2e -run
// TestRealHistoryReplays, after a deliberate workflow change guarded by workflow.GetVersion,
// writing to a new file name so the older histories stay. v1: before search attributes; v2:
// the "search-attributes" version marker and the MatchedRules upsert.
const historyFile = "../workflows/testdata/event_workflow_v2.json"

// TestRealHistoryReplays runs an event with an HTTP task and a retried shell task on the real
// server, then replays the server's history with the current workflow code.
func TestRealHistoryReplays(t *testing.T) {
	sk := newSink(t)
	script := filepath.Join(t.TempDir(), "second-try.sh")
	writeScript(t, script, `#!/bin/sh
[ "$EVTRIGGER_ATTEMPT" -ge 2 ] || exit 1`)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL)+fmt.Sprintf(`  - ruleId: shell-second-try
    eventType: order.#
    taskType: shell
    parameters: {script: %s}
    retry: {maxAttempts: 3, initialInterval: 50ms}
`, script), testenv.Options{})
	if code, out := st.PostEvent(t, orderEvent("msg-history-1", 2000)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	if _, err := workflowResult(t, st, "msg-history-1"); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	hist := fetchHistory(t, st.Client, event.WorkflowID("msg-history-1"))
	replayer := sdkworker.NewWorkflowReplayer()
	worker.RegisterWorkflows(replayer)
	if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
		t.Fatalf("replay of the server's history: %v", err)
	}
	if os.Getenv("EVTRIGGER_UPDATE_HISTORY") != "" {
		data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(historyFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", historyFile)
	}
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
