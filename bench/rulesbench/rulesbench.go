// Package rulesbench measures rule evaluation per event as the worker's EvaluateRules does it
// (rules.Set.Evaluate: candidates by event type, CEL conditions, rendering of the matched tasks)
// with sets of 1, 100 and 1,000 rules, of which at most 10 share the event's type. Run it with
// `go test -bench . ./bench/rulesbench`; evbench runs the same benchmark for its table.
package rulesbench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// Sizes are the rule counts measured.
var Sizes = []int{1, 100, 1000}

// SameType is the most rules sharing the event's type.
const SameType = 10

// Event is the event evaluated: an order.created whose amount matches the conditions of the
// first eight order rules.
const Event = `{"messageId":"bench-1","eventType":"order.created","source":"order-service","priority":"HIGH",
 "payload":{"orderId":"order-12345","amount":1500,"currency":"CNY"},"metadata":{"traceId":"t-1"}}`

// RulesYAML returns total rules: min(total, SameType) of them for order.created (the last two of
// those as the pattern order.*), with conditions payload.amount > 0, > 200, ... so that some
// match and some do not; the others are of other types, one in ten a pattern (team<i>.*),
// which the index must still check against every event. Each rule has an HTTP task with a
// templated body, so a match renders a task.
func RulesYAML(total int) string {
	var b strings.Builder
	b.WriteString("taskTriggerRules:\n")
	for i := range total {
		typ, cond := fmt.Sprintf("team%d.created", i), "payload.seats >= 10"
		switch {
		case i < min(total, SameType) && i >= SameType-2:
			typ, cond = "order.*", fmt.Sprintf(`payload.amount > %d && event.type == "order.created"`, i*200)
		case i < min(total, SameType):
			typ, cond = "order.created", fmt.Sprintf(`payload.amount > %d && event.type == "order.created"`, i*200)
		case i%10 == 0:
			typ = fmt.Sprintf("team%d.*", i)
		}
		fmt.Fprintf(&b, `  - ruleId: rule-%04d
    eventType: %q
    condition: '%s'
    taskType: http
    parameters:
      url: http://127.0.0.1:9/hook
      body: {orderId: "${payload.orderId}", amount: "${payload.amount}", event: "${eventId}"}
`, i, typ, cond)
	}
	return b.String()
}

// NewSet compiles RulesYAML(total) and parses Event.
func NewSet(total int) (*rules.Set, event.Event, error) {
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		return nil, event.Event{}, fmt.Errorf("cel env: %w", err)
	}
	compiled, err := rules.Parse("bench.yaml", []byte(RulesYAML(total)), env)
	if err != nil {
		return nil, event.Event{}, fmt.Errorf("compile %d rules: %w", total, err)
	}
	ev, err := event.Parse([]byte(Event), event.Options{Now: time.Now})
	if err != nil {
		return nil, event.Event{}, fmt.Errorf("parse event: %w", err)
	}
	return rules.NewSet(compiled), ev, nil
}

// Evaluate returns the benchmark of one event's evaluation against total rules.
func Evaluate(total int) func(b *testing.B) {
	return func(b *testing.B) {
		set, ev, err := NewSet(total)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		cpu := ProcessCPU()
		for b.Loop() {
			if e := set.Evaluate(ctx, ev); len(e.Verdicts) == 0 {
				b.Fatal("no candidate rule evaluated")
			}
		}
		ReportCPU(b, cpu)
	}
}
