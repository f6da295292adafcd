//go:build faults

package faults

import (
	"fmt"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// decided is the prefix of the ingress's counters of messages whose fate is decided.
const decided = `evtrigger_messages_processed_total{outcome=`

// TestCase02IngressKilledMidStream SIGKILLs the Kafka ingress repeatedly while it works through
// a backlog, and starts a new one each time. Workflows started but not yet committed (commits
// run every 500 ms) are redelivered to the new process, whose starts come back as duplicates:
// nothing is lost and nothing runs twice. Recovery is the longest time from a kill until the
// new process decided its first record: mostly the consumer group's session timeout, after which
// the dead member's partitions move (10 s here, --kafka-session-timeout; the default is 45 s).
func TestCase02IngressKilledMidStream(t *testing.T) {
	sessionTimeout := []string{"--kafka-session-timeout", "10s"}
	d := newDeployment(t, "ingkill", env.temporal.Address())
	k := newKafkaClient(t)
	k.createTopics(t, 6, d.topic(), d.topic()+".dlq")
	c := d.dial()
	d.startWorker("worker")
	n := env.events
	d.produceEvents(k, 0, n, 0)
	in := d.startKafkaIngress("ingress-0", sessionTimeout...)
	const kills = 2
	var recovery time.Duration
	redelivered, started := 0.0, 0.0
	for i := 1; i <= kills; i++ {
		testenv.Eventually(t, 5*time.Minute, "the ingress got further", func() bool {
			return started+in.metric(decided+`"started"`) >= float64(n*i/(kills+1))
		})
		redelivered += in.metric(decided + `"duplicate"`)
		started += in.metric(decided + `"started"`)
		in.kill(t)
		killed := time.Now()
		in = d.startKafkaIngress(fmt.Sprintf("ingress-%d", i), sessionTimeout...)
		testenv.Eventually(t, 2*time.Minute, "the new ingress decided a record", func() bool { return in.metric(decided) > 0 })
		recovery = max(recovery, time.Since(killed))
	}
	d.waitExecuted(n, 5*time.Minute)
	redelivered += in.metric(decided + `"duplicate"`)
	if redelivered == 0 {
		t.Errorf("no start came back as a duplicate: no kill hit the window between start and commit")
	}
	d.reconcile(c, 3*time.Minute, nil, outcome{Case: "2. ingress SIGKILLed mid-stream (Kafka)", Recovery: recovery,
		Note: fmt.Sprintf("%d kills, session timeout 10 s; %v duplicate starts (uncommitted records redelivered after a kill, or starts retried after a timeout)", kills, redelivered)})
}
