package event

import (
	"regexp"
	"testing"
)

func TestContentID(t *testing.T) {
	body := []byte(`{"eventType":"order.created"}`)
	id := ContentID(body)
	if again := ContentID([]byte(string(body))); again != id {
		t.Errorf("ContentID not deterministic: %q then %q", id, again)
	}
	if !regexp.MustCompile(`^sha256-[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("ContentID = %q, want sha256- and 32 hex digits", id)
	}
	// sha256("") = e3b0c44298fc1c149afbf4c8996fb924...
	if got, want := ContentID(nil), "sha256-e3b0c44298fc1c149afbf4c8996fb924"; got != want {
		t.Errorf("ContentID(nil) = %q, want %q", got, want)
	}
	if other := ContentID([]byte(`{"eventType":"order.created" }`)); other == id {
		t.Errorf("different bodies gave the same ID %q", id)
	}
	if err := (Event{ID: id, Type: "a", Priority: PriorityLow}).Validate(); err != nil {
		t.Errorf("ContentID is not a valid event ID: %v", err)
	}
}
