//go:build faults

package faults

import (
	"context"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestCase07TemporalRestartedMidStream restarts the Temporal server (SQLite file, same port)
// twice while events flow: starts refused meanwhile are retried by the ingress (nothing
// committed before a start was acknowledged), workers reconnect, tasks and workflow tasks
// interrupted by the restart run again.
func TestCase07TemporalRestartedMidStream(t *testing.T) {
	srv, err := testenv.StartTemporal(context.Background(), caseDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	d := newDeployment(t, "trestart", srv.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	d.startKafkaIngress("ingress")
	n := env.events
	d.produceEvents(k, 0, n/2, 0)
	var first time.Time
	for i := 1; i <= 2; i++ {
		d.waitExecuted(n*i/3, 5*time.Minute)
		if first.IsZero() {
			first = time.Now()
		}
		if err := srv.Restart(context.Background()); err != nil {
			t.Fatalf("restart temporal: %v", err)
		}
		if i == 1 {
			d.produceEvents(k, n/2, n, 0)
		}
	}
	d.waitExecuted(n, 5*time.Minute)
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "7. Temporal server restarted mid-stream (twice)",
		Recovery: d.sink.longestStall(first), Note: "SIGTERM and restart on the same SQLite file and port"})
}
