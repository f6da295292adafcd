package rules

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/evtrigger/evtrigger/event"
)

// TestActivationAgreesWithCopy checks that conditions read the event through activation exactly
// as they read the converted copy ev.Activation() returns: the same value or the same error.
func TestActivationAgreesWithCopy(t *testing.T) {
	payload := map[string]any{
		"int": json.Number("1500"), "frac": json.Number("1500.5"), "one": json.Number("1.0"),
		"exp": json.Number("1e3"), "neg": json.Number("-7"),
		"big": json.Number("123456789012345678901234"), "huge": json.Number("1e400"),
		"goint": 42, "s": "SUCCESS", "flag": true, "null": nil,
		"list":     []any{json.Number("1"), json.Number("2.5"), "x", []any{json.Number("3")}, json.Number("-1e400")},
		"customer": map[string]any{"tier": "gold", "score": json.Number("9"), "tags": []any{"a"}, "huge": json.Number("2e999")},
	}
	exprs := []string{
		"payload.int", "payload.frac", "payload.one", "payload.exp", "payload.neg", "payload.big",
		"payload.huge", "payload.goint", "payload.s", "payload.flag", "payload['null']",
		"type(payload.int)", "type(payload.one)", "type(payload.huge)",
		"payload.int > 1000", "payload.frac > 1500", "payload.big > 1e20", "payload.huge == '1e400'",
		"payload.list", "payload.list[1] > 2", "payload.list[3][0] == 3", "payload.list[4]", "type(payload.customer.huge)", "size(payload.list)",
		"payload.list.exists(x, type(x) == double)", "payload.list.map(x, type(x))",
		"payload.customer", "payload.customer.score + 1", "payload.customer == {'tier': 'gold', 'score': 9, 'tags': ['a'], 'huge': '2e999'}",
		"payload.customer.tags[0]", "payload.customer.all(k, k in ['tier', 'score', 'tags', 'huge'])", "has(payload.customer.tier)",
		"payload.missing > 1", "payload.customer.missing", "payload.list[9]", "payload.s.size()",
		"event.payload.int == payload.int", "event.payload", "event.metadata", "metadata",
		"event.id", "event.type", "event.source", "event.destination", "event.time", "event.priority",
		"size(event)", "event.missing", "event.payload.list[4]", "event.payload.customer.huge",
		"payload.customer.exists(k, payload.customer[k] == '2e999')", "[payload.huge][0]", "{'a': payload.list}.a[4]",
		"payload.list.filter(x, true)[4]", "dyn(payload.customer).huge", "payload.list + [1]", "payload.customer.huge",
		// event is read field by field (eventValue); everything else sees the map of all fields.
		"event", "event == event", "dyn(event) == dyn(event)", "'type' in event", "'nope' in event", "has(event.type)",
		"has(event.nope)", "has(event.payload.int)", "event['type']", "event['nope']", "dyn(event)[1]", "event.size()",
		"event.exists(k, k == 'type')", "event.all(k, k != '')", "event.map(k, k).size()", "event.filter(k, k == 'id')",
		"event.exists(k, event[k] == 'order.created')", "{'a': event}.a.type", "[event][0].source", "dyn(event).priority",
		"string(event.time)", "event.time > timestamp('2000-01-01T00:00:00Z')", "event.payload.customer.tier", "event.nope.x",
		"event == {'id': 'e1'}", "event != {}", "{'x': event} == {'x': event}", "[event] == [event]", "event.type.startsWith('order')",
		"event.payload.list.exists(x, type(x) == double)", "event.metadata.n + 1", "has(event.metadata.tenant)",
		"type(event)", "type(event.time)", "type(event.priority)", "event.destination == ''",
		"event.exists(k, k == 'destination' && event[k] == '')",
		"payload.int + payload.int", "payload.s + payload.s", "payload == payload", "'nope' in payload", "has(payload.nope)",
		"payload['nope']", "dyn(payload)[1]", "size(payload)", "payload.exists(k, k == 'int')", "{'a': payload}.a.int",
		"type(payload)", "payload.int.x", "payload.s.x", "payload.customer.tier.x", "payload.exists(k, payload[k] == 1500)",
		"metadata.tenant", "metadata == {'tenant': 't1', 'n': 5}", "metadata.nope", "has(metadata.tenant)",
	}
	env := testEnv(t)
	if _, ok := env.adapter.(numberAdapter); !ok {
		t.Fatalf("the environment's adapter is a %T, not a numberAdapter", env.adapter)
	}
	for _, ev := range []event.Event{
		{ID: "e1", Type: "order.created", Source: "s", Time: time.Date(2025, 9, 6, 0, 0, 0, 0, time.UTC),
			Priority: event.PriorityHigh, Payload: payload, Metadata: map[string]any{"tenant": "t1", "n": json.Number("5")}},
		{ID: "e2", Type: "x", Payload: payload},
	} {
		// shared serves every expression of the event in turn, as one activation serves the
		// conditions of one event: what it converted for one must not change the next.
		shared := &activation{ev: &ev, adapter: env.adapter}
		for _, expr := range exprs {
			t.Run(fmt.Sprintf("%s/%s", ev.ID, expr), func(t *testing.T) {
				ast, iss := env.cel.Compile(expr)
				if iss.Err() != nil {
					t.Fatal(iss.Err())
				}
				prg, err := env.cel.Program(ast)
				if err != nil {
					t.Fatal(err)
				}
				optimized, err := env.cel.Program(ast, cel.EvalOptions(cel.OptOptimize)) // as rules builds them
				if err != nil {
					t.Fatal(err)
				}
				a := ev.Activation()
				a["priority"] = string(eventPriority(ev.Priority))
				copied, _, copyErr := prg.Eval(map[string]any{"event": a, "payload": a["payload"], "metadata": a["metadata"]})
				for i, p := range []cel.Program{prg, optimized, prg, optimized} {
					act := &activation{ev: &ev, adapter: env.adapter}
					if i >= 2 {
						act = shared
					}
					got, _, gotErr := p.Eval(act)
					if fmt.Sprint(gotErr) != fmt.Sprint(copyErr) {
						t.Fatalf("error %v, the copy gives %v", gotErr, copyErr)
					}
					if gotErr != nil {
						continue
					}
					if got.Equal(copied) != types.True {
						t.Errorf("value %v (%s), the copy gives %v (%s)", got, got.Type(), copied, copied.Type())
					}
					if got.Type() != copied.Type() {
						t.Errorf("type %s, the copy gives %s", got.Type(), copied.Type())
					}
				}
			})
		}
	}
}
