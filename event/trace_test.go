package event

import (
	"strings"
	"testing"
)

func TestTraceID(t *testing.T) {
	for _, tc := range []struct {
		name string
		meta map[string]any
		want string
	}{
		{"traceId", map[string]any{"traceId": "trace-abcdef-123456"}, "trace-abcdef-123456"},
		{"traceparent", map[string]any{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"traceId wins", map[string]any{"traceId": "t1", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, "t1"},
		{"bad traceparent", map[string]any{"traceparent": "garbage"}, ""},
		{"not a string", map[string]any{"traceId": 42}, ""},
		{"long", map[string]any{"traceId": strings.Repeat("x", 300)}, strings.Repeat("x", 128)},
		{"none", nil, ""},
	} {
		if got := (Event{Metadata: tc.meta}).TraceID(); got != tc.want {
			t.Errorf("%s: TraceID() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
