package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// consumer is a Kafka source running with a handler until stopped.
type consumer struct {
	cancel context.CancelFunc
	done   chan error
}

func startConsumer(t *testing.T, opts kafka.Options, h ingress.Handler) *consumer {
	t.Helper()
	src, err := kafka.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &consumer{cancel: cancel, done: make(chan error, 1)}
	go func() { c.done <- src.Run(ctx, h) }()
	t.Cleanup(c.stop)
	return c
}

// stop cancels the consumer and waits for it to drain, commit and leave the group.
func (c *consumer) stop() {
	c.cancel()
	if err := <-c.done; err != nil {
		panic(fmt.Sprintf("kafka source: %v", err))
	}
	c.done <- nil
}

// counting wraps a handler and counts deliveries per message body's event ID and transient
// failures.
type counting struct {
	next      ingress.Handler
	mu        sync.Mutex
	delivered map[string]int
	transient int
}

func newCounting(next ingress.Handler) *counting {
	return &counting{next: next, delivered: map[string]int{}}
}

func (c *counting) handle(ctx context.Context, m ingress.Message) error {
	err := c.next(ctx, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered[string(m.Body)]++
	if errors.Is(err, ingress.ErrUnavailable) {
		c.transient++
	}
	return err
}

func (c *counting) transientFailures() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transient
}

func publishOrders(t *testing.T, c *kafkatest.Cluster, topic, prefix string, from, to int) {
	for i := from; i < to; i++ {
		id := fmt.Sprintf("%s-%05d", prefix, i)
		c.Produce(t, topic, []byte(id), []byte(orderEvent(id, 5000)), nil)
	}
}

// waitTasks waits until the sink saw every event's task, then checks each ran exactly once.
func waitTasks(t *testing.T, sk *sink, prefix string, from, to int, timeout time.Duration) {
	t.Helper()
	key := func(i int) string { return fmt.Sprintf("%s-%05d/notify-inventory", prefix, i) }
	testenv.Eventually(t, timeout, fmt.Sprintf("tasks of %s %d..%d ran", prefix, from, to), func() bool {
		for i := from; i < to; i++ {
			if sk.count(key(i)) == 0 {
				return false
			}
		}
		return true
	})
	for i := from; i < to; i++ {
		if n := sk.count(key(i)); n != 1 {
			t.Errorf("task of %s ran %d times, want 1", key(i), n)
		}
	}
}

func TestKafkaPoisonRecordsAreDeadLetteredAndThePartitionMoves(t *testing.T) {
	c := kafkatest.NewCluster(t, 1, "orders", "orders.dlq")
	dlq := c.NewReader(t, "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	proc := ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{})
	startConsumer(t, c.SourceOptions("poison", 16, "orders"), proc.Handle)

	poison := []string{`{not json`, `{"messageId":"no-type","payload":{}}`,
		`{"messageId":"huge","eventType":"order.created","payload":{"blob":"` + strings.Repeat("x", 1<<20) + `"}}`}
	for _, p := range poison {
		c.Produce(t, "orders", nil, []byte(p), map[string]string{"traceparent": "t-1"})
	}
	publishOrders(t, c, "orders", "after-poison", 0, 5) // behind the poison, same partition
	waitTasks(t, sk, "after-poison", 0, 5, 60*time.Second)
	testenv.Eventually(t, 30*time.Second, "3 dead letters", func() bool { return len(dlq.Records()) == 3 })
	wantReason := []string{"malformed", `"eventType": is required`, "too large"}
	for _, r := range dlq.Records() { // concurrent handling: in any order
		var i int
		if _, err := fmt.Sscan(kafkatest.Header(r, kafka.HeaderOriginalOffset), &i); err != nil || i < 0 || i > 2 {
			t.Fatalf("dead letter with original offset %q", kafkatest.Header(r, kafka.HeaderOriginalOffset))
		}
		if !strings.HasPrefix(poison[i], string(r.Value)) || len(r.Value) == 0 {
			t.Errorf("dead letter %d body %.40q, want %.40q", i, r.Value, poison[i])
		}
		if got := kafkatest.Header(r, kafka.HeaderError); !strings.Contains(got, wantReason[i]) {
			t.Errorf("dead letter %d reason %q, want it to mention %q", i, got, wantReason[i])
		}
		if kafkatest.Header(r, kafka.HeaderOriginalTopic) != "orders" || kafkatest.Header(r, kafka.HeaderOriginalPartition) != "0" ||
			kafkatest.Header(r, "traceparent") != "t-1" {
			t.Errorf("dead letter %d headers: %v", i, r.Headers)
		}
		if i == 2 && (kafkatest.Header(r, kafka.HeaderTruncated) != fmt.Sprint(len(poison[2])) || len(r.Value) != kafka.TruncatedSize) {
			t.Errorf("huge dead letter: %d bytes, truncated header %q", len(r.Value), kafkatest.Header(r, kafka.HeaderTruncated))
		}
	}
	testenv.Eventually(t, 30*time.Second, "every record committed", func() bool {
		return c.Committed(t, "poison", "orders") == 8
	})
}

// TestKafkaCrashBetweenStartAndCommit: the workflow start succeeded but the consumer died before
// committing; the next consumer gets the record again, the start is a duplicate, the task ran once.
func TestKafkaCrashBetweenStartAndCommit(t *testing.T) {
	c := kafkatest.NewCluster(t, 1, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	proc := ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{})
	started := make(chan struct{})
	crashing := func(ctx context.Context, m ingress.Message) error {
		if err := proc.Handle(ctx, m); err != nil {
			return err
		}
		close(started)
		<-ctx.Done() // the process dies before the offset is committed
		return ctx.Err()
	}
	first := startConsumer(t, c.SourceOptions("crash", 4, "orders"), crashing)
	publishOrders(t, c, "orders", "crash", 0, 1)
	<-started
	first.stop()
	if n := c.Committed(t, "crash", "orders"); n != 0 {
		t.Fatalf("committed %d records although the handler never finished", n)
	}

	counter := newCounting(proc.Handle)
	startConsumer(t, c.SourceOptions("crash", 4, "orders"), counter.handle)
	waitTasks(t, sk, "crash", 0, 1, 60*time.Second)
	testenv.Eventually(t, 30*time.Second, "the redelivered record is committed", func() bool {
		return c.Committed(t, "crash", "orders") == 1
	})
	if n := counter.delivered[orderEvent("crash-00000", 5000)]; n != 1 {
		t.Fatalf("redelivered %d times to the second consumer, want 1", n)
	}
	testenv.Eventually(t, 30*time.Second, "1 workflow(s) in visibility", func() bool {
		return st.CountWorkflows(t) == 1
	})
}
