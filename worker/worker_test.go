package worker

import (
	"testing"
	"time"
)

// TestOptionsReachTheSDK guards the mapping of Options onto the SDK's worker options: a field
// added here and not passed on (as DeadlockDetectionTimeout once was) fails.
func TestOptionsReachTheSDK(t *testing.T) {
	got := sdkOptions(Options{MaxConcurrentActivities: 7, MaxConcurrentWorkflowTasks: 9, DeadlockDetectionTimeout: 20 * time.Second})
	if got.MaxConcurrentActivityExecutionSize != 7 || got.MaxConcurrentLocalActivityExecutionSize != 7 ||
		got.MaxConcurrentWorkflowTaskExecutionSize != 9 || got.DeadlockDetectionTimeout != 20*time.Second {
		t.Fatalf("sdk options %+v", got)
	}
}
