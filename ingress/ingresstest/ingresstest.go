// Package ingresstest is the conformance suite every ingress.Source passes: delivery,
// acknowledgement, redelivery after a crash, dead-lettering, transient failures, shutdown under
// load and bounded in-flight work. A broker package runs it against a real broker:
//
//	func TestConformance(t *testing.T) { ingresstest.Run(t, newBroker) }
package ingresstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
)

// Broker is one broker input set up for a test, fresh for every subtest.
type Broker interface {
	// Publish puts one message onto the input the sources consume.
	Publish(t testing.TB, body []byte, headers map[string]string)
	// NewSource returns a new consumer of that input (same consumer group or queue as every
	// other source of this Broker) that hands at most maxInFlight messages to the Handler at once.
	NewSource(t testing.TB, maxInFlight int) ingress.Source
	// DeadLetters returns the messages dead-lettered so far.
	DeadLetters(t testing.TB) []DeadLetter
}

// DeadLetter is a dead-lettered message as the broker kept it.
type DeadLetter struct {
	Body   []byte
	Reason string
}

// Timeout bounds every wait of the suite.
const Timeout = 60 * time.Second

// Run runs the conformance suite; newBroker is called once per subtest.
func Run(t *testing.T, newBroker func(t *testing.T) Broker) {
	t.Run("DeliversAndAcknowledges", func(t *testing.T) { testDelivery(t, newBroker(t)) })
	t.Run("RedeliversAfterCrash", func(t *testing.T) { testRedelivery(t, newBroker(t)) })
	t.Run("DeadLettersPoison", func(t *testing.T) { testPoison(t, newBroker(t)) })
	t.Run("RetriesTransientFailures", func(t *testing.T) { testTransient(t, newBroker(t)) })
	t.Run("ShutdownUnderLoadLosesNothing", func(t *testing.T) { testShutdown(t, newBroker(t)) })
	t.Run("BoundsInFlight", func(t *testing.T) { testInFlight(t, newBroker(t)) })
}

func publishN(t *testing.T, b Broker, prefix string, n int) []string {
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("%s-%03d", prefix, i)
		b.Publish(t, []byte(bodies[i]), map[string]string{"x-test": prefix})
	}
	return bodies
}

// testDelivery: every message is handled once; after a clean stop, a new consumer of the group
// gets only new messages.
func testDelivery(t *testing.T, b Broker) {
	rec := newRecorder(nil)
	first := publishN(t, b, "first", 30)
	run := start(t, b.NewSource(t, 16), rec.handle)
	rec.waitSucceeded(t, first...)
	run.stop(t)

	second := publishN(t, b, "second", 10)
	run = start(t, b.NewSource(t, 16), rec.handle)
	rec.waitSucceeded(t, second...)
	run.stop(t)
	for _, body := range append(first, second...) {
		if n := rec.deliveries(body); n != 1 {
			t.Errorf("%s delivered %d times, want 1 (acknowledged messages must not come back)", body, n)
		}
	}
}

// testRedelivery: a message whose handler never finished is delivered again after a crash.
func testRedelivery(t *testing.T, b Broker) {
	stuck := make(chan struct{})
	rec := newRecorder(func(ctx context.Context, body string, n int) error {
		if n == 1 {
			close(stuck)
			<-ctx.Done() // the crash interrupts the work
			return ctx.Err()
		}
		return nil
	})
	publishN(t, b, "crash", 1)
	run := start(t, b.NewSource(t, 4), rec.handle)
	waitClosed(t, stuck, "the message reached the handler")
	run.stop(t)
	run = start(t, b.NewSource(t, 4), rec.handle)
	defer run.stop(t)
	rec.waitSucceeded(t, "crash-000")
	if n := rec.deliveries("crash-000"); n != 2 {
		t.Fatalf("delivered %d times, want 2", n)
	}
}

// testPoison: a poison message is dead-lettered with its reason, never redelivered, and the
// messages behind it flow.
func testPoison(t *testing.T, b Broker) {
	rec := newRecorder(func(_ context.Context, body string, _ int) error {
		if strings.HasPrefix(body, "poison") {
			return ingress.Poison(errors.New("not an event: " + body))
		}
		return nil
	})
	poison := publishN(t, b, "poison", 2)
	good := publishN(t, b, "good", 10)
	run := start(t, b.NewSource(t, 8), rec.handle)
	rec.waitSucceeded(t, good...)
	waitFor(t, "both poison messages dead-lettered", func() bool { return len(b.DeadLetters(t)) >= 2 })
	run.stop(t)
	for _, dl := range b.DeadLetters(t) {
		if !strings.HasPrefix(string(dl.Body), "poison") || !strings.Contains(dl.Reason, "not an event: "+string(dl.Body)) {
			t.Errorf("dead letter %q with reason %q", dl.Body, dl.Reason)
		}
	}
	after := publishN(t, b, "after", 3)
	run = start(t, b.NewSource(t, 8), rec.handle)
	rec.waitSucceeded(t, after...)
	run.stop(t)
	for _, p := range poison {
		if n := rec.deliveries(p); n != 1 {
			t.Errorf("%s delivered %d times, want 1 (dead-lettered messages are acknowledged)", p, n)
		}
	}
	if n := len(b.DeadLetters(t)); n != 2 {
		t.Errorf("%d dead letters, want 2", n)
	}
}

// testTransient: a message whose handler fails transiently is handed over again until it
// succeeds, and is not dead-lettered.
func testTransient(t *testing.T, b Broker) {
	rec := newRecorder(func(_ context.Context, body string, n int) error {
		if n <= 2 {
			return fmt.Errorf("%w: simulated outage", ingress.ErrUnavailable)
		}
		return nil
	})
	publishN(t, b, "flaky", 1)
	run := start(t, b.NewSource(t, 4), rec.handle)
	defer run.stop(t)
	rec.waitSucceeded(t, "flaky-000")
	if n := rec.deliveries("flaky-000"); n != 3 {
		t.Fatalf("delivered %d times, want 3", n)
	}
	if dls := b.DeadLetters(t); len(dls) != 0 {
		t.Fatalf("transient failures were dead-lettered: %v", dls)
	}
}

// testShutdown: stopping a consumer mid-stream loses nothing: a second consumer gets every
// message the first did not finish.
func testShutdown(t *testing.T, b Broker) {
	rec := newRecorder(func(ctx context.Context, _ string, _ int) error {
		select { // simulated work
		case <-time.After(2 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	bodies := publishN(t, b, "load", 200)
	run := start(t, b.NewSource(t, 32), rec.handle)
	waitFor(t, "50 messages handled", func() bool { return rec.succeededCount() >= 50 })
	run.stop(t)
	run = start(t, b.NewSource(t, 32), rec.handle)
	defer run.stop(t)
	rec.waitSucceeded(t, bodies...)
}

// testInFlight: no more than maxInFlight messages are in the handler at once.
func testInFlight(t *testing.T, b Broker) {
	const limit = 3
	release := make(chan struct{})
	var mu sync.Mutex
	current, peak := 0, 0
	rec := newRecorder(func(ctx context.Context, _ string, _ int) error {
		mu.Lock()
		current++
		peak = max(peak, current)
		mu.Unlock()
		defer func() { mu.Lock(); current--; mu.Unlock() }()
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	bodies := publishN(t, b, "slot", 12)
	run := start(t, b.NewSource(t, limit), rec.handle)
	defer run.stop(t)
	inFlight := func() int { mu.Lock(); defer mu.Unlock(); return current }
	waitFor(t, "the source fills its slots", func() bool { return inFlight() == limit })
	for done := 0; done < len(bodies); done++ {
		waitFor(t, "a message in the handler", func() bool { return inFlight() > 0 })
		release <- struct{}{}
	}
	rec.waitSucceeded(t, bodies...)
	if peak != limit {
		t.Fatalf("at most %d messages were in flight at once, want the limit %d", peak, limit)
	}
}
