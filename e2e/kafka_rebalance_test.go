package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// rebalanceEvents is how many events the rebalance test sends; EVTRIGGER_E2E_REBALANCE_EVENTS
// overrides it.
func rebalanceEvents(t *testing.T) int {
	if v := os.Getenv("EVTRIGGER_E2E_REBALANCE_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return 5000
}

// TestKafkaRebalanceUnderLoad: one consumer of a group runs, a second joins mid-stream, the first
// leaves mid-stream; every event still has exactly one workflow and each task ran once.
func TestKafkaRebalanceUnderLoad(t *testing.T) {
	n := rebalanceEvents(t)
	c := kafkatest.NewCluster(t, 12, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	proc := ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{})
	publishOrders(t, c, "orders", "load", 0, n*2/5)
	first := startConsumer(t, c.SourceOptions("rebalance", 200, "orders"), proc.Handle)
	testenv.Eventually(t, 5*time.Minute, fmt.Sprintf("%d tasks before the join", n/5), func() bool { return sk.total() >= n/5 })
	startConsumer(t, c.SourceOptions("rebalance", 200, "orders"), proc.Handle) // joins
	publishOrders(t, c, "orders", "load", n*2/5, n)
	testenv.Eventually(t, 5*time.Minute, fmt.Sprintf("%d tasks before the leave", n/2), func() bool { return sk.total() >= n/2 })
	first.stop() // leaves

	waitTasks(t, sk, "load", 0, n, 10*time.Minute)
	testenv.Eventually(t, time.Minute, "every record committed", func() bool {
		return c.Committed(t, "rebalance", "orders") == int64(n)
	})
	testenv.Eventually(t, time.Minute, "one workflow per event in visibility", func() bool {
		return st.CountWorkflows(t) == int64(n)
	})
	t.Logf("%d events, %d task executions, through a join and a leave", n, sk.total())
}
