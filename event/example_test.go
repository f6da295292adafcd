package event_test

import (
	"errors"
	"fmt"

	"github.com/evtrigger/evtrigger/event"
)

func ExampleParse() {
	body := []byte(`{"messageId":"msg-20250906-123456","eventType":"order.created",
		"timestamp":"2025-09-06T18:30:00+08:00","priority":"high",
		"payload":{"orderId":"order-12345","amount":999.99}}`)
	ev, err := event.Parse(body, event.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.ID, ev.Type, ev.Priority, ev.Time)
	fmt.Printf("%T %v\n", ev.Payload["amount"], ev.Payload["amount"])
	fmt.Println(event.WorkflowID(ev.ID))

	_, err = event.Parse([]byte(`{"messageId":"msg-2"}`), event.Options{})
	var ve *event.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, err)
	// Output:
	// msg-20250906-123456 order.created HIGH 2025-09-06 10:30:00 +0000 UTC
	// json.Number 999.99
	// event-msg-20250906-123456
	// true eventType invalid event: field "eventType": is required
}
