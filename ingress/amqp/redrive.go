package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/evtrigger/evtrigger/ingress"
	amqp "github.com/rabbitmq/amqp091-go"
)

// RedriveOptions configure Redrive. Queue is required.
type RedriveOptions struct {
	// Queue holds the dead letters, such as schedule.dlx.queue.
	Queue string
	// Rate caps the messages moved per second. Default 0: no cap (each move still waits for
	// its publisher confirm).
	Rate float64
	// Limit caps the messages moved. Default: the messages in the queue when Redrive starts,
	// so messages dead-lettered again meanwhile are not moved twice.
	Limit int
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// RedriveResult counts what Redrive did.
type RedriveResult struct {
	// Moved messages were republished to their original exchange and routing key (confirmed)
	// and removed from the dead-letter queue.
	Moved int
	// Skipped messages stay in the dead-letter queue: they name no origin, or their origin
	// no longer routes them anywhere.
	Skipped int
}

// Redrive moves dead letters from opts.Queue back to where they were first published: the
// HeaderOriginalExchange and HeaderOriginalRoutingKey of the source's dead letters, else the
// first x-death entry of the broker's own (expired, rejected, over the length limit). The
// republished message loses the dead-lettering headers (x-evtrigger-*, x-death, ...), so it
// gets MaxAttempts fresh attempts. Each message is removed from the queue only after its
// republish was confirmed; a skipped or failed one returns to the queue when Redrive ends.
func Redrive(ctx context.Context, c Conn, opts RedriveOptions) (RedriveResult, error) {
	var res RedriveResult
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	conn, err := c.dial("evtrigger redrive")
	if err != nil {
		return res, err
	}
	defer conn.Close() // returns the skipped messages, still unacknowledged, to the queue
	ch, err := conn.Channel()
	if err != nil {
		return res, fmt.Errorf("amqp: open channel: %w", err)
	}
	q, err := ch.QueueDeclarePassive(opts.Queue, false, false, false, false, nil)
	if err != nil {
		return res, fmt.Errorf("amqp: dead-letter queue %q: %w", opts.Queue, err)
	}
	limit := q.Messages
	if opts.Limit > 0 {
		limit = min(limit, opts.Limit)
	}
	pub := newPublisher(conn)
	defer pub.Close()
	pace := ingress.NewPacer(opts.Rate)
	for res.Moved+res.Skipped < limit {
		if err := pace.Wait(ctx); err != nil {
			return res, err
		}
		d, ok, err := ch.Get(opts.Queue, false)
		if err != nil {
			return res, fmt.Errorf("amqp: get from %q: %w", opts.Queue, err)
		}
		if !ok {
			break
		}
		moved, err := redriveOne(ctx, pub, d, opts.Logger)
		if err != nil {
			return res, err
		}
		if moved {
			res.Moved++
		} else {
			res.Skipped++
		}
	}
	return res, nil
}

// redriveOne republishes d to its origin and acks it; false (d left unacknowledged) when d
// names no origin or its origin does not route it.
func redriveOne(ctx context.Context, pub *Publisher, d amqp.Delivery, logger *slog.Logger) (bool, error) {
	exchange, key, ok := deadLetterOrigin(d)
	if !ok {
		logger.Warn("dead letter names no origin, left in the queue", "message_id", d.MessageId)
		return false, nil
	}
	err := pub.Publish(ctx, exchange, key, redrivePublishing(d))
	if errors.Is(err, ErrUnroutable) {
		logger.Warn("dead letter's origin routes it nowhere, left in the queue", "exchange", exchange,
			"routing_key", key, "message_id", d.MessageId)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := d.Ack(false); err != nil {
		return false, fmt.Errorf("amqp: ack dead letter (it was republished and may now exist twice): %w", err)
	}
	return true, nil
}

// deadLetterOrigin is where d was published before it was dead-lettered.
func deadLetterOrigin(d amqp.Delivery) (exchange, key string, ok bool) {
	if ex, ok := d.Headers[HeaderOriginalExchange].(string); ok {
		key, _ := d.Headers[HeaderOriginalRoutingKey].(string)
		return ex, key, true
	}
	deaths, _ := d.Headers["x-death"].([]any)
	if len(deaths) == 0 {
		return "", "", false
	}
	first, _ := deaths[len(deaths)-1].(amqp.Table) // the oldest death is last
	ex, ok := first["exchange"].(string)
	keys, _ := first["routing-keys"].([]any)
	if !ok || len(keys) == 0 {
		return "", "", false
	}
	key, _ = keys[0].(string)
	return ex, key, true
}

// redrivePublishing is d without the dead-lettering headers.
func redrivePublishing(d amqp.Delivery) amqp.Publishing {
	h := maps.Clone(d.Headers)
	for k := range h {
		if strings.HasPrefix(k, "x-evtrigger-") || strings.HasPrefix(k, "x-death") ||
			strings.HasPrefix(k, "x-first-death-") || strings.HasPrefix(k, "x-last-death-") {
			delete(h, k)
		}
	}
	p := publishing(d, h)
	p.Expiration = ""
	return p
}
