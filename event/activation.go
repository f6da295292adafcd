package event

import "encoding/json"

// Activation returns, as a copy, the values rule conditions (CEL) and templates see for the
// event (package rules reads them from the event itself, converting numbers the same way):
//
//	{"id": string, "type": string, "source": string, "destination": string,
//	 "time": time.Time, "priority": string, "payload": map[string]any, "metadata": map[string]any}
//
// payload and metadata are deep copies, never nil, in which every json.Number is an int64
// when it is an integer that fits, otherwise a float64 (so 12345678901234567890123 becomes an
// approximate float64, and 1.0 a float64); a number too large even for float64 stays a string.
// Nested objects and arrays are copied the same way; the event itself is not changed.
func (e Event) Activation() map[string]any {
	return map[string]any{
		"id":          e.ID,
		"type":        e.Type,
		"source":      e.Source,
		"destination": e.Destination,
		"time":        e.Time,
		"priority":    string(e.Priority),
		"payload":     activationMap(e.Payload),
		"metadata":    activationMap(e.Metadata),
	}
}

// activationMap deep-copies m converting its numbers; nil gives an empty map.
func activationMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = activationValue(v)
	}
	return out
}

// activationValue deep-copies one decoded JSON value converting its numbers.
func activationValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		return activationNumber(v)
	case map[string]any:
		return activationMap(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = activationValue(x)
		}
		return out
	default:
		return v
	}
}

// activationNumber converts n to int64 when it is an integer that fits, else to float64, else
// (out of float64 range) leaves it as its string.
func activationNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	if f, err := n.Float64(); err == nil {
		return f
	}
	return n.String()
}
