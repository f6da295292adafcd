//go:build faults

package faults

import (
	"fmt"
	"testing"
	"time"
)

// TestCase10ScaleOut runs two ingress processes (one consumer group) on one PostgreSQL rule
// store, first with one worker, then with two. The first phase gives the throughput of one
// worker; in the second, the throughput of two is measured until one ingress and one worker
// are SIGKILLed, after which the survivors finish everything. The figures are reported, not
// asserted: on a 2-core machine the Temporal server, not the workers, is the limit.
func TestCase10ScaleOut(t *testing.T) {
	d := newDeployment(t, "scale", env.temporal.Address())
	rs := newRuleStore(t, d)
	k := newKafkaClient(t)
	k.createTopics(t, 12, d.topic(), d.topic()+".dlq")
	c := d.dial()
	w1 := d.startWorker("worker-1", "--rules-dsn", rs.dsn)
	in1 := d.startKafkaIngress("ingress-1", "--rules-dsn", rs.dsn)
	d.startKafkaIngress("ingress-2", "--rules-dsn", rs.dsn)

	phase1 := env.events / 2
	one := d.measure(func() { d.produceEvents(k, 0, phase1, 0) }, 0, phase1)

	d.startWorker("worker-2", "--rules-dsn", rs.dsn)
	n := phase1 + env.events
	two := d.measure(func() { d.produceEvents(k, phase1, n, 0) }, phase1, phase1+env.events/2)
	killed := time.Now()
	in1.kill(t)
	w1.kill(t)
	d.waitExecuted(n, 5*time.Minute)
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "10. scale-out: 2 ingress + 2 workers, PostgreSQL rule store, one of each SIGKILLed",
		Recovery: d.sink.longestStall(killed),
		Note:     fmt.Sprintf("throughput: 1 worker %.0f events/s, 2 workers %.0f events/s (2 ingress each)", one, two)})
}

// measure runs produce and returns the tasks executed per second from its start until the sink
// executed until tasks in all, from tasks having been executed before.
func (d *deployment) measure(produce func(), from, until int) float64 {
	d.t.Helper()
	start := time.Now()
	produce()
	d.waitExecuted(until, 5*time.Minute)
	return float64(until-from) / time.Since(start).Seconds()
}
