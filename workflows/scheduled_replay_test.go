package workflows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/evtrigger/evtrigger/worker"
)

// TestReplayScheduledHistories replays every history in testdata/scheduled (recorded from a
// real server by e2e/schedule_test.go) under its workflow ID, kept beside it in a .id file:
// ScheduledEventWorkflow takes its event ID from its workflow ID, which a history does not hold.
func TestReplayScheduledHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/scheduled/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/scheduled")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			id, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".id")
			if err != nil {
				t.Fatalf("workflow ID of %s: %v", f, err)
			}
			raw, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			hist, err := client.HistoryFromJSON(raw, client.HistoryJSONOptions{})
			if err != nil {
				t.Fatalf("read %s: %v", f, err)
			}
			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			err = replayer.ReplayWorkflowHistoryWithOptions(nil, hist, sdkworker.ReplayWorkflowHistoryOptions{
				OriginalExecution: workflow.Execution{ID: strings.TrimSpace(string(id))}})
			if err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
