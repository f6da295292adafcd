package event

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Limits on the ID and Type of an event, in bytes.
const (
	maxIDLen   = 255
	maxTypeLen = 255
)

// ValidationError says why one field of an event is invalid. Parse, ParseBinary and Validate
// return it as a *ValidationError (one per bad field, joined with errors.Join); find it with
// errors.As and a *ValidationError target.
type ValidationError struct {
	// Field names the field as the input spells it: "eventType" for the seed envelope, "type"
	// for CloudEvents and for Validate.
	Field string
	// Reason says what is wrong, such as "is required".
	Reason string
}

// Error returns, for example, `invalid event: field "eventType": is required`.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid event: field %q: %s", e.Field, e.Reason)
}

// Validate checks the rules every Event must satisfy: ID required, at most 255 bytes, valid
// UTF-8 without whitespace or other non-printable characters (it becomes part of a workflow ID);
// Type required, at most 255 bytes, dot-separated words of letters, digits, '_' and '-'
// ("order.created"); Priority exactly HIGH, MEDIUM or LOW. It returns nil or one
// *ValidationError per bad field ("id", "type", "priority"), joined with errors.Join.
func (e Event) Validate() error {
	var problems []error
	add := func(field, reason string) {
		if reason != "" {
			problems = append(problems, &ValidationError{Field: field, Reason: reason})
		}
	}
	add("id", checkID(e.ID))
	add("type", checkType(e.Type))
	switch e.Priority {
	case PriorityHigh, PriorityMedium, PriorityLow:
	default:
		add("priority", fmt.Sprintf("must be HIGH, MEDIUM or LOW (got %q)", e.Priority))
	}
	return errors.Join(problems...)
}

// checkID returns why id is not a valid event ID, or "".
func checkID(id string) string {
	if id == "" {
		return "is required"
	}
	if len(id) > maxIDLen {
		return fmt.Sprintf("is %d bytes long, more than the %d allowed", len(id), maxIDLen)
	}
	if visibleASCII(id) { // the common case, without decoding runes
		return ""
	}
	if !utf8.ValidString(id) {
		return "must be valid UTF-8"
	}
	for i, r := range id {
		switch {
		case unicode.IsSpace(r):
			return fmt.Sprintf("must not contain whitespace (%U at byte %d)", r, i)
		case !unicode.IsPrint(r):
			return fmt.Sprintf("must not contain non-printable characters (%U at byte %d)", r, i)
		}
	}
	return ""
}

// visibleASCII reports whether s has only ASCII letters, digits and punctuation ('!' to '~'):
// printable, no whitespace.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// checkType returns why typ is not a valid event type, or "".
func checkType(typ string) string {
	if typ == "" {
		return "is required"
	}
	if len(typ) > maxTypeLen {
		return fmt.Sprintf("is %d bytes long, more than the %d allowed", len(typ), maxTypeLen)
	}
	wordStart := true // at the start of a word: a dot here would make an empty word
	for i := 0; i < len(typ); i++ {
		switch c := typ[i]; {
		case c == '.' && !wordStart:
			wordStart = true
		case typeChar(c):
			wordStart = false
		default:
			return badType(typ)
		}
	}
	if wordStart { // ends with a dot
		return badType(typ)
	}
	return ""
}

func badType(typ string) string {
	return fmt.Sprintf("must be dot-separated words of letters, digits, '_' and '-' such as \"order.created\" (got %q)", typ)
}

// typeChar reports whether the byte c may appear in a word of an event type: an ASCII letter
// or digit, '_' or '-' (a byte of a multi-byte rune never may).
func typeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
