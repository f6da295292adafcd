package amqp

import (
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress"
)

// process hands d to the handler once and settles it: ack, dead-letter, or republish for a
// retry. When the session is abandoned first, d is left unacknowledged. t is d's place in
// the consumer's arrival order.
func (ss *session) process(queue string, d amqp.Delivery, t *ingress.Ticket) {
	msg := message(queue, d)
	msg.Ticket = t
	err := ss.handler(ss.work, msg)
	switch reason, poison := ingress.PoisonReason(err); {
	case err == nil:
		ss.ack(queue, d)
	case poison:
		ss.deadLetter(queue, d, reason)
	case ss.work.Err() != nil:
		// abandoned: unacknowledged, the broker redelivers it
	default:
		ss.retry(queue, d, err)
	}
}

// ack acknowledges d, a delivery from queue. A failed ack (the channel is gone) leaves d to be
// redelivered; its workflow start is then recognised as a duplicate.
func (ss *session) ack(queue string, d amqp.Delivery) {
	if err := d.Ack(false); err != nil {
		ss.src.opts.Logger.Warn("amqp ack failed; the broker redelivers the message", "origin", origin(queue, d), "error", err)
	}
}

// retry republishes d to its queue for the next attempt after a backoff, or dead-letters it
// when this was attempt MaxAttempts. The delivery is acked only after the republish was
// confirmed; if the republish fails, d is requeued instead (its count unchanged).
func (ss *session) retry(queue string, d amqp.Delivery, cause error) {
	opts := ss.src.opts
	retries := retryCount(d.Headers)
	if retries+1 >= opts.MaxAttempts {
		ss.deadLetter(queue, d, fmt.Sprintf("gave up after %d attempts: %v", retries+1, cause))
		return
	}
	wait := ingress.Backoff(retries, opts.RetryMin, opts.RetryMax)
	opts.Logger.Warn("amqp message not started, retrying", "origin", origin(queue, d),
		"attempt", retries+1, "retry_in", wait, "error", cause)
	if !ingress.Sleep(ss.work, wait) {
		return
	}
	// The default exchange routes to exactly this queue, not to the original exchange's others.
	if err := ss.pub.Publish(ss.work, "", queue, retryPublishing(d, retries+1)); err != nil {
		if ss.work.Err() != nil {
			return
		}
		opts.Logger.Error("amqp retry republish failed; requeueing", "queue", queue, "error", err)
		if err := d.Nack(false, true); err != nil {
			opts.Logger.Warn("amqp requeue failed; the broker redelivers the message", "queue", queue, "error", err)
		}
		return
	}
	ss.ack(queue, d)
}

// deadLetter publishes d with reason to the queue's dead-letter exchange, retrying with
// backoff until the broker confirms it, then acks d. If the session ends first, d stays
// unacknowledged (and may be dead-lettered twice after its redelivery).
func (ss *session) deadLetter(queue string, d amqp.Delivery, reason string) {
	opts := ss.src.opts
	r := ss.src.deadLetters[queue]
	origExchange, origKey := originalRoute(d)
	key := origKey
	if r.key != "" {
		key = r.key
	}
	msg := deadLetterPublishing(d, reason, origExchange, origKey)
	for attempt := 0; ; attempt++ {
		err := ss.pub.Publish(ss.work, r.exchange, key, msg)
		if err == nil {
			opts.Logger.Warn("amqp message dead-lettered", "origin", origin(queue, d),
				"dead_letter_exchange", r.exchange, "reason", reason)
			ss.ack(queue, d)
			return
		}
		if ss.work.Err() != nil {
			return
		}
		opts.Logger.Error("amqp dead-letter publish failed, retrying", "dead_letter_exchange", r.exchange, "error", err)
		if !ingress.Sleep(ss.work, ingress.Backoff(attempt, opts.RetryMin, opts.RetryMax)) {
			return
		}
	}
}
