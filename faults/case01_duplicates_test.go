//go:build faults

package faults

import (
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestCase01EveryEventSentTwice sends every event twice at once (the copies on different
// partitions, so two handlers start them concurrently), waits for the tasks, then sends every
// event a third time after its workflow completed. Each event must start one workflow and run
// its task once; the ingress counts the other copies as duplicates.
func TestCase01EveryEventSentTwice(t *testing.T) {
	d := newDeployment(t, "dup", env.temporal.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	in := d.startKafkaIngress("ingress")

	n := env.events
	batch := make([]*kgo.Record, 0, 2*n)
	for i := range n {
		id := d.eventID(i)
		batch = append(batch, record(d.topic(), id, d.event(i, 0)), record(d.topic(), id+"#copy", d.event(i, 0)))
		d.sent(id)
	}
	k.produce(t, batch...)
	d.waitExecuted(n, 5*time.Minute)
	resend := make([]*kgo.Record, 0, n)
	for i := range n {
		resend = append(resend, record(d.topic(), d.eventID(i), d.event(i, 0)))
	}
	k.produce(t, resend...)
	processed := `evtrigger_messages_processed_total{outcome=`
	testenv.Eventually(t, 3*time.Minute, "the ingress decided every copy", func() bool {
		return in.metric(processed) >= float64(3*n)
	})
	started, dup := in.metric(processed+`"started"`), in.metric(processed+`"duplicate"`)
	// A start that timed out under load but reached Temporal is retried and found as a
	// duplicate, so started may be below n; it is never above.
	if started > float64(n) || started+dup != float64(3*n) {
		t.Errorf("the ingress started %v workflows and found %v duplicates, want at most %d and %d in all", started, dup, n, 3*n)
	}
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "1. every event sent twice, then again after completion",
		Note: fmt.Sprintf("%d copies sent; ingress: %v started, %v duplicate", 3*n, started, dup)})
}
