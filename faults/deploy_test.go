//go:build faults

package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/internal/testenv"
)

// deployment is one case's evtrigger: its names (topic, group, task queue, event ID prefix, all
// the case's own), its rules file calling the sink, and the processes it starts.
type deployment struct {
	t        *testing.T
	name     string
	temporal string // the Temporal frontend's address
	sink     *sink
	rules    string // rules file
	// events are the IDs of the events sent, in order; expect says which ones must reach
	// the sink (all when nil).
	mu     sync.Mutex
	events []string
	start  time.Time
}

// sinkRule is the one rule of most cases: every faults.order event of the case posts its ID
// to the sink, with retries, so a task whose worker died runs again elsewhere.
const sinkRule = `taskTriggerRules:
  - ruleId: sink
    eventType: faults.order
    taskType: http
    parameters:
      url: %s/task/%s
      method: POST
      body: {id: "${eventId}"}
    timeout: 10s
    retry: {maxAttempts: 100, initialInterval: 200ms, maxInterval: 2s}
`

// newDeployment prepares a case: its sink and rules file; temporal is the server's address.
func newDeployment(t *testing.T, name, temporal string) *deployment {
	d := &deployment{t: t, name: name, temporal: temporal, sink: newSink(t), start: time.Now()}
	d.rules = filepath.Join(caseDir(t), "rules.yaml")
	if err := os.WriteFile(d.rules, []byte(fmt.Sprintf(sinkRule, d.sink.srv.URL, name)), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// caseDir is the test's directory for logs and files, fresh in each run (under the run's
// directory, which is kept for the logs).
func caseDir(t *testing.T) string {
	dir := filepath.Join(env.dir, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// taskQueue, topic and group are the case's own names.
func (d *deployment) taskQueue() string { return "faults-" + d.name }
func (d *deployment) topic() string     { return "faults-" + d.name }
func (d *deployment) group() string     { return "faults-" + d.name }

// eventID is the ID of the case's event n.
func (d *deployment) eventID(n int) string { return fmt.Sprintf("%s-%05d", d.name, n) }

// event is the JSON of event n (it matches the sink rule), padded with pad bytes of
// whitespace, which the parser drops but the broker and the ingress's buffers carry.
func (d *deployment) event(n, pad int) []byte {
	body := fmt.Sprintf(`{"messageId":%q,"eventType":"faults.order","source":"faults","payload":{"n":%d}}`, d.eventID(n), n)
	if pad > 0 {
		body += strings.Repeat(" ", pad)
	}
	return []byte(body)
}

// sent records that event IDs were sent (once each, whatever the copies).
func (d *deployment) sent(ids ...string) {
	d.mu.Lock()
	d.events = append(d.events, ids...)
	d.mu.Unlock()
}

// startWorker starts `evtrigger worker` on the case's task queue; extra flags follow.
func (d *deployment) startWorker(name string, extra ...string) *proc {
	args := append([]string{"worker", "--temporal-address", d.temporal, "--task-queue", d.taskQueue(),
		"--rules", d.rules, "--operator-wait", "0"}, extra...)
	return startProc(d.t, name, "--metrics-addr", args...)
}

// startKafkaIngress starts `evtrigger ingress` consuming the case's topic in the case's group.
func (d *deployment) startKafkaIngress(name string, extra ...string) *proc {
	args := append([]string{"ingress", "--temporal-address", d.temporal, "--task-queue", d.taskQueue(),
		"--rules", d.rules, "--kafka-brokers", strings.Join(env.kafka.ListenAddrs(), ","),
		"--kafka-topics", d.topic(), "--kafka-group", d.group()}, extra...)
	return startProc(d.t, name, "--http-addr", args...)
}

// sentIDs returns the IDs sent so far.
func (d *deployment) sentIDs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.events...)
}

// taskKey is the Idempotency-Key of event id's sink task.
func taskKey(id string) string { return id + "/sink" }

// waitExecuted waits until the sink executed n tasks of the case.
func (d *deployment) waitExecuted(n int, within time.Duration) {
	d.t.Helper()
	testenv.Eventually(d.t, within, fmt.Sprintf("%d tasks executed at the sink", n), func() bool {
		return d.sink.executed() >= n
	})
}

// produceEvents produces the case's events from..to-1 (keyed by ID, pad bytes of padding each)
// and records them as sent.
func (d *deployment) produceEvents(k *kafkaClient, from, to, pad int) {
	recs := make([]*kgo.Record, 0, to-from)
	for i := from; i < to; i++ {
		recs = append(recs, record(d.topic(), d.eventID(i), d.event(i, pad)))
		d.sent(d.eventID(i))
	}
	k.produce(d.t, recs...)
}
