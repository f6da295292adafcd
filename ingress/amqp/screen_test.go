package amqp_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
)

// Messages the Screen turns away are acknowledged without a handler call; the others are
// handled as without a Screen.
func TestScreenedMessagesAreAckedUnhandled(t *testing.T) {
	vh := amqptest.NewVhost(t)
	topo := mustTopology(t, testTopology)
	if err := topo.Declare(vh.Channel(t)); err != nil {
		t.Fatal(err)
	}
	pub := vh.NewPublisher(t)
	for i := range 30 {
		body := fmt.Sprintf("skip-%d", i)
		if i%3 == 0 {
			body = fmt.Sprintf("keep-%d", i)
		}
		pub.Publish(t, "in", "events", []byte(body), nil)
	}
	opts := testOptions(vh, topo, 4)
	var screened atomic.Int64
	opts.Screen = func(body []byte) bool {
		if bytes.HasPrefix(body, []byte("skip-")) {
			screened.Add(1)
			return true
		}
		return false
	}
	src, err := amqp.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := newCounter()
	start(t, src, func(_ context.Context, m ingress.Message) error { c.add(m); return nil })
	amqptest.Eventually(t, "the queue empty and nothing unacknowledged", func() bool {
		return vh.Depth(t, "events") == 0 && unacked(t, vh, "events") == 0
	})
	for i := range 30 {
		body, want := fmt.Sprintf("skip-%d", i), 0
		if i%3 == 0 {
			body, want = fmt.Sprintf("keep-%d", i), 1
		}
		if n, _ := c.get(body); n != want {
			t.Errorf("%s handled %d times, want %d", body, n, want)
		}
	}
	if n := screened.Load(); n != 20 {
		t.Errorf("screened %d messages, want 20", n)
	}
}
