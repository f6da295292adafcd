//go:build faults

package faults

import (
	"testing"
	"time"
)

// TestCase03WorkerKilledMidTask runs two workers while each task takes 300 ms at the sink, and
// SIGKILLs one worker, then (after it came back) the other, with tasks in flight. The tasks of
// a dead worker time out and run again on the other worker with the same Idempotency-Key (a
// retried attempt the sink deduplicates): no task is lost, none executes twice.
func TestCase03WorkerKilledMidTask(t *testing.T) {
	d := newDeployment(t, "wkill", env.temporal.Address())
	d.sink.setDelay(300 * time.Millisecond)
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	workers := []*proc{d.startWorker("worker-a"), d.startWorker("worker-b")}
	d.startKafkaIngress("ingress")
	n := env.events
	d.produceEvents(k, 0, n, 0)
	var firstKill time.Time
	for i, w := range workers {
		d.waitExecuted(n*(i+1)/3, 5*time.Minute)
		w.kill(t)
		if firstKill.IsZero() {
			firstKill = time.Now()
		}
		if i == 0 {
			workers[0] = d.startWorker("worker-a2")
		}
	}
	d.waitExecuted(n, 5*time.Minute)
	o := d.reconcile(c, 3*time.Minute, nil, outcome{Case: "3. worker SIGKILLed mid-task (2 workers)",
		Recovery: d.sink.longestStall(firstKill), Note: "2 kills; tasks take 300 ms, task timeout 10 s"})
	if o.Retried == 0 {
		t.Errorf("no task was retried: no kill hit a task in flight")
	}
}
