package amqp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/metrics"
)

// TestBacklogIsTheQueueDepth: the backlog is the consumed queues' ready messages, and a running
// source reports it as evtrigger_queue_backlog{source="amqp"} until its queue drained.
func TestBacklogIsTheQueueDepth(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	for i := range 10 {
		pub.Publish(t, "in", "events", fmt.Appendf(nil, "m-%d", i), nil)
	}
	reg := metrics.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(vh, topo, 2) // two in flight, eight stay ready while the handler holds

	opts.Metrics, opts.BacklogInterval = m, 20*time.Millisecond
	src, err := amqp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	depths, err := src.Backlog(context.Background())
	if err != nil || depths["events"] != 10 {
		t.Fatalf("backlog %v, %v; want events=10", depths, err)
	}
	release := make(chan struct{})
	start(t, src, func(ctx context.Context, _ ingress.Message) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	amqptest.Eventually(t, "the gauge reports the 8 messages waiting", func() bool { v, ok := backlogGauge(t, reg); return ok && v == 8 })
	close(release)
	amqptest.Eventually(t, "the gauge drops to 0 once consumed", func() bool { v, ok := backlogGauge(t, reg); return ok && v == 0 })
}

// backlogGauge reads evtrigger_queue_backlog{source="amqp",queue="events"} from reg.
func backlogGauge(t *testing.T, reg *prometheus.Registry) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "evtrigger_queue_backlog" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range mt.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["source"] == metrics.SourceAMQP && labels["queue"] == "events" {
				return mt.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}
