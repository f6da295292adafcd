package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/metrics"
)

// gate holds every message until opened.
type gate chan struct{}

func (g gate) wrap(next ingress.Handler) ingress.Handler {
	return func(ctx context.Context, m ingress.Message) error {
		select {
		case <-g:
		case <-ctx.Done():
			return ctx.Err()
		}
		return next(ctx, m)
	}
}

// runKafkaSource runs a Kafka source with the stack's metrics until the test ends, wired as
// evtrigger wires it: the processor screens the records (wrap does not see those it turns away)
// and handles the others, and counts under source "kafka".
func runKafkaSource(t *testing.T, c *kafkatest.Cluster, st *testenv.Stack, group string, wrap func(ingress.Handler) ingress.Handler) *kafka.Source {
	t.Helper()
	p := ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{Source: metrics.SourceKafka, Metrics: st.Metrics})
	opts := c.SourceOptions(group, 16, "orders")
	opts.Metrics, opts.BacklogInterval, opts.Screen = st.Metrics, 50*time.Millisecond, p.Screen
	src, err := kafka.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, wrap(p.Handle)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("kafka source: %v", err)
		}
	})
	return src
}

// TestMetricsMoveByExactAmountsKafka: records through a real consumer group (kfake) count as
// received, started, duplicate and dead-lettered exactly; the backlog gauge shows the group's
// lag while records wait and drops to 0 once they are committed; the source reports ready.
func TestMetricsMoveByExactAmountsKafka(t *testing.T) {
	c := kafkatest.NewCluster(t, 3, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	g := make(gate)
	src := runKafkaSource(t, c, st, "metrics", g.wrap)
	for _, id := range []string{"k-1", "k-2", "k-3", "k-1"} { // the second k-1 is a duplicate
		c.Produce(t, "orders", []byte(id), []byte(recentOrder(id, 2000)), nil)
	}
	c.Produce(t, "orders", []byte("junk"), []byte("not json"), nil)
	url := st.API.URL + "/metrics"
	backlog := labels{"source": "kafka", "queue": "orders"}
	testenv.Eventually(t, 20*time.Second, "backlog of 5 while the records wait", func() bool {
		return scrape(t, url).value("evtrigger_queue_backlog", backlog) == 5
	})
	if err := src.Ready(context.Background()); err != nil {
		t.Errorf("Ready while consuming: %v", err)
	}
	scrape(t, url).check(t, []expect{{"evtrigger_messages_received_total", labels{"source": "kafka"}, 0}})

	close(g)
	testenv.Eventually(t, 30*time.Second, "every record committed, backlog 0", func() bool {
		e := scrape(t, url)
		return c.Committed(t, "metrics", "orders") == 5 && e.value("evtrigger_queue_backlog", backlog) == 0
	})
	testenv.Eventually(t, 30*time.Second, "the tasks of k-1, k-2, k-3 ran", func() bool {
		return sk.count("k-1/notify-inventory")+sk.count("k-2/notify-inventory")+sk.count("k-3/notify-inventory") == 3
	})
	out := func(o string) labels { return labels{"source": "kafka", "outcome": o} }
	scrape(t, url).check(t, []expect{
		{"evtrigger_messages_received_total", labels{"source": "kafka"}, 5},
		{"evtrigger_messages_processed_total", out("started"), 3},
		{"evtrigger_messages_processed_total", out("duplicate"), 1},
		{"evtrigger_messages_processed_total", out("filtered"), 0},
		{"evtrigger_messages_processed_total", out("dead_lettered"), 1},
		{"evtrigger_message_errors_total", labels{"source": "kafka", "reason": "invalid"}, 1},
		{"evtrigger_message_errors_total", labels{"source": "kafka", "reason": "unavailable"}, 0},
		{"evtrigger_message_processing_seconds", labels{"source": "kafka"}, 4},
		{"evtrigger_messages_received_total", labels{"source": "http"}, 0},
		{"evtrigger_rule_matches_total", labels{"rule": "notify-inventory"}, 3},
		{"evtrigger_tasks_triggered_total", labels{"rule": "notify-inventory", "type": "http"}, 3},
	})
	dlq := c.NewReader(t, "orders.dlq")
	testenv.Eventually(t, 10*time.Second, "one dead letter", func() bool { return len(dlq.Records()) == 1 })
}
