package event

import "encoding/json"

// seed fills the builder from the seed envelope's members; other members are ignored.
func (b *builder) seed(obj map[string]json.RawMessage) {
	b.setID("messageId", b.str(obj, "messageId"))
	b.setType("eventType", b.str(obj, "eventType"))
	b.setTime("timestamp", b.str(obj, "timestamp"))
	b.ev.Source = b.str(obj, "source")
	b.ev.Destination = b.str(obj, "destination")
	b.setPriority("priority", b.str(obj, "priority"))
	if raw, ok := obj["payload"]; ok {
		b.ev.Payload = b.object("payload", raw)
	}
	if raw, ok := obj["metadata"]; ok {
		b.ev.Metadata = b.object("metadata", raw)
	}
}
