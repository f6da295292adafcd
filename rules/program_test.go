package rules

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"cel.dev/cel-go/cel"

	"github.com/evtrigger/evtrigger/event"
)

func TestProgramCounted(t *testing.T) {
	env := testEnv(t)
	for expr, want := range map[string]bool{
		`payload.amount > 1000 && event.type == "order.created"`:      false,
		`has(payload.status) && payload.status == 'SUCCESS' || !true`: false,
		`payload.s.lowerAscii() == 'x'`:                               true, // costs the size of payload.s
		`payload.a + payload.b == 'x'`:                                true,
		`payload.items.exists(i, i.sku == 's2')`:                      true,
		`payload.s.matches('a+')`:                                     true,
	} {
		p, issues := env.compile(expr)
		if len(issues) > 0 {
			t.Fatalf("compile(%q): %v", expr, issues)
		}
		if p.counted != want {
			t.Errorf("compile(%q).counted = %v, want %v", expr, p.counted, want)
		}
	}
	tight, err := NewEnv(EnvOptions{CostLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tight.compile(`payload.amount > 1000 && event.type == "order.created"`); p == nil || !p.counted {
		t.Errorf("with a cost limit below the estimate, the program must count its cost")
	}
}

// TestUncountedCostWithinEstimate checks what leaving a program uncounted relies on: over
// events large and small, the cost CEL counts for it stays within its estimate, and so within
// the cost limit.
func TestUncountedCostWithinEstimate(t *testing.T) {
	env := testEnv(t)
	big := strings.Repeat("x", 1<<20)
	many := map[string]any{}
	for i := range 10000 {
		many[strconv.Itoa(i)] = i
	}
	payloads := []map[string]any{
		nil,
		{"amount": json.Number("1500"), "status": "SUCCESS", "s": "a", "list": []any{1}},
		{"amount": json.Number("1e400"), "status": big, "s": big, "list": make([]any, 100000), "m": many},
		{"amount": big, "status": json.Number("3"), "s": []any{big, big}},
	}
	exprs := []string{
		`payload.amount > 1000 && event.type == "order.created"`,
		`has(payload.status) && payload.status == 'SUCCESS' || payload.s != 'y'`,
		`payload.status in ['a', 'b', 'c'] && event.source == 'svc' && metadata.x == 1`,
		`size(payload.list) > 3 && has(payload.m.k) && size(payload.m) < 9`,
		`payload.s.startsWith('ab') || payload.status.endsWith('z')`,
		`event.time > timestamp('2025-01-01T00:00:00Z') && event.priority == 'HIGH'`,
	}
	for _, expr := range exprs {
		ast, iss := env.cel.Compile(expr)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		est, err := env.cel.EstimateCost(ast, unknownSizes{})
		if err != nil || est.Max > env.costLimit {
			t.Errorf("%s: estimate %v, %v; want a bound within %d", expr, est, err, env.costLimit)
			continue
		}
		counting, err := env.cel.Program(ast, cel.CostLimit(env.costLimit), cel.EvalOptions(cel.OptOptimize))
		if err != nil {
			t.Fatal(err)
		}
		for i, payload := range payloads {
			ev := event.Event{ID: "e", Type: "order.created", Payload: payload, Metadata: payload}
			_, det, err := counting.Eval(&activation{ev: &ev, adapter: env.adapter})
			if err != nil && strings.Contains(err.Error(), "cost limit") {
				t.Errorf("%s, payload %d: %v", expr, i, err)
				continue
			}
			if got := *det.ActualCost(); got > est.Max {
				t.Errorf("%s, payload %d: cost %d, more than the estimate %d", expr, i, got, est.Max)
			}
		}
	}
}
