package kafka_test

import (
	"testing"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/ingresstest"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
)

const topic = "events"

// broker is the conformance suite's view of a kfake cluster with one topic of 3 partitions.
type broker struct {
	c     *kafkatest.Cluster
	dlq   *kafkatest.Reader
	group string
}

func newBroker(t *testing.T) ingresstest.Broker {
	c := kafkatest.NewCluster(t, 3, topic, topic+".dlq")
	return &broker{c: c, dlq: c.NewReader(t, topic+".dlq"), group: "conformance"}
}

func (b *broker) Publish(t testing.TB, body []byte, headers map[string]string) {
	b.c.Produce(t, topic, nil, body, headers)
}

func (b *broker) NewSource(t testing.TB, maxInFlight int) ingress.Source {
	src, err := kafka.New(b.c.SourceOptions(b.group, maxInFlight, topic))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (b *broker) DeadLetters(t testing.TB) []ingresstest.DeadLetter {
	var out []ingresstest.DeadLetter
	for _, r := range b.dlq.Records() {
		out = append(out, ingresstest.DeadLetter{Body: r.Value, Reason: kafkatest.Header(r, kafka.HeaderError)})
	}
	return out
}

func TestConformance(t *testing.T) {
	ingresstest.Run(t, newBroker)
}
