package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
)

// counter counts the handler's calls per body.
type counter struct {
	mu    sync.Mutex
	calls map[string]int
	msgs  map[string]ingress.Message
}

func newCounter() *counter {
	return &counter{calls: map[string]int{}, msgs: map[string]ingress.Message{}}
}

func (c *counter) add(m ingress.Message) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[string(m.Body)]++
	c.msgs[string(m.Body)] = m
	return c.calls[string(m.Body)]
}

func (c *counter) get(body string) (int, ingress.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[body], c.msgs[body]
}

// TestPoisonDeadLetterCarriesReasonAndOrigin: the dead letter keeps body, properties and
// headers, adds the reason, the original route and the time; the messages behind it flow.
func TestPoisonDeadLetterCarriesReasonAndOrigin(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	dead := vh.NewReader(t, "dead")
	pub := vh.NewPublisher(t)
	pub.PublishMsg(t, "in", "events", amqp091.Publishing{Body: []byte("poison"), MessageId: "m-1",
		ContentType: "application/json", Headers: amqp091.Table{"trace": "t-1"}})
	for i := range 5 {
		pub.Publish(t, "in", "events", fmt.Appendf(nil, "good-%d", i), nil)
	}
	c := newCounter()
	src, err := amqp.New(testOptions(vh, topo, 2))
	if err != nil {
		t.Fatal(err)
	}
	start(t, src, func(_ context.Context, m ingress.Message) error {
		if c.add(m); string(m.Body) == "poison" {
			return ingress.Poison(errors.New("not an event"))
		}
		return nil
	})
	d := dead.WaitFor(t, 1)[0]
	amqptest.Eventually(t, "the good messages handled", func() bool { n, _ := c.get("good-4"); return n == 1 })
	h := d.Headers
	if h[amqp.HeaderError] != "not an event" || h[amqp.HeaderOriginalExchange] != "in" ||
		h[amqp.HeaderOriginalRoutingKey] != "events" || h["trace"] != "t-1" {
		t.Errorf("dead letter headers %v", h)
	}
	if at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(h[amqp.HeaderDeadLetteredAt])); err != nil || time.Since(at) > time.Minute {
		t.Errorf("dead-lettered-at %v: %v", h[amqp.HeaderDeadLetteredAt], err)
	}
	if string(d.Body) != "poison" || d.MessageId != "m-1" || d.ContentType != "application/json" || d.DeliveryMode != amqp091.Persistent {
		t.Errorf("dead letter %q id %q type %q mode %d", d.Body, d.MessageId, d.ContentType, d.DeliveryMode)
	}
	if n, _ := c.get("poison"); n != 1 {
		t.Errorf("poison handled %d times, want 1", n)
	}
}

// TestRetryLimitDeadLettersAfterExactlyNAttempts: a message failing transiently every time is
// handed over exactly MaxAttempts times, then dead-lettered with the count and the cause.
func TestRetryLimitDeadLettersAfterExactlyNAttempts(t *testing.T) {
	for _, maxAttempts := range []int{0, 5} { // 0: the default, 3
		want := maxAttempts
		if want == 0 {
			want = 3
		}
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			vh := amqptest.NewVhost(t)
			topo := mustTopology(t, testTopology)
			if err := topo.Declare(vh.Channel(t)); err != nil {
				t.Fatal(err)
			}
			dead := vh.NewReader(t, "dead")
			vh.NewPublisher(t).Publish(t, "in", "events", []byte("flaky"), nil)
			c := newCounter()
			opts := testOptions(vh, topo, 4)
			opts.MaxAttempts = maxAttempts
			src, err := amqp.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			run := start(t, src, func(_ context.Context, m ingress.Message) error {
				c.add(m)
				return fmt.Errorf("%w: simulated outage", ingress.ErrUnavailable)
			})
			d := dead.WaitFor(t, 1)[0]
			run.stop(t)
			if n, _ := c.get("flaky"); n != want {
				t.Errorf("handled %d times, want %d", n, want)
			}
			reason := fmt.Sprint(d.Headers[amqp.HeaderError])
			if !strings.Contains(reason, fmt.Sprintf("gave up after %d attempts", want)) || !strings.Contains(reason, "simulated outage") {
				t.Errorf("reason %q", reason)
			}
			if d.Headers[amqp.HeaderOriginalExchange] != "in" || d.Headers[amqp.HeaderRetries] != int32(want-1) {
				t.Errorf("headers %v", d.Headers)
			}
			if n := vh.Depth(t, "events"); n != 0 {
				t.Errorf("%d messages left in the queue", n)
			}
		})
	}
}

// TestEventIDFallsBackToMessageIDThenContent: DefaultID is the message-id property, else the
// body's content ID; the source's own headers never reach the handler.
func TestEventIDFallsBackToMessageIDThenContent(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	pub.PublishMsg(t, "in", "events", amqp091.Publishing{Body: []byte("with-id"), MessageId: "msg-42",
		Headers: amqp091.Table{"n": int32(7), "s": "x", amqp.HeaderRetries: int32(1)}})
	pub.Publish(t, "in", "events", []byte("without-id"), nil)
	c := newCounter()
	src, err := amqp.New(testOptions(vh, topo, 4))
	if err != nil {
		t.Fatal(err)
	}
	start(t, src, func(_ context.Context, m ingress.Message) error { c.add(m); return nil })
	amqptest.Eventually(t, "both handled", func() bool {
		a, _ := c.get("with-id")
		b, _ := c.get("without-id")
		return a == 1 && b == 1
	})
	_, with := c.get("with-id")
	_, without := c.get("without-id")
	if with.DefaultID != "msg-42" || without.DefaultID != event.ContentID([]byte("without-id")) {
		t.Errorf("default IDs %q and %q", with.DefaultID, without.DefaultID)
	}
	if len(with.Headers) != 2 || with.Headers["n"] != "7" || with.Headers["s"] != "x" {
		t.Errorf("headers %v", with.Headers)
	}
}

// TestReconnectsAfterConnectionsClosed closes every connection of the vhost twice while a
// stream is being handled: the source reconnects, every message is handled, nothing is left
// unacknowledged and no channel failed on a double ack.
func TestReconnectsAfterConnectionsClosed(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	const n = 300
	pub := vh.NewPublisher(t)
	for i := range n {
		pub.Publish(t, "in", "events", fmt.Appendf(nil, "m-%03d", i), nil)
	}
	c := newCounter()
	src, err := amqp.New(testOptions(vh, topo, 10))
	if err != nil {
		t.Fatal(err)
	}
	done := func() int {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.calls)
	}
	start(t, src, func(ctx context.Context, m ingress.Message) error {
		c.add(m)
		select { // simulated work
		case <-time.After(5 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	for _, at := range []int{50, 150} {
		amqptest.Eventually(t, fmt.Sprintf("%d handled", at), func() bool { return done() >= at })
		amqptest.Ctl(t, "close_all_connections", "-p", vh.Name, "test: network cut")
	}
	amqptest.Eventually(t, "every message handled and acked", func() bool {
		return done() == n && vh.Depth(t, "events") == 0 && unacked(t, vh, "events") == 0
	})
	if dl := vh.Depth(t, "dead"); dl != 0 {
		t.Errorf("%d dead letters", dl)
	}
}

// unacked is the queue's count of delivered, unacknowledged messages.
func unacked(t testing.TB, vh *amqptest.Vhost, queue string) int {
	out := amqptest.Ctl(t, "list_queues", "-p", vh.Name, "--no-table-headers", "name", "messages_unacknowledged")
	for _, line := range strings.Split(out, "\n") {
		var name string
		var n int
		if _, err := fmt.Sscan(line, &name, &n); err == nil && name == queue {
			return n
		}
	}
	t.Fatalf("queue %s not in %q", queue, out)
	return 0
}
