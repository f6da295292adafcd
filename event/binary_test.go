package event

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func ceHeader(contentType string, extra ...string) http.Header {
	h := http.Header{}
	h.Set("Ce-Specversion", "1.0")
	h.Set("Ce-Id", "ce-1")
	h.Set("Ce-Source", "/orders")
	h.Set("Ce-Type", "order.created")
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

func TestParseBinary(t *testing.T) {
	tests := []struct {
		name      string
		header    http.Header
		body      string
		want      Event
		wantErr   error
		wantField string
	}{
		{
			name: "headers and JSON data",
			header: ceHeader("application/json; charset=utf-8", "Ce-Time", "2025-09-06T10:30:00Z",
				"Ce-Subject", "order-12345", "CE-TraceParent", "00-abc%20def", "ce-priority", "Low"),
			body: `{"orderId":"order-12345","amount":10}`,
			want: Event{
				ID: "ce-1", Type: "order.created", Source: "/orders", Priority: PriorityLow,
				Time:    time.Date(2025, 9, 6, 10, 30, 0, 0, time.UTC),
				Payload: map[string]any{"orderId": "order-12345", "amount": json.Number("10")},
				Metadata: map[string]any{"subject": "order-12345", "traceparent": "00-abc def",
					"priority": "Low", "datacontenttype": "application/json; charset=utf-8"},
			},
		},
		{
			name:   "empty body, +json type",
			header: ceHeader("application/cloudevents+json"),
			want: Event{ID: "ce-1", Type: "order.created", Source: "/orders", Priority: PriorityMedium,
				Time: fixedNow.UTC(), Payload: map[string]any{},
				Metadata: map[string]any{"datacontenttype": "application/cloudevents+json"}},
		},
		{
			name: "no content type means JSON", header: ceHeader(""), body: `{"a":1}`,
			want: Event{ID: "ce-1", Type: "order.created", Source: "/orders", Priority: PriorityMedium,
				Time: fixedNow.UTC(), Payload: map[string]any{"a": json.Number("1")}, Metadata: map[string]any{}},
		},
		{name: "non-JSON content type", header: ceHeader("text/plain"), body: `hello`, wantField: "datacontenttype"},
		{name: "data not an object", header: ceHeader("application/json"), body: `[1]`, wantField: "data"},
		{name: "malformed data", header: ceHeader("application/json"), body: `{"a":`, wantErr: ErrMalformed},
		{name: "spec version 0.3", header: ceHeader("", "Ce-Specversion", "0.3"), wantField: "specversion"},
		{name: "missing type", header: ceHeader("", "Ce-Type", ""), wantField: "type"},
		{name: "bad percent-encoding", header: ceHeader("", "Ce-Id", "a%zz"), wantField: "id"},
		{name: "too large", header: ceHeader("application/json"), body: `{"a":"` + string(make([]byte, DefaultMaxSize)) + `"}`, wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBinary(tt.header, []byte(tt.body), testOptions())
			checkErr(t, err, tt.wantErr, tt.wantField)
			if err == nil && tt.wantErr == nil && tt.wantField == "" && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseBinary() =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestIsBinaryMode(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   bool
	}{
		{"canonical", http.Header{"Ce-Specversion": {"1.0"}}, true},
		{"lower case key", http.Header{"ce-specversion": {"1.0"}}, true},
		{"structured request", http.Header{"Content-Type": {"application/cloudevents+json"}}, false},
		{"other ce header only", http.Header{"Ce-Id": {"x"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsBinaryMode(tt.header); got != tt.want {
				t.Errorf("IsBinaryMode() = %v, want %v", got, tt.want)
			}
		})
	}
}
