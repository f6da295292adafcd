package event

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestParseStructured(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		want      Event
		wantField string
	}{
		{
			name: "extensions and data",
			input: `{"specversion":"1.0","id":"ce-1","source":"/orders","type":"com.example.order.created",
				"time":"2025-09-06T10:30:00.5Z","subject":"order-12345","datacontenttype":"application/json",
				"dataschema":"https://example.com/order.json","traceparent":"00-abc-def-01","retries":3,
				"priority":"high","data":{"orderId":"order-12345","amount":999.99,"lines":[{"qty":2}]}}`,
			want: Event{
				ID: "ce-1", Type: "com.example.order.created", Source: "/orders", Priority: PriorityHigh,
				Time: time.Date(2025, 9, 6, 10, 30, 0, 500_000_000, time.UTC),
				Payload: map[string]any{"orderId": "order-12345", "amount": json.Number("999.99"),
					"lines": []any{map[string]any{"qty": json.Number("2")}}},
				Metadata: map[string]any{"subject": "order-12345", "datacontenttype": "application/json",
					"dataschema": "https://example.com/order.json", "traceparent": "00-abc-def-01",
					"retries": json.Number("3"), "priority": "high"},
			},
		},
		{
			name:  "no data, no time",
			input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t"}`,
			want: Event{ID: "ce-1", Type: "t", Source: "s", Priority: PriorityMedium, Time: fixedNow.UTC(),
				Payload: map[string]any{}, Metadata: map[string]any{}},
		},
		{
			name:  "data_base64 holding JSON",
			input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","data_base64":"eyJhIjoxfQ=="}`,
			want: Event{ID: "ce-1", Type: "t", Source: "s", Priority: PriorityMedium, Time: fixedNow.UTC(),
				Payload: map[string]any{"a": json.Number("1")}, Metadata: map[string]any{}},
		},
		{name: "missing source", input: `{"specversion":"1.0","id":"ce-1","type":"t"}`, wantField: "source"},
		{name: "missing id", input: `{"specversion":"1.0","source":"s","type":"t"}`, wantField: "id"},
		{name: "bad type", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"a b"}`, wantField: "type"},
		{name: "specversion 0.3", input: `{"specversion":"0.3","id":"ce-1","source":"s","type":"t"}`, wantField: "specversion"},
		{name: "bad time", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","time":"now"}`, wantField: "time"},
		{name: "data as array", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","data":[1]}`, wantField: "data"},
		{name: "bad priority extension", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","priority":"urgent"}`, wantField: "priority"},
		{name: "subject not a string", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","subject":1}`, wantField: "subject"},
		{name: "data and data_base64", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","data":{},"data_base64":"e30="}`, wantField: "data_base64"},
		{name: "data_base64 not JSON", input: `{"specversion":"1.0","id":"ce-1","source":"s","type":"t","datacontenttype":"text/plain","data_base64":"aGk="}`, wantField: "data_base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.input), testOptions())
			checkErr(t, err, nil, tt.wantField)
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse() =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestParseStructuredDataMessage(t *testing.T) {
	_, err := Parse([]byte(`{"specversion":"1.0","id":"ce-1","source":"s","type":"t","data":"text"}`), testOptions())
	want := `invalid event: field "data": must be a JSON object, not a string`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
