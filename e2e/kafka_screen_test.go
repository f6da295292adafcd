package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestKafkaScreenDropsOnlyValidUnmatchedEvents: through a real consumer group (kfake) and a real
// Temporal server, events no rule listens to are dropped by the screen before any handling and
// committed, matched events run their tasks, and an unmatched event that is not valid still
// reaches the dead-letter topic with Parse's reason: the screen never swallows a bad event.
func TestKafkaScreenDropsOnlyValidUnmatchedEvents(t *testing.T) {
	c := kafkatest.NewCluster(t, 3, "orders", "orders.dlq")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	var handled countingHandler
	runKafkaSource(t, c, st, "screen", handled.wrap)
	for i := range 20 {
		c.Produce(t, "orders", nil, fmt.Appendf(nil, `{"messageId":"login-%d","eventType":"user.login","payload":{"u":%d}}`, i, i), nil)
	}
	c.Produce(t, "orders", nil, []byte(recentOrder("s-1", 2000)), nil)
	c.Produce(t, "orders", nil, []byte(`{"messageId":"login-bad","eventType":"user.login","priority":"URGENT"}`), nil)
	c.Produce(t, "orders", nil, []byte(recentOrder("s-2", 2000)), nil)

	testenv.Eventually(t, 30*time.Second, "all 23 records committed", func() bool {
		return handled.count() > 0 && // the group has joined: its offsets can be read
			c.Committed(t, "screen", "orders") == 23
	})
	testenv.Eventually(t, 30*time.Second, "the tasks of s-1 and s-2 ran", func() bool {
		return sk.count("s-1/notify-inventory") == 1 && sk.count("s-2/notify-inventory") == 1
	})
	dlq := c.NewReader(t, "orders.dlq")
	testenv.Eventually(t, 10*time.Second, "one dead letter", func() bool { return len(dlq.Records()) == 1 })
	if reason := kafkatest.Header(dlq.Records()[0], kafka.HeaderError); !strings.Contains(reason, `"priority"`) {
		t.Errorf("dead letter reason %q, want Parse's reason naming the priority", reason)
	}
	if n := handled.count(); n != 3 {
		t.Errorf("the handler saw %d records, want 3 (s-1, s-2 and the invalid one): the 20 valid logins are screened out", n)
	}
	out := func(o string) labels { return labels{"source": "kafka", "outcome": o} }
	scrape(t, st.API.URL+"/metrics").check(t, []expect{
		{"evtrigger_messages_received_total", labels{"source": "kafka"}, 23},
		{"evtrigger_messages_processed_total", out("filtered"), 20},
		{"evtrigger_messages_processed_total", out("started"), 2},
		{"evtrigger_messages_processed_total", out("dead_lettered"), 1},
	})
}

// countingHandler counts the records that reach the handler.
type countingHandler struct{ n atomic.Int64 }

func (h *countingHandler) wrap(next ingress.Handler) ingress.Handler {
	return func(ctx context.Context, m ingress.Message) error {
		h.n.Add(1)
		return next(ctx, m)
	}
}

func (h *countingHandler) count() int64 { return h.n.Load() }
