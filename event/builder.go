package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// builder assembles an Event from the attributes of one message, collecting a ValidationError
// for each bad one under the name the input format uses.
type builder struct {
	body     []byte
	opts     Options
	ev       Event
	problems []error
}

func newBuilder(body []byte, opts Options) *builder {
	return &builder{
		body: body,
		opts: opts,
		ev:   Event{Payload: map[string]any{}, Metadata: map[string]any{}},
	}
}

// fail records that field is bad for reason.
func (b *builder) fail(field, reason string) {
	b.problems = append(b.problems, &ValidationError{Field: field, Reason: reason})
}

// finish fills the defaults and returns the event, or every problem found.
func (b *builder) finish() (Event, error) {
	if len(b.problems) > 0 {
		return Event{}, errors.Join(b.problems...)
	}
	if b.ev.Priority == "" {
		b.ev.Priority = PriorityMedium
	}
	if b.ev.Time.IsZero() {
		b.ev.Time = b.opts.now().UTC()
	}
	return b.ev, nil
}

// setID sets the ID, falling back to opts.DefaultID when id is empty.
func (b *builder) setID(field, id string) {
	if id == "" && b.opts.DefaultID != nil {
		id = b.opts.DefaultID(b.body)
	}
	if reason := checkID(id); reason != "" {
		b.fail(field, reason)
	}
	b.ev.ID = id
}

func (b *builder) setType(field, typ string) {
	if reason := checkType(typ); reason != "" {
		b.fail(field, reason)
	}
	b.ev.Type = typ
}

// setTime parses an RFC 3339 time; "" leaves the time to default.
func (b *builder) setTime(field, value string) {
	if value == "" {
		return
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		b.fail(field, fmt.Sprintf("must be an RFC 3339 time such as 2025-09-06T10:30:00Z (got %q)", value))
		return
	}
	b.ev.Time = t.UTC()
}

// setPriority parses a priority case-insensitively; "" leaves the priority to default.
func (b *builder) setPriority(field, value string) {
	if value == "" {
		return
	}
	p, ok := parsePriority(value)
	if !ok {
		b.fail(field, fmt.Sprintf("must be HIGH, MEDIUM or LOW (got %q)", value))
		return
	}
	b.ev.Priority = p
}

// str returns the string member name of obj; "" when it is absent or null, and a recorded
// problem when it is not a string.
func (b *builder) str(obj map[string]json.RawMessage, name string) string {
	raw, ok := obj[name]
	if !ok {
		return ""
	}
	v, err := decodeMember(raw)
	if err != nil {
		b.fail(name, err.Error())
		return ""
	}
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b.fail(name, fmt.Sprintf("must be a string, not %s", jsonKind(v)))
		return ""
	}
}

// object decodes raw and returns it as asObject does.
func (b *builder) object(field string, raw json.RawMessage) map[string]any {
	v, err := decodeMember(raw)
	if err != nil {
		b.fail(field, err.Error())
		return nil
	}
	return b.asObject(field, v)
}

// asObject returns v, decoded JSON, as an object for field; null gives an empty map, anything
// else that is not an object a recorded problem and nil.
func (b *builder) asObject(field string, v any) map[string]any {
	switch v := v.(type) {
	case nil:
		return map[string]any{}
	case map[string]any:
		return v
	default:
		b.fail(field, fmt.Sprintf("must be a JSON object, not %s", jsonKind(v)))
		return nil
	}
}

// parsePriority returns the Priority s names, ignoring case.
func parsePriority(s string) (Priority, bool) {
	switch p := Priority(strings.ToUpper(s)); p {
	case PriorityHigh, PriorityMedium, PriorityLow:
		return p, true
	}
	return "", false
}
