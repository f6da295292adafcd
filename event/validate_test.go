package event

import (
	"strings"
	"testing"
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
