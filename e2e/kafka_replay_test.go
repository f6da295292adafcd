package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestKafkaReplay replays a topic with known contents: 4 events that match the rule (2 of them
// already started), 2 that do not, 1 that is not an event.
func TestKafkaReplay(t *testing.T) {
	ctx := context.Background()
	c := kafkatest.NewCluster(t, 2, "orders")
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	for i := 0; i < 4; i++ {
		id := fmt.Sprintf("replay-%05d", i)
		c.Produce(t, "orders", []byte(id), []byte(orderEvent(id, 5000)), nil)
	}
	c.Produce(t, "orders", nil, []byte(orderEvent("small-1", 5)), nil)
	c.Produce(t, "orders", nil, []byte(orderEvent("small-2", 5)), nil)
	c.Produce(t, "orders", nil, []byte(`{not an event`), nil)
	for _, id := range []string{"replay-00000", "replay-00001"} { // these already fired
		ev, err := event.Parse([]byte(orderEvent(id, 5000)), event.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Starter.Start(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	rng := kafka.RangeOptions{Conn: kafka.Conn{Brokers: c.Brokers()}, Topic: "orders"}
	replay := func(dry bool) ingress.ReplayReport {
		r := ingress.NewReplayer(st.Rules, st.Client, st.Starter, dry)
		n, err := kafka.ReadRange(ctx, rng, r.Handle)
		if err != nil || n != 7 {
			t.Fatalf("read %d records, %v; want 7", n, err)
		}
		return r.Report()
	}

	dry := replay(true)
	if got := *dry.Rules["notify-inventory"]; got != (ingress.RuleReplay{WouldFire: 4, DidFire: 2}) ||
		dry.Records != 7 || dry.Invalid != 1 || dry.Unmatched != 2 || dry.Started != 0 {
		t.Fatalf("dry run: %+v, rule %+v", dry, got)
	}
	testenv.Eventually(t, 30*time.Second, "only the 2 earlier workflows exist", func() bool { return st.CountWorkflows(t) == 2 })

	wet := replay(false)
	if wet.Started != 2 || wet.Rules["notify-inventory"].DidFire != 2 {
		t.Fatalf("replay: %+v", wet)
	}
	waitTasks(t, sk, "replay", 0, 4, 60*time.Second)
	again := replay(false)
	if again.Started != 0 || *again.Rules["notify-inventory"] != (ingress.RuleReplay{WouldFire: 4, DidFire: 4}) {
		t.Fatalf("second replay (idempotent): %+v", again)
	}

	rng.FromTime = time.Now().Add(time.Hour) // after every record
	if n, err := kafka.ReadRange(ctx, rng, ingress.NewReplayer(st.Rules, st.Client, st.Starter, true).Handle); err != nil || n != 0 {
		t.Fatalf("from a time after every record: read %d, %v", n, err)
	}
	rng.FromTime, rng.FromOffset = time.Time{}, 3 // partitions hold offsets 0..3 and 0..2
	if n, err := kafka.ReadRange(ctx, rng, ingress.NewReplayer(st.Rules, st.Client, st.Starter, true).Handle); err != nil || n != 1 {
		t.Fatalf("from offset 3: read %d, %v; want 1", n, err)
	}
}
