package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestKafkaTemporalOutage stops Temporal for at least 10 s mid-stream: the source retries, commits
// nothing of the events it could not start, and once Temporal is back every event starts once.
func TestKafkaTemporalOutage(t *testing.T) {
	ctx := context.Background()
	srv, err := testenv.StartTemporal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c := kafkatest.NewCluster(t, 4, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, srv, httpRule(sk.srv.URL), testenv.Options{StartTimeout: time.Second})
	counter := newCounting(ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{}).Handle)
	startConsumer(t, c.SourceOptions("outage", 64, "orders"), counter.handle)

	publishOrders(t, c, "orders", "before", 0, 40)
	waitTasks(t, sk, "before", 0, 40, 60*time.Second)
	testenv.Eventually(t, 30*time.Second, "the first 40 committed", func() bool {
		return c.Committed(t, "outage", "orders") == 40
	})

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	publishOrders(t, c, "orders", "during", 0, 40)
	testenv.Eventually(t, 60*time.Second, "10 s of outage with retries", func() bool {
		return time.Since(down) >= 10*time.Second && counter.transientFailures() >= 20
	})
	if n := c.Committed(t, "outage", "orders"); n != 40 {
		t.Fatalf("committed %d records during the outage, want still 40", n)
	}

	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitTasks(t, sk, "during", 0, 40, 120*time.Second)
	testenv.Eventually(t, 30*time.Second, "all 80 committed", func() bool {
		return c.Committed(t, "outage", "orders") == 80
	})
	testenv.Eventually(t, 30*time.Second, "80 workflow(s) in visibility", func() bool {
		return st.CountWorkflows(t) == 80
	})
}
