package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestNilMetricsDoNothing(t *testing.T) {
	var m *Metrics
	m.InitSource(SourceHTTP)
	m.MessageReceived(SourceHTTP)
	m.MessageProcessed(SourceHTTP, OutcomeStarted, time.Now())
	m.MessageError(SourceHTTP, ReasonInvalid)
	m.SetBacklog(SourceKafka, "t", 1)
	m.DeleteBacklog(SourceKafka, "t")
	m.RuleMatched("r")
	m.TaskStarted("r", "shell", 1, time.Now())
	m.TaskFinished("r", "shell", TaskSucceeded, time.Second)
	m.ReportBacklog(t.Context(), SourceKafka, time.Millisecond, nil, nil) // returns at once
	select {
	case <-m.StartBacklog(t.Context(), SourceKafka, time.Millisecond, nil, nil):
	case <-time.After(10 * time.Second):
		t.Fatal("StartBacklog on nil metrics did not stop at once")
	}
}

func TestNewRefusesASecondRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg); err == nil {
		t.Fatal("second New on one registry: no error")
	}
}

func TestInitSourceCreatesZeroSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.InitSource(SourceKafka)
	// received, 4 outcomes, 5 reasons, the histogram
	if n := len(collect(t, m.received)) + len(collect(t, m.processed)) + len(collect(t, m.errors)) + len(collect(t, m.processing)); n != 1+4+5+1 {
		t.Errorf("series after InitSource = %d, want 11", n)
	}
	if v := value(t, m.processed.WithLabelValues(SourceKafka, OutcomeDeadLettered)); v != 0 {
		t.Errorf("dead_lettered = %v", v)
	}
}

func TestTaskStartedCountsFirstAttemptsAndRetries(t *testing.T) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	m.TaskStarted("r", "http", 1, time.Now().Add(-time.Second))
	m.TaskStarted("r", "http", 2, time.Now())
	m.TaskStarted("r", "http", 3, time.Now())
	m.TaskStarted("r", "http", 1, time.Time{}) // no event time: no latency
	if v := value(t, m.tasksTriggered.WithLabelValues("r", "http")); v != 2 {
		t.Errorf("triggered = %v, want 2", v)
	}
	if v := value(t, m.taskRetries.WithLabelValues("r")); v != 2 {
		t.Errorf("retries = %v, want 2", v)
	}
	if n := len(collect(t, m.triggerLatency)); n != 1 {
		t.Fatalf("latency series = %d", n)
	}
}

func TestMessageProcessedObservesOnlyStarts(t *testing.T) {
	m, err := New(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{OutcomeStarted, OutcomeDuplicate, OutcomeFiltered, OutcomeDeadLettered} {
		m.MessageProcessed(SourceHTTP, o, time.Now())
	}
	ms := collect(t, m.processing)
	if count := ms[0].GetHistogram().GetSampleCount(); len(ms) != 1 || count != 2 {
		t.Errorf("processing observations = %d, want 2 (started, duplicate)", count)
	}
}
