package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/evtrigger/evtrigger/event"
)

const orderedRules = `taskTriggerRules:
  - {ruleId: by-order, eventType: order.*, orderBy: payload.orderId, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: by-customer, eventType: order.created, orderBy: "payload.customer.id", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: by-amount, eventType: order.created, orderBy: payload.amount, condition: "false", taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: by-flag, eventType: order.created, orderBy: payload.flag, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: off, eventType: order.created, orderBy: payload.orderId, enabled: false, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: other-type, eventType: payment.done, orderBy: payload.orderId, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: unordered, eventType: order.created, taskType: shell, parameters: {script: /bin/true}}
`

func TestOrderKeys(t *testing.T) {
	cs, err := Parse("ordered.yaml", []byte(orderedRules), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	s := NewSet(cs)
	ev := event.Event{ID: "e1", Type: "order.created",
		Payload: map[string]any{"orderId": "A-1", "amount": json.Number("42"), "flag": true}}
	got := s.OrderKeys(t.Context(), ev)
	want := []OrderKey{
		// A condition that is false does not matter: the workflow decides the match.
		{RuleID: "by-amount", Key: "42"},
		{RuleID: "by-customer", Error: "orderBy: no such key: customer"},
		{RuleID: "by-flag", Error: "orderBy: the key must be a string or a number, got bool"},
		{RuleID: "by-order", Key: "A-1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OrderKeys =\n%+v\nwant\n%+v", got, want)
	}
	e := s.Evaluate(t.Context(), ev)
	for _, m := range e.Matched {
		if wantOrdered := m.RuleID != "unordered"; m.Ordered != wantOrdered {
			t.Errorf("match %s: Ordered = %v, want %v", m.RuleID, m.Ordered, wantOrdered)
		}
	}
	if keys := s.OrderKeys(t.Context(), event.Event{ID: "e2", Type: "ship.sent"}); keys != nil {
		t.Errorf("OrderKeys of an event no ordered rule listens to = %+v, want nil", keys)
	}
	if keys := loadSet(t).OrderKeys(t.Context(), ev); keys != nil {
		t.Errorf("OrderKeys of a set without orderBy = %+v, want nil", keys)
	}
}

func TestOrderKeyLimits(t *testing.T) {
	c, err := Compile(Rule{ID: "r", EventType: "x", OrderBy: "payload.k", TaskType: "shell",
		Parameters: map[string]any{"script": "/bin/true"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet([]*Compiled{c})
	for _, tt := range []struct {
		key  any
		want OrderKey
	}{
		{"", OrderKey{RuleID: "r", Error: "orderBy: the key is empty"}},
		{strings.Repeat("k", MaxOrderKeyLen), OrderKey{RuleID: "r", Key: strings.Repeat("k", MaxOrderKeyLen)}},
		{strings.Repeat("k", MaxOrderKeyLen+1), OrderKey{RuleID: "r", Error: "orderBy: the key has 513 bytes, more than 512"}},
		{json.Number("7"), OrderKey{RuleID: "r", Key: "7"}},
		{json.Number("7.5"), OrderKey{RuleID: "r", Key: "7.5"}},
	} {
		got := s.OrderKeys(t.Context(), event.Event{ID: "e", Type: "x", Payload: map[string]any{"k": tt.key}})
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("key %.20v: OrderKeys = %+v, want %+v", tt.key, got, tt.want)
		}
	}
}

func TestOrderByCompileErrors(t *testing.T) {
	for _, tt := range []struct{ expr, wantIssue string }{
		{"payload.amount > 1", "orderBy: orderBy must be a string, int, uint or double, got bool"},
		{"orderId", "orderBy:1:1: undeclared reference to 'orderId'"},
		{"payload.", "orderBy:1:9: Syntax error"},
	} {
		_, err := Compile(Rule{ID: "r", EventType: "x", OrderBy: tt.expr, TaskType: "shell",
			Parameters: map[string]any{"script": "/bin/true"}}, nil)
		if err == nil || !strings.Contains(err.Error(), tt.wantIssue) {
			t.Errorf("Compile(orderBy %q) = %v, want %q", tt.expr, err, tt.wantIssue)
		}
	}
	// From YAML, the issue is at the offending character in the file.
	_, err := Parse("bad.yaml", []byte("- ruleId: r\n  eventType: x\n  orderBy: payload.a +\n  taskType: shell\n  parameters: {script: /bin/true}\n"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), `bad.yaml:3:23: rule "r": orderBy: Syntax error`) {
		t.Errorf("Parse = %v, want the syntax error at bad.yaml:3:23 (the end of the expression)", err)
	}
}
