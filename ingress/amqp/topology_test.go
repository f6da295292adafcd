package amqp_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
)

func TestTopologyValidation(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "queues: [{name: q, ttl: 5}]", "field ttl not found"},
		{"exchange kind", "exchanges: [{name: x, type: x-delayed}]", `type "x-delayed" is not direct, topic, fanout or headers`},
		{"duplicate queue", "queues: [{name: q}, {name: q}]", `queue "q": declared twice`},
		{"reserved name", "exchanges: [{name: amq.mine, type: direct}]", "reserved"},
		{"delivery limit on classic", "queues: [{name: q, deliveryLimit: 3}]", "applies to quorum queues only"},
		{"transient quorum", "queues: [{name: q, type: quorum, durable: false}]", "always durable"},
		{"queue type", "queues: [{name: q, type: stream}]", `type "stream" is not classic or quorum`},
		{"sub-millisecond ttl", "queues: [{name: q, messageTTL: 1500us}]", "whole number of milliseconds"},
		{"undeclared dlx", "queues: [{name: q, deadLetterExchange: nowhere}]", `deadLetterExchange "nowhere" is not declared`},
		{"binding to undeclared queue", "exchanges: [{name: x, type: topic}]\nbindings: [{exchange: x, queue: q}]", `queue "q" is not declared`},
		{"headers without headers", "exchanges: [{name: x, type: headers}]\nqueues: [{name: q}]\nbindings: [{exchange: x, queue: q}]", "needs headers"},
		{"headers on topic", "exchanges: [{name: x, type: topic}]\nqueues: [{name: q}]\nbindings: [{exchange: x, queue: q, headers: {a: b}}]", "headers exchanges only"},
		{"bad match", "exchanges: [{name: x, type: headers}]\nqueues: [{name: q}]\nbindings: [{exchange: x, queue: q, headers: {a: b}, match: some}]", `match "some"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := amqp.ParseTopology([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestExampleTopology: the shipped topology holds the seed's settings, declares twice without
// error, and routes an order event into the task queue and its dead letters into the DLQ.
func TestExampleTopology(t *testing.T) {
	topo, err := amqp.LoadTopology("../../deploy/rabbitmq/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(topo.Queues, func(q amqp.Queue) bool { return q.Name == amqp.DefaultQueue })
	if i < 0 {
		t.Fatalf("no %s in %+v", amqp.DefaultQueue, topo.Queues)
	}
	if q := topo.Queues[i]; q.MessageTTL != 24*time.Hour || q.MaxLength != 10000 || q.DeadLetterExchange != "schedule.dlx" {
		t.Fatalf("task queue %+v", q)
	}
	vh := amqptest.NewVhost(t)
	for range 2 {
		if err := topo.Declare(vh.Channel(t)); err != nil {
			t.Fatalf("declare: %v", err)
		}
	}
	pub := vh.NewPublisher(t)
	pub.Publish(t, "business.event.exchange", "order.created", []byte("order"), nil)
	pub.Publish(t, "business.event.exchange", "schedule.task.run.now", []byte("task"), nil)
	ch := vh.Channel(t)
	if got := bodies(t, ch, "schedule.task.queue"); !slices.Equal(got, []string{"order", "task"}) {
		t.Fatalf("task queue got %q", got)
	}
	pub.Publish(t, "schedule.main.exchange", "schedule.main", []byte("main"), nil)
	d, ok, err := ch.Get("schedule.main.queue", false)
	if err != nil || !ok {
		t.Fatalf("get main queue: %v %v", ok, err)
	}
	if err := d.Reject(false); err != nil { // the broker dead-letters it via schedule.dlx
		t.Fatal(err)
	}
	amqptest.Eventually(t, "rejected message in schedule.dlx.queue", func() bool { return vh.Depth(t, "schedule.dlx.queue") == 1 })
}

// TestExchangeKindsRoute declares one exchange of every kind and checks where messages land.
func TestExchangeKindsRoute(t *testing.T) {
	topo := mustTopology(t, `
exchanges:
  - {name: d, type: direct}
  - {name: t, type: topic}
  - {name: f, type: fanout}
  - {name: h, type: headers}
queues: [{name: q1}, {name: q2}, {name: q3, type: quorum, deliveryLimit: 5}]
bindings:
  - {exchange: d, queue: q1, routingKey: red}
  - {exchange: d, queue: q2, routingKey: blue}
  - {exchange: t, queue: q1, routingKey: "order.*"}
  - {exchange: t, queue: q2, routingKey: "schedule.task.#"}
  - {exchange: f, queue: q1}
  - {exchange: f, queue: q3}
  - {exchange: h, queue: q1, headers: {region: eu, tier: gold}}
  - {exchange: h, queue: q2, headers: {region: eu, tier: gold}, match: any}
`)
	vh := amqptest.NewVhost(t)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	send := func(exchange, key, body string, headers map[string]string) {
		pub.Publish(t, exchange, key, []byte(body), headers)
	}
	send("d", "red", "d-red", nil)
	send("d", "blue", "d-blue", nil)
	send("t", "order.created", "t-order", nil)
	send("t", "schedule.task", "t-task", nil)
	send("t", "schedule.task.a.b", "t-task-deep", nil)
	send("f", "ignored", "f", nil)
	send("h", "", "h-both", map[string]string{"region": "eu", "tier": "gold"})
	send("h", "", "h-one", map[string]string{"region": "eu", "tier": "silver"})
	unrouted := []struct{ exchange, key string }{{"d", "green"}, {"t", "order.created.eu"}, {"t", "order"}}
	for _, u := range unrouted {
		if err := publishErr(t, vh, u.exchange, u.key); !errors.Is(err, amqp.ErrUnroutable) {
			t.Errorf("%s/%s: %v, want ErrUnroutable", u.exchange, u.key, err)
		}
	}
	ch := vh.Channel(t)
	want := map[string][]string{
		"q1": {"d-red", "t-order", "f", "h-both"},
		"q2": {"d-blue", "t-task", "t-task-deep", "h-both", "h-one"},
		"q3": {"f"},
	}
	for q, w := range want {
		if got := bodies(t, ch, q); !slices.Equal(got, w) {
			t.Errorf("%s got %q, want %q", q, got, w)
		}
	}
}

// TestQueueTTLAndMaxLength: expired and overflowing messages leave the queue for its DLX.
func TestQueueTTLAndMaxLength(t *testing.T) {
	topo := mustTopology(t, `
exchanges: [{name: dlx, type: fanout}]
queues:
  - {name: short, messageTTL: 300ms, deadLetterExchange: dlx}
  - {name: small, maxLength: 3, deadLetterExchange: dlx}
  - {name: dead}
bindings: [{exchange: dlx, queue: dead}]
`)
	vh := amqptest.NewVhost(t)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	dead := vh.NewReader(t, "dead")
	pub := vh.NewPublisher(t)
	for _, b := range []string{"s1", "s2", "s3", "s4", "s5"} {
		pub.Publish(t, "", "small", []byte(b), nil)
	}
	pub.Publish(t, "", "short", []byte("expiring"), nil)
	reasons := map[string]string{}
	for _, d := range dead.WaitFor(t, 3) {
		reasons[string(d.Body)] = deathReason(d)
	}
	want := map[string]string{"s1": "maxlen", "s2": "maxlen", "expiring": "expired"}
	for b, r := range want {
		if reasons[b] != r {
			t.Errorf("dead letters %v, want %s dead-lettered as %s", reasons, b, r)
		}
	}
	if got := bodies(t, vh.Channel(t), "small"); !slices.Equal(got, []string{"s3", "s4", "s5"}) {
		t.Errorf("small holds %q, want the newest 3", got)
	}
}

// TestConflictingQueueIsAClearError: a queue that exists with another TTL is refused with the
// queue and the argument named, and a source with that topology stops instead of retrying.
func TestConflictingQueueIsAClearError(t *testing.T) {
	vh := amqptest.NewVhost(t)
	if err := mustTopology(t, "queues: [{name: jobs, messageTTL: 1s}]").Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	other := mustTopology(t, "queues: [{name: jobs, messageTTL: 2s, deadLetterExchange: amq.fanout}]")
	err := other.Declare(vh.Channel(t))
	if !errors.Is(err, amqp.ErrTopologyConflict) || !strings.Contains(err.Error(), `queue "jobs"`) ||
		!strings.Contains(err.Error(), "x-message-ttl") {
		t.Fatalf("error %v, want ErrTopologyConflict naming queue jobs and x-message-ttl", err)
	}
	src, err := amqp.New(amqp.Options{Conn: amqp.Conn{URL: vh.URL()}, Topology: other, Queues: []string{"jobs"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntilError(t, src); !errors.Is(err, amqp.ErrTopologyConflict) {
		t.Fatalf("Run: %v, want ErrTopologyConflict", err)
	}
}

// bodies takes every message of queue (basic.get, acked) and returns their bodies in order.
func bodies(t testing.TB, ch *amqp091.Channel, queue string) []string {
	t.Helper()
	var out []string
	for {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatalf("get %s: %v", queue, err)
		}
		if !ok {
			return out
		}
		out = append(out, string(d.Body))
	}
}

// deathReason is the reason of the broker's first dead-lettering of d (x-death).
func deathReason(d amqp091.Delivery) string {
	deaths, _ := d.Headers["x-death"].([]any)
	if len(deaths) == 0 {
		return ""
	}
	first, _ := deaths[0].(amqp091.Table)
	reason, _ := first["reason"].(string)
	return reason
}
