package rules

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
)

// evalOne evaluates one rule with the condition against ev and returns its verdict.
func evalOne(t *testing.T, ctx context.Context, env *Env, expr string, ev event.Event) Verdict {
	t.Helper()
	c, err := Compile(Rule{ID: "r", EventType: ev.Type, Condition: expr, TaskType: "shell",
		Parameters: map[string]any{"script": "/bin/true"}}, env)
	if err != nil {
		t.Fatalf("Compile(%q): %v", expr, err)
	}
	e := NewSet([]*Compiled{c}).Evaluate(ctx, ev)
	if len(e.Verdicts) != 1 {
		t.Fatalf("Evaluate gave %d verdicts, want 1", len(e.Verdicts))
	}
	return e.Verdicts[0]
}

func TestConditionEvaluation(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		payload   map[string]any
		wantIssue string // a substring of the condition error
		wantOut   bool
	}{
		{"empty condition holds", "", nil, "", true},
		{"double above int", "payload.amount > 1000", map[string]any{"amount": json.Number("1500.5")}, "", true},
		{"double below int", "payload.amount > 1000", map[string]any{"amount": json.Number("999.99")}, "", false},
		{"int above int", "payload.amount > 1000", map[string]any{"amount": json.Number("1001")}, "", true},
		{"go int", "payload.amount > 1000", map[string]any{"amount": 1001}, "", true},
		{"int against double literal", "payload.count < 2.5", map[string]any{"count": json.Number("2")}, "", true},
		{"big integer as double", "payload.id > 1e20", map[string]any{"id": json.Number("123456789012345678901234")}, "", true},
		{"string equality", "payload.status == 'SUCCESS'", map[string]any{"status": "SUCCESS"}, "", true},
		{"string inequality", "payload.status == 'SUCCESS'", map[string]any{"status": "FAILED"}, "", false},
		{"missing key is an error", "payload.amount > 1000", map[string]any{}, "no such key: amount", false},
		{"has guards a missing key", "has(payload.amount) && payload.amount > 1000", map[string]any{}, "", false},
		{"has on a present key", "has(payload.amount) && payload.amount > 1000", map[string]any{"amount": 2000}, "", true},
		{"nested path", "payload.customer.tier == 'gold'", map[string]any{"customer": map[string]any{"tier": "gold"}}, "", true},
		{"list", "payload.items.exists(i, i.sku == 's2')", map[string]any{"items": []any{map[string]any{"sku": "s1"}, map[string]any{"sku": "s2"}}}, "", true},
		{"event fields", "event.type == 'order.created' && event.priority == 'MEDIUM' && event.id == 'e1'", nil, "", true},
		{"event time", "event.time > timestamp('2025-01-01T00:00:00Z')", nil, "", true},
		{"metadata", "metadata.tenant == 't1'", nil, "", true},
		{"ext strings", "payload.status.lowerAscii() == 'success'", map[string]any{"status": "SUCCESS"}, "", true},
		{"dyn that is not a bool", "payload.flag", map[string]any{"flag": "yes"}, "condition must be a bool, got string", false},
		{"dyn that is a bool", "payload.flag", map[string]any{"flag": true}, "", true},
		{"division by zero", "payload.n / 0 > 1", map[string]any{"n": 1}, "division by zero", false},
	}
	env := testEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := event.Event{ID: "e1", Type: "order.created", Time: time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC),
				Payload: tt.payload, Metadata: map[string]any{"tenant": "t1"}}
			v := evalOne(t, t.Context(), env, tt.expr, ev)
			want := OutcomeConditionFalse
			switch {
			case tt.wantIssue != "":
				want = OutcomeConditionError
			case tt.wantOut:
				want = OutcomeMatched
			}
			if v.Outcome != want || !strings.Contains(v.Message, tt.wantIssue) {
				t.Errorf("verdict = %+v, want %s with message containing %q", v, want, tt.wantIssue)
			}
		})
	}
}

func TestConditionLimits(t *testing.T) {
	list := make([]any, 2000)
	for i := range list {
		list[i] = i
	}
	ev := event.Event{ID: "e1", Type: "x", Payload: map[string]any{"list": list}}
	heavy := "payload.list.map(x, x * 2).filter(y, y % 3 == 0).size() > 0"

	cheap, err := NewEnv(EnvOptions{CostLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if v := evalOne(t, t.Context(), cheap, heavy, ev); v.Outcome != OutcomeConditionError || !strings.Contains(v.Message, "cost limit exceeded") {
		t.Errorf("over the cost limit: verdict = %+v, want a cost limit condition error", v)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if v := evalOne(t, ctx, testEnv(t), heavy, ev); v.Outcome != OutcomeConditionError || !strings.Contains(v.Message, "interrupted") {
		t.Errorf("cancelled context: verdict = %+v, want an interrupted condition error", v)
	}
	// Within the cost limit, with time to spare: the race detector on a loaded machine can take
	// longer than the default 100 ms over 2,000 elements, and time is not what this checks.
	roomy, err := NewEnv(EnvOptions{EvalTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if v := evalOne(t, t.Context(), roomy, heavy, ev); v.Outcome != OutcomeMatched {
		t.Errorf("within limits: verdict = %+v, want matched", v)
	}
}

// TestConditionTimeBounds checks the two bounds as evaluation applies them: a condition with a
// comprehension runs under the evaluation timeout even when its cost limit would let it run on;
// one without runs without a timer, and the cost limit still stops it.
func TestConditionTimeBounds(t *testing.T) {
	list := make([]any, 3000)
	for i := range list {
		list[i] = i
	}
	ev := event.Event{ID: "e1", Type: "x", Payload: map[string]any{"list": list, "s": strings.Repeat("x", 10000)}}

	// 9 million iterations: far longer than 1 ms anywhere, and within the cost limit.
	slow, err := NewEnv(EnvOptions{CostLimit: 1 << 40, EvalTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	nested := "payload.list.all(x, payload.list.all(y, x + y >= 0))"
	if v := evalOne(t, t.Context(), slow, nested, ev); v.Outcome != OutcomeConditionError || !strings.Contains(v.Message, "deadline exceeded") {
		t.Errorf("slow comprehension: verdict = %+v, want a deadline exceeded condition error", v)
	}

	cheap, err := NewEnv(EnvOptions{CostLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	lower := "payload.s.lowerAscii() != ''"
	if v := evalOne(t, t.Context(), cheap, lower, ev); v.Outcome != OutcomeConditionError || !strings.Contains(v.Message, "cost limit exceeded") {
		t.Errorf("loop-free over the cost limit: verdict = %+v, want a cost limit condition error", v)
	}
	if v := evalOne(t, t.Context(), testEnv(t), lower, ev); v.Outcome != OutcomeMatched {
		t.Errorf("loop-free within the cost limit: verdict = %+v, want matched", v)
	}
}

func TestHasComprehension(t *testing.T) {
	env := testEnv(t)
	for expr, want := range map[string]bool{
		`payload.amount > 1000 && event.type == "order.created"`: false,
		`has(payload.x) && payload.s.lowerAscii().contains("a")`: false,
		`payload.items.exists(i, i.sku == "s2")`:                 true,
		`size(payload.items.map(i, i.n)) > 0 || false`:           true,
		`[1, 2].all(x, x > 0)`:                                   true,
	} {
		p, issues := env.compile(expr)
		if len(issues) > 0 {
			t.Fatalf("compile(%q): %v", expr, issues)
		}
		if p.loops != want {
			t.Errorf("compile(%q).loops = %v, want %v", expr, p.loops, want)
		}
	}
}

func TestConditionCompileErrors(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		wantIssue string
	}{
		{"not a bool", "payload.amount + 1", "condition: condition must be a bool, got int"},
		{"string", "'yes'", "condition: condition must be a bool, got string"},
		{"undeclared", "amount > 1", "condition:1:1: undeclared reference to 'amount'"},
		{"syntax", "payload.amount >", "condition:1:17: Syntax error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(Rule{ID: "r", EventType: "x", Condition: tt.expr, TaskType: "shell",
				Parameters: map[string]any{"script": "/bin/true"}}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantIssue) {
				t.Errorf("Compile(%q) = %v, want %q", tt.expr, err, tt.wantIssue)
			}
		})
	}
}
