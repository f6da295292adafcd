// Package metrics holds evtrigger's Prometheus collectors. New registers them on a registry the
// caller owns (there is no global registry); components receive the *Metrics through their
// Options. Every method is safe on a nil *Metrics and then does nothing, so code and tests that
// do not care about metrics pass nil.
//
// Label values are bounded: a source kind, an outcome, an error reason, a queue or topic name,
// a rule ID, a task type. Never an event ID or a payload value.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sources: the value of the source label.
const (
	SourceHTTP  = "http"
	SourceKafka = "kafka"
	SourceAMQP  = "amqp"
)

// Outcomes of a message (evtrigger_messages_processed_total{outcome}).
const (
	// OutcomeStarted: the event's workflow was started.
	OutcomeStarted = "started"
	// OutcomeDuplicate: the event's workflow already existed; nothing new ran.
	OutcomeDuplicate = "duplicate"
	// OutcomeFiltered: no enabled rule can match the event's type; nothing was started.
	OutcomeFiltered = "filtered"
	// OutcomeDeadLettered: the message can never be processed and goes to the dead letters.
	OutcomeDeadLettered = "dead_lettered"
)

// Reasons of evtrigger_message_errors_total{reason}.
const (
	ReasonInvalid         = "invalid"           // not a valid event (malformed JSON, missing field)
	ReasonTooLarge        = "too_large"         // over the size limit
	ReasonRejected        = "rejected"          // Temporal refused the start as invalid
	ReasonUnavailable     = "unavailable"       // Temporal unreachable or too slow; retried
	ReasonStartFailed     = "start_failed"      // any other failed start (configuration)
	ReasonDeadLetterWrite = "dead_letter_write" // a dead letter could not be written; retried
)

// Task outcomes (evtrigger_task_duration_seconds{outcome}), per attempt.
const (
	TaskSucceeded = "succeeded"
	// TaskRetrying: the attempt failed and Temporal retries the task.
	TaskRetrying = "retrying"
	// TaskFailed: the attempt failed and no retry follows (non-retryable, or the last attempt).
	TaskFailed = "failed"
	// TaskCanceled: the attempt was canceled (its workflow ended, or the worker stopped).
	TaskCanceled = "canceled"
)

// Metrics is evtrigger's collectors. Build it with New.
type Metrics struct {
	received       *prometheus.CounterVec
	processed      *prometheus.CounterVec
	errors         *prometheus.CounterVec
	processing     *prometheus.HistogramVec
	backlog        *prometheus.GaugeVec
	ruleMatches    *prometheus.CounterVec
	tasksTriggered *prometheus.CounterVec
	taskDuration   *prometheus.HistogramVec
	taskRetries    *prometheus.CounterVec
	triggerLatency *prometheus.HistogramVec
}

// New creates the collectors and registers them on reg. It fails when reg already holds
// collectors of the same names.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		received: counter("evtrigger_messages_received_total",
			"Messages received from a source (an HTTP request, a Kafka record, an AMQP delivery), redeliveries included.", "source"),
		processed: counter("evtrigger_messages_processed_total",
			"Messages whose fate is decided, by outcome: started, duplicate, filtered, dead_lettered.", "source", "outcome"),
		errors: counter("evtrigger_message_errors_total",
			"Errors handling messages, by reason: invalid, too_large, rejected, unavailable, start_failed, dead_letter_write.", "source", "reason"),
		processing: histogram("evtrigger_message_processing_seconds",
			"Time from a message's receipt until Temporal acknowledged its workflow start (outcomes started and duplicate).",
			[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "source"),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "evtrigger_queue_backlog",
			Help: "Messages waiting in a source: Kafka consumer lag per topic, AMQP queue depth per queue."}, []string{"source", "queue"}),
		ruleMatches: counter("evtrigger_rule_matches_total",
			"Events a rule matched (its condition held and its task rendered).", "rule"),
		tasksTriggered: counter("evtrigger_tasks_triggered_total",
			"Tasks started: first attempts of a matched rule's task.", "rule", "type"),
		taskDuration: histogram("evtrigger_task_duration_seconds",
			"Duration of one task attempt, by outcome: succeeded, retrying, failed, canceled.",
			[]float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}, "rule", "type", "outcome"),
		taskRetries: counter("evtrigger_task_retries_total",
			"Task attempts after the first.", "rule"),
		triggerLatency: histogram("evtrigger_trigger_latency_seconds",
			"Time from the event's timestamp to the start of its task's first attempt.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}, "rule"),
	}
	for _, c := range []prometheus.Collector{m.received, m.processed, m.errors, m.processing, m.backlog,
		m.ruleMatches, m.tasksTriggered, m.taskDuration, m.taskRetries, m.triggerLatency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}

// InitSource creates source's message series at zero (received, every outcome and reason), so
// they are scraped, and rates are defined, before the first message arrives.
func (m *Metrics) InitSource(source string) {
	if m == nil {
		return
	}
	m.received.WithLabelValues(source)
	for _, o := range []string{OutcomeStarted, OutcomeDuplicate, OutcomeFiltered, OutcomeDeadLettered} {
		m.processed.WithLabelValues(source, o)
	}
	for _, r := range []string{ReasonInvalid, ReasonTooLarge, ReasonRejected, ReasonUnavailable, ReasonStartFailed} {
		m.errors.WithLabelValues(source, r)
	}
	m.processing.WithLabelValues(source)
}

// MessageReceived counts one message received from source.
func (m *Metrics) MessageReceived(source string) {
	if m != nil {
		m.received.WithLabelValues(source).Inc()
	}
}

// MessageProcessed counts a message's outcome. For OutcomeStarted and OutcomeDuplicate it also
// observes the time since receivedAt in evtrigger_message_processing_seconds.
func (m *Metrics) MessageProcessed(source, outcome string, receivedAt time.Time) {
	if m == nil {
		return
	}
	m.processed.WithLabelValues(source, outcome).Inc()
	if outcome == OutcomeStarted || outcome == OutcomeDuplicate {
		m.processing.WithLabelValues(source).Observe(time.Since(receivedAt).Seconds())
	}
}

// MessageError counts an error of source with one of the Reason constants.
func (m *Metrics) MessageError(source, reason string) {
	if m != nil {
		m.errors.WithLabelValues(source, reason).Inc()
	}
}

// RuleMatched counts one event rule matched.
func (m *Metrics) RuleMatched(rule string) {
	if m != nil {
		m.ruleMatches.WithLabelValues(rule).Inc()
	}
}

// TaskStarted records the start of attempt (1-based) of rule's task of type typ: the first
// attempt counts as triggered and, when eventTime is set, observes the trigger latency; later
// attempts count as retries.
func (m *Metrics) TaskStarted(rule, typ string, attempt int32, eventTime time.Time) {
	if m == nil {
		return
	}
	if attempt > 1 {
		m.taskRetries.WithLabelValues(rule).Inc()
		return
	}
	m.tasksTriggered.WithLabelValues(rule, typ).Inc()
	if !eventTime.IsZero() {
		m.triggerLatency.WithLabelValues(rule).Observe(max(time.Since(eventTime).Seconds(), 0))
	}
}

// TaskFinished observes the duration of one attempt of rule's task with one of the Task
// outcome constants.
func (m *Metrics) TaskFinished(rule, typ, outcome string, d time.Duration) {
	if m != nil {
		m.taskDuration.WithLabelValues(rule, typ, outcome).Observe(d.Seconds())
	}
}
