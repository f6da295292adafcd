package amqptest

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Publisher publishes test messages with confirms on a connection of its own.
type Publisher struct {
	ch      *amqp.Channel
	returns chan amqp.Return
}

// NewPublisher opens a confirm-mode channel on the vhost.
func (v *Vhost) NewPublisher(t testing.TB) *Publisher {
	t.Helper()
	ch := v.Channel(t)
	if err := ch.Confirm(false); err != nil {
		t.Fatalf("amqptest: confirm mode: %v", err)
	}
	return &Publisher{ch: ch, returns: ch.NotifyReturn(make(chan amqp.Return, 1))}
}

// Publish publishes a persistent message (mandatory) and waits for its confirm; a nack or a
// return fails the test.
func (p *Publisher) Publish(t testing.TB, exchange, key string, body []byte, headers map[string]string) {
	t.Helper()
	var h amqp.Table
	if len(headers) > 0 {
		h = amqp.Table{}
		for k, v := range headers {
			h[k] = v
		}
	}
	p.PublishMsg(t, exchange, key, amqp.Publishing{Body: body, Headers: h, DeliveryMode: amqp.Persistent})
}

// PublishMsg publishes msg as is (mandatory) and waits for its confirm.
func (p *Publisher) PublishMsg(t testing.TB, exchange, key string, msg amqp.Publishing) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	conf, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, true, false, msg)
	if err != nil {
		t.Fatalf("amqptest: publish to %q/%q: %v", exchange, key, err)
	}
	if ok, err := conf.WaitContext(ctx); err != nil || !ok {
		t.Fatalf("amqptest: publish to %q/%q not confirmed: %v", exchange, key, err)
	}
	select {
	case r := <-p.returns:
		t.Fatalf("amqptest: publish to %q/%q returned: %s", exchange, key, r.ReplyText)
	default:
	}
}

// Reader consumes a queue in the background (auto-ack) and keeps what it read.
type Reader struct {
	mu   sync.Mutex
	msgs []amqp.Delivery
}

// NewReader consumes queue until the test ends.
func (v *Vhost) NewReader(t testing.TB, queue string) *Reader {
	t.Helper()
	deliveries, err := v.Channel(t).Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		t.Fatalf("amqptest: consume %s: %v", queue, err)
	}
	r := &Reader{}
	go func() {
		for d := range deliveries {
			r.mu.Lock()
			r.msgs = append(r.msgs, d)
			r.mu.Unlock()
		}
	}()
	return r
}

// Messages returns the messages read so far.
func (r *Reader) Messages() []amqp.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]amqp.Delivery(nil), r.msgs...)
}

// WaitFor polls r until it holds at least n messages and returns them; it fails the test after
// Timeout.
func (r *Reader) WaitFor(t testing.TB, n int) []amqp.Delivery {
	t.Helper()
	Eventually(t, "reading messages", func() bool { return len(r.Messages()) >= n })
	return r.Messages()
}

// Depth returns the number of ready messages in queue (passive declare).
func (v *Vhost) Depth(t testing.TB, queue string) int {
	t.Helper()
	ch := v.Channel(t)
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	if err != nil {
		t.Fatalf("amqptest: inspect queue %s: %v", queue, err)
	}
	return q.Messages
}

// Eventually polls cond every 20 ms until it holds, failing the test with msg after Timeout.
func Eventually(t testing.TB, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", Timeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RestartBroker stops the RabbitMQ application (rabbitmqctl stop_app: every connection drops,
// the listener closes), runs during, then starts it again and waits until it accepts
// connections. The test must hold the exclusive lock (NewExclusiveVhost). If during fails the
// test, the broker is started anyway.
func RestartBroker(t testing.TB, during func()) {
	t.Helper()
	Ctl(t, "stop_app")
	started := false
	start := func() {
		if !started {
			started = true
			Ctl(t, "start_app")
			Ctl(t, "await_startup")
		}
	}
	defer start()
	during()
	start()
}

// Output runs a command and fails the test when it fails.
func Output(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
