package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/evtrigger/evtrigger/event"
)

// values resolves placeholders against one event. It reads the event as it is, so a json.Number
// renders exactly as it was received.
type values struct {
	ev *event.Event
}

// resolve returns the value of r, or an error naming r when a field is missing.
func (v *values) resolve(r *ref) (any, error) {
	switch r.kind {
	case rootPayload:
		return walkPath(r, v.ev.Payload)
	case rootMetadata:
		return walkPath(r, v.ev.Metadata)
	}
	s, _ := v.field(r)
	return s, nil
}

// field returns the value of r when it is one of the event's own fields (a string), and false
// for payload and metadata.
func (v *values) field(r *ref) (string, bool) {
	switch r.kind {
	case rootEventID:
		return v.ev.ID, true
	case rootEventType:
		return v.ev.Type, true
	case rootTimestamp:
		return v.ev.Time.UTC().Format(time.RFC3339Nano), true
	case rootSource:
		return v.ev.Source, true
	case rootDestination:
		return v.ev.Destination, true
	case rootPriority:
		return string(eventPriority(v.ev.Priority)), true
	}
	return "", false
}

// eventPriority is p, or MEDIUM when the event did not say.
func eventPriority(p event.Priority) event.Priority {
	if p == "" {
		return event.PriorityMedium
	}
	return p
}

// walkPath follows r.path from m: a map is indexed by key, a list by an integer index.
func walkPath(r *ref, m map[string]any) (any, error) {
	if len(r.path) == 1 {
		if x, ok := m[r.path[0]]; ok { // the common case, without the loop
			return x, nil
		}
	}
	var cur any = m
	if m == nil {
		cur = map[string]any{}
	}
	for i, seg := range r.path {
		next, err := step(cur, seg)
		if err != nil {
			at := strings.Join(append([]string{r.root}, r.path[:i]...), ".")
			return nil, fmt.Errorf("%s: %s %w", r.text, at, err)
		}
		cur = next
	}
	return cur, nil
}

// step indexes one level into cur.
func step(cur any, seg string) (any, error) {
	switch c := cur.(type) {
	case map[string]any:
		if x, ok := c[seg]; ok {
			return x, nil
		}
		return nil, fmt.Errorf("has no field %q", seg)
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(c) {
			return nil, fmt.Errorf("has no index %q (a list of length %d)", seg, len(c))
		}
		return c[i], nil
	}
	rv := reflect.ValueOf(cur)
	switch {
	case rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		x := rv.MapIndex(reflect.ValueOf(seg).Convert(rv.Type().Key()))
		if !x.IsValid() {
			return nil, fmt.Errorf("has no field %q", seg)
		}
		return x.Interface(), nil
	case rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= rv.Len() {
			return nil, fmt.Errorf("has no index %q (a list of length %d)", seg, rv.Len())
		}
		return rv.Index(i).Interface(), nil
	}
	return nil, fmt.Errorf("is %s, not an object or a list: no field %q", kindOf(cur), seg)
}

// kindOf names the JSON kind of v, for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64:
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// formatValue renders v as text: strings as they are, numbers in shortest form (integers
// without exponent), booleans as true/false, null as "null", time in RFC 3339 UTC, anything
// else as compact JSON.
func formatValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return formatNumber(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "null", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x), nil
	case float32:
		return formatFloat(float64(x)), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	}
	return compactJSON(v)
}

// formatNumber renders a JSON number: an integer literal exactly as written (however long),
// anything else as formatFloat does; a malformed number as it is.
func formatNumber(n json.Number) string {
	s := n.String()
	if isIntegerLiteral(s) {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return formatFloat(f)
}

// isIntegerLiteral reports whether s is an optional minus followed by digits only.
func isIntegerLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatFloat renders integral values below 1e21 without exponent or fraction, anything else in
// the shortest form that reads back to f.
func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// compactJSON encodes v as JSON on one line, without escaping <, > and &.
func compactJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("encode as JSON: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
