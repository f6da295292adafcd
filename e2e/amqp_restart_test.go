package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestRabbitMQRestartMidStream restarts the broker (rabbitmqctl stop_app / start_app) while the
// RabbitMQ source feeds a real Temporal: the source reconnects and redeclares its topology, and
// every event published before, during the backlog and after the restart ends in exactly one
// workflow whose task ran once. It holds the exclusive broker lock, so no other package's
// RabbitMQ test runs meanwhile.
func TestRabbitMQRestartMidStream(t *testing.T) {
	vh := amqptest.NewExclusiveVhost(t)
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	topo, err := amqp.LoadTopology("../deploy/rabbitmq/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := topo.Declare(vh.Channel(t)); err != nil { // so the first batch can be published at once
		t.Fatal(err)
	}
	src, err := amqp.New(amqp.Options{
		Conn: amqp.Conn{URL: vh.URL()}, Topology: topo, Prefetch: 20,
		RetryMin: 50 * time.Millisecond, ReconnectMin: 100 * time.Millisecond, ReconnectMax: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	proc := ingress.NewProcessor(ingress.NewStarter(st.Client, st.Rules, ingress.StarterOptions{
		TaskQueue: st.TaskQueue, EagerStart: true}), ingress.ProcessorOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- src.Run(ctx, proc.Handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	const perBatch = 100
	publish := func(batch int) {
		pub := vh.NewPublisher(t)
		for i := range perBatch {
			pub.Publish(t, "business.event.exchange", "order.created",
				[]byte(orderEvent(fmt.Sprintf("msg-restart-%d-%03d", batch, i), 5000)), nil)
		}
	}
	publish(0)
	testenv.Eventually(t, 60*time.Second, "a third of the first batch ran", func() bool { return sk.total() >= perBatch/3 })
	amqptest.RestartBroker(t, func() {})
	publish(1)

	testenv.Eventually(t, 120*time.Second, "every event's task ran", func() bool { return distinct(sk) == 2*perBatch })
	for batch := range 2 {
		for i := range perBatch {
			key := fmt.Sprintf("msg-restart-%d-%03d/notify-inventory", batch, i)
			if n := sk.count(key); n != 1 {
				t.Errorf("%s ran %d times, want 1", key, n)
			}
		}
	}
	if n := vh.Depth(t, "schedule.task.queue"); n != 0 {
		t.Errorf("%d messages left in schedule.task.queue", n)
	}
	if n := vh.Depth(t, "schedule.dlx.queue"); n != 0 {
		t.Errorf("%d dead letters", n)
	}
}

// distinct counts the different idempotency keys the sink saw.
func distinct(s *sink) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits)
}
