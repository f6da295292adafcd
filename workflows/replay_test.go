package workflows_test

import (
	"path/filepath"
	"slices"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/worker"
)

// TestReplayRecordedHistories replays every history in testdata, recorded from a real server
// (see e2e/history_test.go): a workflow change that would break running workflows fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	// v1: before search attributes; v2: with them; limits: a task waiting for a limiter permit,
	// and the limiter's own history.
	for _, want := range []string{"testdata/event_workflow_v1.json", "testdata/event_workflow_v2.json",
		"testdata/event_workflow_limits.json", "testdata/limiter_workflow.json"} {
		if !slices.Contains(files, want) {
			t.Errorf("recorded history %s is missing", want)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
