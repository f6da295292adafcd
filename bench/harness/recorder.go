package harness

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// recorder collects the arrivals of one phase's tasks: which event IDs arrived (once each, a
// redelivery is not counted twice), when the last one did, and each one's latency from the
// moment it was offered. IDs without the phase's prefix (stragglers of an earlier phase) are
// ignored.
type recorder struct {
	prefix string
	want   int
	mu     sync.Mutex
	seen   map[string]bool
	lats   []time.Duration
	last   time.Time
	dups   int
	done   chan struct{}
}

// newRecorder expects want arrivals of IDs starting with prefix.
func newRecorder(prefix string, want int) *recorder {
	return &recorder{prefix: prefix, want: want, seen: make(map[string]bool, want), done: make(chan struct{})}
}

// record notes that the task of event id arrived now; sentAt is when the event was offered.
func (r *recorder) record(id string, sentAt time.Time) {
	if r == nil || !strings.HasPrefix(id, r.prefix) {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[id] {
		r.dups++
		return
	}
	r.seen[id] = true
	r.lats = append(r.lats, now.Sub(sentAt))
	r.last = now
	if len(r.seen) == r.want {
		close(r.done)
	}
}

// wait blocks until every expected arrival was recorded, or fails when ctx ends first.
func (r *recorder) wait(ctx context.Context) error {
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		defer r.mu.Unlock()
		return fmt.Errorf("%d of %d tasks of %s arrived: %w", len(r.seen), r.want, r.prefix, ctx.Err())
	}
}

// result returns the time of the last arrival, the latencies and the duplicate count.
func (r *recorder) result() (last time.Time, lats []time.Duration, dups int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, append([]time.Duration(nil), r.lats...), r.dups
}
