package ingress

import (
	"context"
	"errors"
	"time"
)

// Message is one message as a broker source hands it on: no broker type crosses this line.
type Message struct {
	// Body is the message as published: a seed envelope or a structured CloudEvent.
	Body []byte
	// Headers are the broker's headers (Kafka record headers, AMQP headers) as strings.
	Headers map[string]string
	// DefaultID is the event ID to use when the body has none, derived from where the message
	// came from (Kafka topic/partition/offset, AMQP message-id), so a redelivery of the same
	// message maps to the same workflow.
	DefaultID string
	// Origin names where the message came from, for logs and dead letters, such as
	// "kafka business-events/3@1234".
	Origin string
	// ReceivedAt is when the source received the message.
	ReceivedAt time.Time
	// Ticket is the message's place in the arrival order of its stream (see Arrivals); nil
	// when the source keeps none. The source calls its Done once the message is finished.
	Ticket *Ticket
	// Attempt counts the source's earlier hand-overs of this delivery that failed transiently:
	// 0 the first time, 1 on the first in-place retry, and so on. Metrics count a message as
	// received only at attempt 0 (a redelivery by the broker is a new delivery, attempt 0).
	Attempt int
}

// Handler handles one message. Its return value decides the message's fate:
//
//   - nil: the message is done (its workflow start was acknowledged by Temporal, it was a
//     duplicate, or it was filtered out); the source may acknowledge it.
//   - an error wrapping *PoisonError: the message can never be processed; the source writes it
//     to its dead-letter destination with the reason, durably, and only then acknowledges it.
//   - any other error: transient (Temporal unreachable); the source must not acknowledge the
//     message and hands it to a Handler again later, backing off and applying backpressure.
//
// A Handler is called concurrently for different messages. Its context ends when the source
// shuts down or loses the message's partition; the message then stays unacknowledged.
type Handler func(ctx context.Context, m Message) error

// Source is a broker consumer. Its contract, checked for every implementation by the
// conformance suite in package ingresstest:
//
//   - A message is acknowledged (offset committed, delivery acked) only after the Handler
//     returned nil for it, or after the message was durably dead-lettered. Never before.
//   - A message not acknowledged when the source stops or crashes is delivered again, to this
//     or another consumer of the same group or queue.
//   - The number of messages handed to the Handler and not yet finished is bounded.
//   - Run returns when ctx ends, after the work in flight finished or was abandoned
//     (unacknowledged) within the source's drain timeout.
type Source interface {
	// Run consumes messages and hands them to h until ctx ends or a fatal error occurs.
	Run(ctx context.Context, h Handler) error
}

// PoisonError marks a message that can never be processed, with the reason.
type PoisonError struct {
	// Reason says why, for the dead letter's headers.
	Reason string
	Err    error
}

func (e *PoisonError) Error() string { return "poison message: " + e.Reason }
func (e *PoisonError) Unwrap() error { return e.Err }

// Poison wraps err as a PoisonError whose Reason is err's message.
func Poison(err error) error {
	return &PoisonError{Reason: err.Error(), Err: err}
}

// PoisonReason returns the reason when err wraps a *PoisonError.
func PoisonReason(err error) (string, bool) {
	var p *PoisonError
	if errors.As(err, &p) {
		return p.Reason, true
	}
	return "", false
}

// Backoff returns the wait before retry number attempt (0-based) of a transient failure:
// exponential from lo, capped at hi.
func Backoff(attempt int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 0; i < attempt && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// Sleep waits d or until ctx ends; false when ctx ended. Sources wait with it between retries.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
