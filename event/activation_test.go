package event

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestActivation(t *testing.T) {
	when := time.Date(2025, 9, 6, 10, 30, 0, 0, time.UTC)
	ev := Event{
		ID: "m1", Type: "order.created", Source: "order-service", Destination: "platform",
		Time: when, Priority: PriorityHigh,
		Payload: map[string]any{
			"int": json.Number("42"), "neg": json.Number("-7"), "float": json.Number("999.99"),
			"intlike": json.Number("1.0"), "big": json.Number("12345678901234567890123"),
			"huge": json.Number("1e400"), "s": "x", "ok": true, "none": nil,
			"nested": map[string]any{"list": []any{json.Number("1"), json.Number("2.5"), map[string]any{"n": json.Number("3")}}},
		},
	}
	want := map[string]any{
		"id": "m1", "type": "order.created", "source": "order-service", "destination": "platform",
		"time": when, "priority": "HIGH",
		"payload": map[string]any{
			"int": int64(42), "neg": int64(-7), "float": 999.99, "intlike": 1.0,
			"big": 1.2345678901234568e22, "huge": "1e400", "s": "x", "ok": true, "none": nil,
			"nested": map[string]any{"list": []any{int64(1), 2.5, map[string]any{"n": int64(3)}}},
		},
		"metadata": map[string]any{},
	}
	got := ev.Activation()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Activation() =\n%#v\nwant\n%#v", got, want)
	}
	got["payload"].(map[string]any)["nested"].(map[string]any)["list"].([]any)[0] = "changed"
	if n := ev.Payload["nested"].(map[string]any)["list"].([]any)[0]; n != json.Number("1") {
		t.Errorf("changing the activation changed the event: %#v", n)
	}
}
