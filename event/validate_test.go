package event

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestValidate(t *testing.T) {
	valid := Event{ID: "msg-1", Type: "order.created", Priority: PriorityMedium}
	tests := []struct {
		name      string
		modify    func(*Event)
		wantField string
	}{
		{"valid", func(*Event) {}, ""},
		{"ID of 255 bytes", func(e *Event) { e.ID = strings.Repeat("x", 255) }, ""},
		{"unicode ID", func(e *Event) { e.ID = "订单-1" }, ""},
		{"type with _ and -", func(e *Event) { e.Type = "Order_v2.created-now" }, ""},
		{"empty ID", func(e *Event) { e.ID = "" }, "id"},
		{"ID of 256 bytes", func(e *Event) { e.ID = strings.Repeat("x", 256) }, "id"},
		{"ID with tab", func(e *Event) { e.ID = "a\tb" }, "id"},
		{"ID with control character", func(e *Event) { e.ID = "a\x00b" }, "id"},
		{"ID with no-break space", func(e *Event) { e.ID = "a\u00a0b" }, "id"},
		{"ID not UTF-8", func(e *Event) { e.ID = "a\xffb" }, "id"},
		{"empty type", func(e *Event) { e.Type = "" }, "type"},
		{"type with space", func(e *Event) { e.Type = "order created" }, "type"},
		{"type ending in dot", func(e *Event) { e.Type = "order." }, "type"},
		{"type starting with dot", func(e *Event) { e.Type = ".order" }, "type"},
		{"type with two dots in a row", func(e *Event) { e.Type = "order..created" }, "type"},
		{"type of one dot", func(e *Event) { e.Type = "." }, "type"},
		{"type with a non-ASCII letter", func(e *Event) { e.Type = "order.créé" }, "type"},
		{"ID with a space", func(e *Event) { e.ID = "a b" }, "id"},
		{"ID with DEL", func(e *Event) { e.ID = "a\x7fb" }, "id"},
		{"type of 256 bytes", func(e *Event) { e.Type = strings.Repeat("t", 256) }, "type"},
		{"empty priority", func(e *Event) { e.Priority = "" }, "priority"},
		{"lower-case priority", func(e *Event) { e.Priority = "high" }, "priority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := valid
			tt.modify(&e)
			checkErr(t, e.Validate(), nil, tt.wantField)
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	err := (&ValidationError{Field: "eventType", Reason: "is required"}).Error()
	if want := `invalid event: field "eventType": is required`; err != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// checkID and checkType check bytes for speed; they must say what the rules say about runes.
func FuzzCheckIDAndType(f *testing.F) {
	for _, s := range []string{"order.created", "a", "", ".", "a..b", "a.b.", "a b", "订单-1", "a\x00b",
		"a\u00a0b", "a\xffb", "Order_v2.created-now", "~!@#$%^&*()", "a\x7fb", "é.e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := checkType(s) == "", referenceType(s); got != want {
			t.Errorf("checkType(%q) accepts: %v, the rule says %v", s, got, want)
		}
		if got, want := checkID(s) == "", referenceID(s); got != want {
			t.Errorf("checkID(%q) accepts: %v, the rule says %v", s, got, want)
		}
	})
}

// referenceType is the type rule word by word: 1 to 255 bytes of dot-separated, non-empty words
// of letters, digits, '_' and '-'.
func referenceType(s string) bool {
	if s == "" || len(s) > maxTypeLen {
		return false
	}
	for word := range strings.SplitSeq(s, ".") {
		if word == "" || strings.ContainsFunc(word, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) {
			return false
		}
	}
	return true
}

// referenceID is the ID rule rune by rune: 1 to 255 bytes of UTF-8, printable, no whitespace.
func referenceID(s string) bool {
	if s == "" || len(s) > maxIDLen || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) })
}
