package amqp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
)

// TestRedriveMovesDeadLettersToTheirOrigin: a poison message dead-lettered by the source and a
// message rejected by a consumer (dead-lettered by the broker) go back to their exchange and
// routing key without the dead-letter headers; a message naming no origin stays.
func TestRedriveMovesDeadLettersToTheirOrigin(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo, err := amqp.LoadTopology("../../deploy/rabbitmq/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	pub.Publish(t, "business.event.exchange", "order.created", []byte("poison"), map[string]string{"keep": "me"})
	pub.Publish(t, "schedule.main.exchange", "schedule.main", []byte("rejected"), nil)
	pub.Publish(t, "schedule.dlx", "schedule.dlx", []byte("orphan"), nil)
	ch := vh.Channel(t)
	if d, ok, err := ch.Get("schedule.main.queue", false); err != nil || !ok || d.Reject(false) != nil {
		t.Fatalf("reject from schedule.main.queue: %v %v", ok, err)
	}
	opts := amqp.Options{Conn: amqp.Conn{URL: vh.URL()}, Topology: topo, RetryMin: 10 * time.Millisecond}
	src, err := amqp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	run := start(t, src, func(context.Context, ingress.Message) error { return ingress.Poison(errors.New("bad")) })
	amqptest.Eventually(t, "3 dead letters", func() bool { return vh.Depth(t, "schedule.dlx.queue") == 3 })
	run.stop(t)

	res, err := amqp.Redrive(context.Background(), amqp.Conn{URL: vh.URL()}, amqp.RedriveOptions{Queue: "schedule.dlx.queue"})
	if err != nil || res != (amqp.RedriveResult{Moved: 2, Skipped: 1}) {
		t.Fatalf("Redrive: %+v, %v", res, err)
	}
	if got := bodies(t, ch, "schedule.dlx.queue"); len(got) != 1 || got[0] != "orphan" {
		t.Errorf("left in the DLQ: %q", got)
	}
	d, ok, err := ch.Get("schedule.task.queue", true)
	if err != nil || !ok || string(d.Body) != "poison" || d.Headers["keep"] != "me" {
		t.Fatalf("task queue: %v %v %q %v", ok, err, d.Body, d.Headers)
	}
	for k := range d.Headers {
		if strings.HasPrefix(k, "x-") {
			t.Errorf("redriven message kept header %s", k)
		}
	}
	if got := bodies(t, ch, "schedule.main.queue"); len(got) != 1 || got[0] != "rejected" {
		t.Errorf("main queue: %q", got)
	}
}

// TestRedriveRate: moving 5 messages at 10/s takes at least 400ms.
func TestRedriveRate(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	for i := range 5 {
		pub.PublishMsg(t, "dlx", "", amqp091.Publishing{Body: fmt.Appendf(nil, "%d", i),
			Headers: amqp091.Table{amqp.HeaderOriginalExchange: "in", amqp.HeaderOriginalRoutingKey: "events"}})
	}
	began := time.Now()
	res, err := amqp.Redrive(context.Background(), amqp.Conn{URL: vh.URL()}, amqp.RedriveOptions{Queue: "dead", Rate: 10})
	if err != nil || res.Moved != 5 {
		t.Fatalf("Redrive: %+v, %v", res, err)
	}
	if took := time.Since(began); took < 400*time.Millisecond {
		t.Errorf("5 messages at 10/s took %s", took)
	}
	if n := vh.Depth(t, "events"); n != 5 {
		t.Errorf("%d messages back in events, want 5", n)
	}
}

// TestPublisherConfirmsAndReturns: a routed message is confirmed and persistent; an unroutable
// one is an ErrUnroutable; a missing exchange is an error after which publishing still works.
func TestPublisherConfirmsAndReturns(t *testing.T) {
	vh := amqptest.NewVhost(t)
	if err := mustTopology(t, testTopology).Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	p, err := amqp.DialPublisher(amqp.Conn{URL: vh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	msg := amqp091.Publishing{Body: []byte("x"), DeliveryMode: amqp091.Persistent}
	if err := p.Publish(ctx, "in", "nobody-binds-this", msg); !errors.Is(err, amqp.ErrUnroutable) {
		t.Errorf("unroutable: %v", err)
	}
	if err := p.Publish(ctx, "no-such-exchange", "events", msg); err == nil || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Errorf("missing exchange: %v", err)
	}
	if err := p.Publish(ctx, "in", "events", msg); err != nil {
		t.Fatalf("routable: %v", err)
	}
	d, ok, err := vh.Channel(t).Get("events", true)
	if err != nil || !ok || d.DeliveryMode != amqp091.Persistent {
		t.Fatalf("get: %v %v mode %d", ok, err, d.DeliveryMode)
	}
}
