package ingresstest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
)

// outcomeFunc decides what the handler returns for the n-th (1-based) delivery of body.
type outcomeFunc func(ctx context.Context, body string, n int) error

// recorder is a Handler that counts deliveries and successes per body.
type recorder struct {
	outcome   outcomeFunc
	mu        sync.Mutex
	delivered map[string]int
	succeeded map[string]bool
}

func newRecorder(outcome outcomeFunc) *recorder {
	if outcome == nil {
		outcome = func(context.Context, string, int) error { return nil }
	}
	return &recorder{outcome: outcome, delivered: map[string]int{}, succeeded: map[string]bool{}}
}

func (r *recorder) handle(ctx context.Context, m ingress.Message) error {
	body := string(m.Body)
	r.mu.Lock()
	r.delivered[body]++
	n := r.delivered[body]
	r.mu.Unlock()
	err := r.outcome(ctx, body, n)
	if err == nil {
		r.mu.Lock()
		r.succeeded[body] = true
		r.mu.Unlock()
	}
	return err
}

func (r *recorder) deliveries(body string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered[body]
}

func (r *recorder) succeededCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.succeeded)
}

func (r *recorder) waitSucceeded(t *testing.T, bodies ...string) {
	t.Helper()
	waitFor(t, "every message handled successfully", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, b := range bodies {
			if !r.succeeded[b] {
				return false
			}
		}
		return true
	})
}

// running is a source's Run in a goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, src ingress.Source, h ingress.Handler) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Run(ctx, h) }()
	t.Cleanup(func() { r.cancel() })
	return r
}

// stop cancels the source and waits for Run to return; it fails the test if that takes longer
// than Timeout or Run returned an error.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel, want nil", err)
		}
		r.done <- nil // a second stop returns at once
	case <-time.After(Timeout):
		t.Fatalf("Run did not return within %s of cancel", Timeout)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", Timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(Timeout):
		t.Fatalf("not within %s: %s", Timeout, what)
	}
}
