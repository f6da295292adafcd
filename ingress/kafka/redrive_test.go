package kafka_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

func TestRedriveRepublishesDeadLettersOnce(t *testing.T) {
	ctx := context.Background()
	c := kafkatest.NewCluster(t, 1, "orders", "orders.dlq")
	huge := `{"messageId":"huge","payload":{"blob":"` + strings.Repeat("x", 200<<10) + `"}}`
	c.Produce(t, "orders", nil, []byte(huge), nil) // orders/0@0, the original of a truncated dead letter
	dl := func(value string, extra map[string]string) {
		h := map[string]string{kafka.HeaderError: "bug #12", kafka.HeaderOriginalTopic: "orders",
			kafka.HeaderOriginalPartition: "0", kafka.HeaderOriginalOffset: "0", "traceparent": "t-9"}
		for k, v := range extra {
			h[k] = v
		}
		c.Produce(t, "orders.dlq", []byte("k-"+value[:8]), []byte(value), h)
	}
	dl(`{"messageId":"a"}`, nil)
	dl(`{"messageId":"b"}`, nil)
	dl(huge[:kafka.TruncatedSize], map[string]string{kafka.HeaderTruncated: "204850"})
	c.Produce(t, "orders.dlq", nil, []byte("no origin"), nil)

	orders := c.NewReader(t, "orders")
	opts := kafka.RedriveOptions{Conn: kafka.Conn{Brokers: c.Brokers()}, Topic: "orders.dlq", Rate: 1000}
	rep, err := kafka.Redrive(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (kafka.RedriveReport{Redriven: 3, Skipped: 1}) {
		t.Fatalf("report %+v, want 3 redriven and 1 skipped", rep)
	}
	testenv.Eventually(t, 30*time.Second, "the original and 3 redriven records in orders", func() bool { return len(orders.Records()) == 4 })
	redriven := orders.Records()[1:]
	for _, r := range redriven {
		if kafkatest.Header(r, kafka.HeaderError) != "" || kafkatest.Header(r, kafka.HeaderOriginalTopic) != "" {
			t.Errorf("redriven record keeps dead-letter headers: %v", r.Headers)
		}
		if kafkatest.Header(r, "traceparent") != "t-9" || !strings.HasPrefix(kafkatest.Header(r, kafka.HeaderRedrivenFrom), "orders.dlq/0@") {
			t.Errorf("redriven record headers: %v", r.Headers)
		}
	}
	if string(redriven[0].Value) != `{"messageId":"a"}` || string(redriven[1].Value) != `{"messageId":"b"}` {
		t.Errorf("redriven values %q, %q", redriven[0].Value, redriven[1].Value)
	}
	if string(redriven[2].Value) != huge {
		t.Errorf("the truncated dead letter was redriven with %d bytes, want the original's %d", len(redriven[2].Value), len(huge))
	}
	if n := c.Committed(t, "evtrigger-redrive", "orders.dlq"); n != 4 {
		t.Fatalf("redrive committed %d, want 4", n)
	}
	again, err := kafka.Redrive(ctx, opts)
	if err != nil || again != (kafka.RedriveReport{}) {
		t.Fatalf("second redrive: %+v, %v; want nothing to do", again, err)
	}
}
