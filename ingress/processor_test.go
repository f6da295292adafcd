package ingress_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/rules"
)

const screenRule = `taskTriggerRules:
  - ruleId: notify
    eventType: order.created
    taskType: http
    parameters: {url: "http://127.0.0.1:1/x", method: POST}
`

// newScreeningProcessor returns a processor whose starter has the one rule of screenRule and
// never reaches Temporal (Screen does not start workflows), and the metrics it counts in.
func newScreeningProcessor(t *testing.T, opts ingress.StarterOptions) (*ingress.Processor, *prometheus.Registry) {
	t.Helper()
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := rules.Parse("rules.yaml", []byte(screenRule), env)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	starter := ingress.NewStarter(nil, rules.NewStatic(rules.NewSet(compiled)), opts)
	return ingress.NewProcessor(starter, ingress.ProcessorOptions{Source: metrics.SourceKafka, Metrics: m}), reg
}

func TestScreenTurnsAwayOnlyValidUnmatchedEvents(t *testing.T) {
	p, reg := newScreeningProcessor(t, ingress.StarterOptions{})
	tests := []struct {
		name, body string
		want       bool
	}{
		{"valid, no rule for its type", `{"messageId":"m1","eventType":"user.login","payload":{"a":1}}`, true},
		{"valid, a rule for its type", `{"messageId":"m2","eventType":"order.created"}`, false},
		{"malformed: left for Handle to dead-letter", `{"messageId":"m3","eventType":"user.login"`, false},
		{"invalid priority: left for Handle to dead-letter", `{"messageId":"m4","eventType":"user.login","priority":"URGENT"}`, false},
		{"no messageId: the default ID is Handle's", `{"eventType":"user.login"}`, false},
	}
	for _, tt := range tests {
		if got := p.Screen([]byte(tt.body)); got != tt.want {
			t.Errorf("%s: Screen = %v, want %v", tt.name, got, tt.want)
		}
	}
	if n := counterValue(t, reg, "evtrigger_messages_processed_total", metrics.OutcomeFiltered); n != 1 {
		t.Errorf("filtered count %v, want 1 (the one screened out)", n)
	}
	if n := counterValue(t, reg, "evtrigger_messages_received_total", ""); n != 1 {
		t.Errorf("received count %v, want 1 (Handle counts the others)", n)
	}
}

// counterValue returns the value of the counter name of the kafka source whose outcome label is
// outcome (or that has none, for ""); 0 when there is none.
func counterValue(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["source"] == metrics.SourceKafka && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestScreenTurnsAwayNothingWhenUnmatchedEventsAreRecorded(t *testing.T) {
	p, _ := newScreeningProcessor(t, ingress.StarterOptions{RecordUnmatched: true})
	if p.Screen([]byte(`{"messageId":"m1","eventType":"user.login"}`)) {
		t.Error("Screen turned an event away although RecordUnmatched starts a workflow for it")
	}
}
