//go:build faults

package faults

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestCase06RabbitMQRestartedMidStream restarts RabbitMQ (stop_app, start_app) while the
// ingress consumes a backlog, a third of it decided; the last events are published after the
// restart. Deliveries unacknowledged when the connection dropped return to the queue; their
// starts come back as duplicates. Recovery is the time from stop_app until the ingress decided
// a record again.
func TestCase06RabbitMQRestartedMidStream(t *testing.T) {
	vh := amqptest.NewExclusiveVhost(t)
	d := newDeployment(t, "amqp", env.temporal.Address())
	topology, err := filepath.Abs("../deploy/rabbitmq/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo, err := amqp.LoadTopology(topology)
	if err != nil {
		t.Fatal(err)
	}
	if err := topo.Declare(vh.Channel(t)); err != nil { // so events can be published before the ingress runs
		t.Fatal(err)
	}
	c := d.dial()
	d.startWorker("worker")
	in := startProc(t, "ingress", "--http-addr", "ingress", "--temporal-address", d.temporal, "--task-queue", d.taskQueue(),
		"--rules", d.rules, "--amqp-url", vh.URL(), "--amqp-topology", topology)
	n := env.events
	publish := func(from, to int) {
		pub := vh.NewPublisher(t)
		for i := from; i < to; i++ {
			pub.Publish(t, "business.event.exchange", "order.created", d.event(i, 0), nil)
			d.sent(d.eventID(i))
		}
	}
	publish(0, n*9/10)
	testenv.Eventually(t, 5*time.Minute, "the ingress decided a third of the backlog", func() bool {
		return in.metric(decided) >= float64(n/3)
	})
	before := in.metric(decided)
	stopped := time.Now()
	amqptest.RestartBroker(t, func() {})
	testenv.Eventually(t, 2*time.Minute, "the ingress decided a record after the restart", func() bool {
		return in.metric(decided) > before
	})
	recovery := time.Since(stopped)
	publish(n*9/10, n)
	d.waitExecuted(n, 5*time.Minute)
	if left := vh.Depth(t, "schedule.task.queue"); left != 0 {
		t.Errorf("%d messages left in schedule.task.queue", left)
	}
	if dead := vh.Depth(t, "schedule.dlx.queue"); dead != 0 {
		t.Errorf("%d dead letters", dead)
	}
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "6. RabbitMQ restarted mid-stream", Recovery: recovery,
		Note: fmt.Sprintf("restart with %v of %d queued events decided; %v decided twice (duplicate starts); the last %d published after",
			before, n*9/10, in.metric(decided+`"duplicate"`), n-n*9/10)})
}
