package event

import "strings"

// maxTraceIDLen caps a trace ID taken from metadata, so a hostile value cannot bloat logs and
// search attributes.
const maxTraceIDLen = 128

// TraceID returns the event's trace ID: Metadata["traceId"] when it is a non-empty string, else
// the trace-id field of a W3C Metadata["traceparent"] ("00-<trace-id>-<parent-id>-<flags>"),
// else "". A value longer than 128 bytes is cut there.
func (e Event) TraceID() string {
	if id, ok := e.Metadata["traceId"].(string); ok && id != "" {
		return truncate(id, maxTraceIDLen)
	}
	if tp, ok := e.Metadata["traceparent"].(string); ok {
		parts := strings.Split(tp, "-")
		if len(parts) >= 4 && len(parts[1]) == 32 {
			return parts[1]
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
