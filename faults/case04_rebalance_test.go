//go:build faults

package faults

import (
	"testing"
	"time"
)

// TestCase04KafkaRebalanceUnderLoad lets ingress replicas join and leave the consumer group
// while it works through a backlog on 12 partitions: a second and a third replica join, then
// the first and the second leave (SIGTERM: drain, commit, leave). Partitions move four times;
// records in flight on a revoked partition are finished or redelivered, never lost.
func TestCase04KafkaRebalanceUnderLoad(t *testing.T) {
	d := newDeployment(t, "rebal", env.temporal.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 12, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	n := env.events
	d.produceEvents(k, 0, n, 0)
	a := d.startKafkaIngress("ingress-a")
	first := time.Now()
	d.waitExecuted(n/5, 5*time.Minute)
	b := d.startKafkaIngress("ingress-b")
	d.waitExecuted(2*n/5, 5*time.Minute)
	d.startKafkaIngress("ingress-c")
	d.waitExecuted(3*n/5, 5*time.Minute)
	a.stop()
	d.waitExecuted(4*n/5, 5*time.Minute)
	b.stop()
	d.waitExecuted(n, 5*time.Minute)
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "4. Kafka rebalance: ingress replicas join and leave",
		Recovery: d.sink.longestStall(first), Note: "12 partitions; 2 joins, 2 leaves under load"})
}
