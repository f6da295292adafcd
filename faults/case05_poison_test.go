//go:build faults

package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// poisonHeader names a poison record, so its dead letter can be found.
const poisonHeader = "x-faults-poison"

// TestCase05PoisonMessages mixes poison records into the stream (bad JSON, no event type, a
// 2 MiB payload): every one is dead-lettered to <topic>.dlq with its reason, and every valid
// event around them runs its task once.
func TestCase05PoisonMessages(t *testing.T) {
	d := newDeployment(t, "poison", env.temporal.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	in := d.startKafkaIngress("ingress")
	n := env.events
	kinds := map[string]func(i int) []byte{
		"bad-json": func(i int) []byte { return []byte(fmt.Sprintf(`{"messageId":"poison-%d","eventType":`, i)) },
		"no-type":  func(i int) []byte { return []byte(fmt.Sprintf(`{"messageId":"poison-%d","payload":{}}`, i)) },
		"2mib": func(i int) []byte {
			return []byte(fmt.Sprintf(`{"messageId":"poison-%d","eventType":"faults.order","payload":{"blob":"%s"}}`,
				i, strings.Repeat("x", 2<<20)))
		},
	}
	order := []string{"bad-json", "no-type", "2mib"}
	poison := map[string]string{} // poison ID -> kind
	var recs []*kgo.Record
	for i := range n {
		recs = append(recs, record(d.topic(), d.eventID(i), d.event(i, 0)))
		d.sent(d.eventID(i))
		if i%40 == 20 { // 50 poison records per 2,000 events, every 40th
			kind := order[len(poison)%len(order)]
			id := fmt.Sprintf("poison-%d", i)
			poison[id] = kind
			r := record(d.topic(), id, kinds[kind](i))
			r.Headers = []kgo.RecordHeader{{Key: poisonHeader, Value: []byte(id)}}
			recs = append(recs, r)
		}
	}
	k.produce(t, recs...)
	d.waitExecuted(n, 5*time.Minute)
	testenv.Eventually(t, time.Minute, "every poison record dead-lettered", func() bool {
		return in.metric(`evtrigger_messages_processed_total{outcome="dead_lettered"`) >= float64(len(poison))
	})
	got := map[string]int{}
	for _, r := range k.readAll(t, d.topic()+".dlq") {
		got[header(r, poisonHeader)]++
	}
	for id, kind := range poison {
		if got[id] == 0 {
			t.Errorf("poison record %s (%s) is not in %s.dlq", id, kind, d.topic())
		}
	}
	if extra := len(got) - len(poison); extra > 0 || got[""] > 0 {
		t.Errorf("dead letters that are not poison: %v", got)
	}
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "5. poison records mixed in (bad JSON, no type, 2 MiB)",
		Note: fmt.Sprintf("%d poison records, %d in the dead-letter topic", len(poison), len(got))})
}
