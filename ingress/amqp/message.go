package amqp

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress"
)

// Headers the source sets on dead letters and retried messages, beside the message's own.
const (
	// HeaderError is why the message was dead-lettered.
	HeaderError = "x-evtrigger-error"
	// HeaderOriginalExchange and HeaderOriginalRoutingKey are where the message was first
	// published; redrive publishes it there again.
	HeaderOriginalExchange   = "x-evtrigger-original-exchange"
	HeaderOriginalRoutingKey = "x-evtrigger-original-routing-key"
	// HeaderDeadLetteredAt is when, RFC 3339 in UTC.
	HeaderDeadLetteredAt = "x-evtrigger-dead-lettered-at"
	// HeaderRetries counts the transient failures of the message so far (a republished retry
	// carries its count; a message without the header has none).
	HeaderRetries = "x-evtrigger-retries"
)

// message converts a delivery at the source's edge: no AMQP type goes further.
//
// DefaultID, the event ID used when the body has none, is the AMQP message-id property when
// set, else event.ContentID of the body ("sha256-..."), as for HTTP: the same body always maps
// to the same workflow, whichever exchange, queue or attempt it came through.
func message(queue string, d amqp.Delivery) ingress.Message {
	id := d.MessageId
	if id == "" {
		id = event.ContentID(d.Body)
	}
	return ingress.Message{
		Body:       d.Body,
		Headers:    headerStrings(d.Headers),
		DefaultID:  id,
		Origin:     origin(queue, d),
		ReceivedAt: time.Now(),
	}
}

// origin names where d came from, for logs: "amqp queue q (exchange x, key k)".
func origin(queue string, d amqp.Delivery) string {
	exchange, key := originalRoute(d)
	return fmt.Sprintf("amqp queue %s (exchange %q, key %q)", queue, exchange, key)
}

// headerStrings converts the scalar application headers to strings. The source's own
// (x-evtrigger-*) and the broker's dead-lettering headers (x-death, x-first-death-*, ...) are
// left out, as are tables and arrays, so they never become event metadata.
func headerStrings(h amqp.Table) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if strings.HasPrefix(k, "x-evtrigger-") || strings.HasPrefix(k, "x-death") ||
			strings.HasPrefix(k, "x-first-death-") || strings.HasPrefix(k, "x-last-death-") {
			continue
		}
		switch v := v.(type) {
		case string:
			out[k] = v
		case []byte:
			out[k] = string(v)
		case time.Time:
			out[k] = v.UTC().Format(time.RFC3339)
		case bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, amqp.Decimal:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}

// retryCount reads HeaderRetries, whatever integer type (or string) a client encoded it as.
func retryCount(h amqp.Table) int {
	switch v := h[HeaderRetries].(type) {
	case int32:
		return int(v)
	case int64:
		return int(v)
	case int16:
		return int(v)
	case int8:
		return int(v)
	case uint8:
		return int(v)
	case uint16:
		return int(v)
	case uint32:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// originalRoute is where d was first published: the HeaderOriginal* headers of a retried
// message, else d's own exchange and routing key.
func originalRoute(d amqp.Delivery) (exchange, key string) {
	exchange, key = d.Exchange, d.RoutingKey
	if v, ok := d.Headers[HeaderOriginalExchange].(string); ok {
		exchange = v
	}
	if v, ok := d.Headers[HeaderOriginalRoutingKey].(string); ok {
		key = v
	}
	return exchange, key
}

// publishing copies d's body and properties. The user-id property is left out: the broker
// refuses a publish whose user-id is not the publishing connection's user.
func publishing(d amqp.Delivery, headers amqp.Table) amqp.Publishing {
	return amqp.Publishing{
		Headers: headers, ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		DeliveryMode: d.DeliveryMode, Priority: d.Priority, CorrelationId: d.CorrelationId,
		ReplyTo: d.ReplyTo, Expiration: d.Expiration, MessageId: d.MessageId,
		Timestamp: d.Timestamp, Type: d.Type, AppId: d.AppId, Body: d.Body,
	}
}

// retryPublishing is d for its next attempt: HeaderRetries set to retries, the original route
// recorded.
func retryPublishing(d amqp.Delivery, retries int) amqp.Publishing {
	exchange, key := originalRoute(d)
	h := maps.Clone(d.Headers)
	if h == nil {
		h = amqp.Table{}
	}
	h[HeaderRetries] = int32(retries)
	h[HeaderOriginalExchange] = exchange
	h[HeaderOriginalRoutingKey] = key
	return publishing(d, h)
}

// deadLetterPublishing is d as a dead letter: persistent, without expiration, with the reason,
// the original route and the time in headers.
func deadLetterPublishing(d amqp.Delivery, reason, exchange, key string) amqp.Publishing {
	h := maps.Clone(d.Headers)
	if h == nil {
		h = amqp.Table{}
	}
	h[HeaderError] = reason
	h[HeaderOriginalExchange] = exchange
	h[HeaderOriginalRoutingKey] = key
	h[HeaderDeadLetteredAt] = time.Now().UTC().Format(time.RFC3339Nano)
	p := publishing(d, h)
	p.DeliveryMode = amqp.Persistent
	p.Expiration = ""
	return p
}
