// Package event holds evtrigger's own Event type: the one shape every ingress converts its
// messages into, and the only one that crosses into rules, workflows and activities.
package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Priority is the seed's event and rule priority.
type Priority string

// The priorities, highest first. An event without one is PriorityMedium.
const (
	PriorityHigh   Priority = "HIGH"
	PriorityMedium Priority = "MEDIUM"
	PriorityLow    Priority = "LOW"
)

// Event is one business event, whatever format or broker it arrived in.
//
// Payload and Metadata keep JSON numbers as json.Number, also after a round trip through
// Temporal's JSON data converter (see UnmarshalJSON), so a 19-digit order ID is never rounded
// to a float64.
type Event struct {
	// ID identifies the event; the workflow ID is "event-" + ID. Required.
	ID string `json:"id"`
	// Type is the event type, such as "order.created". Required.
	Type string `json:"type"`
	// Source names the producing system, such as "order-service".
	Source string `json:"source,omitempty"`
	// Destination is the seed envelope's destination, if any.
	Destination string `json:"destination,omitempty"`
	// Time is when the event happened; the receipt time when the message did not say.
	Time time.Time `json:"time"`
	// Priority is HIGH, MEDIUM or LOW.
	Priority Priority `json:"priority,omitempty"`
	// Payload is the business data (the seed's payload, CloudEvents' data).
	Payload map[string]any `json:"payload,omitempty"`
	// Metadata holds the seed's metadata, CloudEvents extensions and broker headers.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// WorkflowID is the ID of the one workflow that handles the event with this ID.
func WorkflowID(eventID string) string { return "event-" + eventID }

// UnmarshalJSON decodes the internal JSON form of an Event (the one json.Marshal writes), keeping
// numbers in Payload and Metadata as json.Number.
func (e *Event) UnmarshalJSON(data []byte) error {
	type plain Event // no methods: no recursion
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	*e = Event(p)
	return nil
}
