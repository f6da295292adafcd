package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/ingress/kafka/kafkatest"
	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/task"
)

// TestOutcomesPublishedToKafka: with an outcome topic, every task's outcomes reach it keyed by
// event ID: triggered then succeeded, or triggered then failed with the error.
func TestOutcomesPublishedToKafka(t *testing.T) {
	c := kafkatest.NewCluster(t, 2, "schedule-tasks")
	topic := c.NewReader(t, "schedule-tasks")
	pub, err := kafka.NewOutcomePublisher(kafka.Conn{Brokers: c.Brokers()}, "schedule-tasks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	ok := newSink(t)
	missing := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(missing.Close)
	rules := httpRule(ok.srv.URL) + `  - ruleId: always-404
    eventType: order.created
    taskType: http
    parameters: {url: "` + missing.URL + `/missing", acceptStatus: [200]}
`
	st := testenv.NewStack(t, temporal, rules, testenv.Options{Outcomes: pub})
	id := fmt.Sprintf("msg-outcome-%d", time.Now().UnixNano()) // unique: the server outlives -count runs
	if code, out := st.PostEvent(t, orderEvent(id, 5000)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	byRule := func() map[string][]task.Outcome {
		m := map[string][]task.Outcome{}
		for _, r := range topic.Records() {
			var o task.Outcome
			if err := json.Unmarshal(r.Value, &o); err != nil || string(r.Key) != o.EventID {
				t.Fatalf("record %q key %q: %v", r.Value, r.Key, err)
			}
			m[o.RuleID] = append(m[o.RuleID], o)
		}
		return m
	}
	testenv.Eventually(t, 60*time.Second, "4 outcomes", func() bool { return len(topic.Records()) == 4 })
	got := byRule()
	statuses := func(os []task.Outcome) string {
		var s []string
		for _, o := range os {
			s = append(s, string(o.Status))
		}
		return strings.Join(s, ",")
	}
	// One event's outcomes share a key, so a partition: their order is the order published.
	if statuses(got["notify-inventory"]) != "triggered,succeeded" || statuses(got["always-404"]) != "triggered,failed" {
		t.Fatalf("outcomes: %+v", got)
	}
	for _, o := range got["always-404"] {
		if o.Status == task.OutcomeFailed && !strings.Contains(o.Error, "404") {
			t.Errorf("failed outcome without the status: %+v", o)
		}
	}
}
