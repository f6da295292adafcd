package amqp_test

import (
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/ingress/ingresstest"
)

// testTopology: exchange "in" routes key "events" to queue "events", whose dead letters go
// through the fanout "dlx" to queue "dead".
const testTopology = `
exchanges:
  - {name: in, type: direct}
  - {name: dlx, type: fanout}
queues:
  - {name: events, deadLetterExchange: dlx}
  - {name: dead}
bindings:
  - {exchange: in, queue: events, routingKey: events}
  - {exchange: dlx, queue: dead}
`

// broker is the conformance suite's view of a fresh vhost with testTopology declared.
type broker struct {
	vh   *amqptest.Vhost
	topo *amqp.Topology
	pub  *amqptest.Publisher
	dead *amqptest.Reader
}

func newBroker(t *testing.T) ingresstest.Broker {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	return &broker{vh: vh, topo: topo, pub: vh.NewPublisher(t), dead: vh.NewReader(t, "dead")}
}

func (b *broker) Publish(t testing.TB, body []byte, headers map[string]string) {
	b.pub.Publish(t, "in", "events", body, headers)
}

// NewSource maps maxInFlight onto one consumer with that prefetch.
func (b *broker) NewSource(t testing.TB, maxInFlight int) ingress.Source {
	src, err := amqp.New(testOptions(b.vh, b.topo, maxInFlight))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (b *broker) DeadLetters(t testing.TB) []ingresstest.DeadLetter {
	var out []ingresstest.DeadLetter
	for _, d := range b.dead.Messages() {
		reason, _ := d.Headers[amqp.HeaderError].(string)
		out = append(out, ingresstest.DeadLetter{Body: d.Body, Reason: reason})
	}
	return out
}

// testOptions are quick options for tests: short backoffs so waits stay short.
func testOptions(vh *amqptest.Vhost, topo *amqp.Topology, prefetch int) amqp.Options {
	return amqp.Options{
		Conn:     amqp.Conn{URL: vh.URL()},
		Topology: topo, Queues: []string{"events"}, Prefetch: prefetch,
		RetryMin: 10 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		ReconnectMin: 50 * time.Millisecond, ReconnectMax: time.Second,
		DrainTimeout: time.Second,
	}
}

func mustTopology(t testing.TB, yaml string) *amqp.Topology {
	t.Helper()
	topo, err := amqp.ParseTopology([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

func TestConformance(t *testing.T) {
	ingresstest.Run(t, newBroker)
}
