package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// decodeObject decodes body, which must be exactly one JSON object, into its members.
// The error wraps ErrMalformed. A well-formed object takes one pass of json.Unmarshal, which
// validates the whole body; anything else takes the strict decoder, whose errors say where the
// body went wrong.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err == nil && obj != nil {
		return obj, nil
	}
	var raw json.RawMessage
	if err := decodeStrict(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if raw = bytes.TrimLeft(raw, " \t\r\n"); raw[0] != '{' {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil { // cannot happen: raw is valid JSON
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return nil, fmt.Errorf("%w: body must be a JSON object, not %s", ErrMalformed, jsonKind(v))
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return obj, nil
}

// decodeMember decodes one member of an object decodeObject returned, numbers as json.Number.
// The member is one well-formed JSON value already, so a string without escapes is sliced out
// rather than decoded.
func decodeMember(raw json.RawMessage) (any, error) {
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	if string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// plainString returns the string a well-formed JSON string literal holds when it has no escape
// sequence and is valid UTF-8 (json.Unmarshal would replace invalid bytes); ok is false otherwise.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}

// decodeValue decodes one JSON value, numbers as json.Number.
func decodeValue(raw []byte) (any, error) {
	var v any
	if err := decodeStrict(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeStrict decodes data into v with numbers as json.Number, refusing an empty input and
// anything after the first value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty body")
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("%w (at byte %d)", err, syn.Offset)
		}
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("unexpected data after the JSON value at byte %d", end)
	}
	return nil
}

// jsonKind names the JSON kind of a value decoded with UseNumber, for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
