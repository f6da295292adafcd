package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// maxHeartbeatInterval bounds the time between heartbeats of a long-running task.
const maxHeartbeatInterval = 5 * time.Second

// startHeartbeat records a heartbeat every half heartbeat timeout (at most every
// maxHeartbeatInterval) until the returned stop is called or ctx ends. It does nothing when the
// activity has no heartbeat timeout. Heartbeats are also how a worker learns of cancellation.
func startHeartbeat(ctx context.Context) (stop func()) {
	timeout := activity.GetInfo(ctx).HeartbeatTimeout
	if timeout <= 0 {
		return func() {}
	}
	interval := max(min(timeout/2, maxHeartbeatInterval), 10*time.Millisecond)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-ticker.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
