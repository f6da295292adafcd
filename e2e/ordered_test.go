package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/workflows"
)

// orderSink is the HTTP task target of ordered tasks: it records, per ordering key, the
// sequence numbers in the order their tasks arrived, and the tasks in flight, per key and in
// all. Each request takes a random 0-40 ms.
type orderSink struct {
	mu          sync.Mutex
	seen        map[string][]int
	inFlight    map[string]int
	overlapKey  int // most tasks of one key at once
	overlapAll  int // most tasks at once
	inFlightAll int
	srv         *httptest.Server
}

func newOrderSink(t *testing.T) *orderSink {
	s := &orderSink{seen: map[string][]int{}, inFlight: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Key string      `json:"key"`
			Seq json.Number `json:"seq"` // the template renders a number as a JSON number
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		seq, err := strconv.Atoi(body.Seq.String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.enter(body.Key, seq)
		defer s.leave(body.Key)
		if !testenv.Work(r, time.Duration(rand.IntN(40))*time.Millisecond) { // the task's random duration
			http.Error(w, "caller gone", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *orderSink) enter(key string, seq int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[key] = append(s.seen[key], seq)
	s.inFlight[key]++
	s.inFlightAll++
	s.overlapKey = max(s.overlapKey, s.inFlight[key])
	s.overlapAll = max(s.overlapAll, s.inFlightAll)
}

func (s *orderSink) leave(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight[key]--
	s.inFlightAll--
}

func (s *orderSink) done(keys, perKey int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range keys {
		if len(s.seen[fmt.Sprintf("K%d", k)]) < perKey {
			return false
		}
	}
	return true
}

const orderedRule = `taskTriggerRules:
  - ruleId: ship-in-order
    eventType: order.updated
    orderBy: payload.orderId
    taskType: http
    parameters:
      url: %s/ship
      body: {key: "${payload.orderId}", seq: "${payload.seq}"}
    retry: {maxAttempts: 3, initialInterval: 100ms}
`

// TestOrderedPerKey: 200 events over 10 keys, keyed onto 4 partitions and handled 32 at a time:
// per key the sink sees the tasks one at a time in the order the events were produced, while
// the tasks of different keys overlap.
func TestOrderedPerKey(t *testing.T) {
	const keys, perKey = 10, 20
	c := kafkatest.NewCluster(t, 4, "updates")
	sk := newOrderSink(t)
	st := testenv.NewStack(t, temporal, fmt.Sprintf(orderedRule, sk.srv.URL), testenv.Options{})
	proc := ingress.NewProcessor(st.Starter, ingress.ProcessorOptions{})
	startConsumer(t, c.SourceOptions("ordered", 32, "updates"), proc.Handle)

	producer, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers()...)) // partitions by key
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(producer.Close)
	prefix := fmt.Sprintf("ord-%d", time.Now().UnixNano())
	for seq := range perKey {
		for k := range keys {
			key := fmt.Sprintf("K%d", k)
			id := fmt.Sprintf("%s-%s-%02d", prefix, key, seq)
			body := fmt.Sprintf(`{"messageId":%q,"eventType":"order.updated","payload":{"orderId":%q,"seq":%d}}`, id, key, seq)
			if err := producer.ProduceSync(t.Context(), &kgo.Record{Topic: "updates", Key: []byte(key), Value: []byte(body)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	testenv.Eventually(t, 3*time.Minute, "every ordered task reached the sink", func() bool { return sk.done(keys, perKey) })

	sk.mu.Lock()
	for k := range keys {
		key := fmt.Sprintf("K%d", k)
		if got := sk.seen[key]; !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != perKey {
			t.Errorf("key %s: the sink saw seq %v, want 0..%d in order", key, got, perKey-1)
		}
	}
	if sk.overlapKey != 1 {
		t.Errorf("up to %d tasks of one key ran at once, want 1", sk.overlapKey)
	}
	if sk.overlapAll < 2 {
		t.Errorf("tasks of different keys never overlapped (at most %d at once)", sk.overlapAll)
	}
	sk.mu.Unlock()

	last := fmt.Sprintf("%s-K3-%02d", prefix, perKey-1)
	status, err := workflowResult(t, st, last)
	if err != nil {
		t.Fatalf("workflow of %s: %v", last, err)
	}
	if len(status.Tasks) != 1 || status.Tasks[0].OrderKey != "K3" || status.Tasks[0].State != workflows.TaskSucceeded {
		t.Errorf("status of %s: %+v, want one succeeded task with order key K3", last, status.Tasks)
	}
	recordOrderedHistories(t, st, event.WorkflowID(last))
}

// recordOrderedHistories replays (and with EVTRIGGER_UPDATE_HISTORY keeps) the histories of an
// ordered event's workflow and of its key's sequencer.
func recordOrderedHistories(t *testing.T, st *testenv.Stack, workflowID string) {
	keepHistory(t, fetchHistory(t, st.Client, workflowID), "event_workflow_ordered.json")
	keepHistory(t, fetchHistory(t, st.Client, workflows.SequencerWorkflowID("ship-in-order", "K3")), "key_sequencer.json")
}
