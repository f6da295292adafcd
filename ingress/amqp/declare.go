package amqp

import (
	"errors"
	"fmt"
	"math"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrTopologyConflict is returned (wrapped) when an exchange or queue exists with settings other
// than the topology's. The error's text names the object and the broker's reason, which names
// the argument that differs ("inequivalent arg 'x-message-ttl' ... received ... but current
// is ..."). Delete the object or change the topology; retrying cannot help.
var ErrTopologyConflict = errors.New("amqp: topology conflicts with the broker's")

// Declare declares the exchanges, then the queues, then the bindings on ch. Declaring what
// exists with the same settings changes nothing. On a conflict the broker closes ch and the
// error wraps ErrTopologyConflict.
func (t *Topology) Declare(ch *amqp.Channel) error {
	for _, e := range t.Exchanges {
		err := ch.ExchangeDeclare(e.Name, e.Type, orTrue(e.Durable), e.AutoDelete, false, false, nil)
		if err != nil {
			return declareError("exchange", e.Name, err)
		}
	}
	for _, q := range t.Queues {
		durable := orTrue(q.Durable) || q.Type == "quorum"
		if _, err := ch.QueueDeclare(q.Name, durable, q.AutoDelete, false, false, q.arguments()); err != nil {
			return declareError("queue", q.Name, err)
		}
	}
	for _, b := range t.Bindings {
		if err := ch.QueueBind(b.Queue, b.RoutingKey, b.Exchange, false, b.arguments()); err != nil {
			return fmt.Errorf("amqp: bind queue %q to exchange %q with key %q: %w", b.Queue, b.Exchange, b.RoutingKey, err)
		}
	}
	return nil
}

// arguments are the queue's x-arguments. Numbers are sent as 32-bit integers when they fit, as
// the Java client (and so the seed) does, so a queue declared by either is equivalent.
func (q Queue) arguments() amqp.Table {
	args := amqp.Table{}
	if q.Type == "quorum" {
		args["x-queue-type"] = "quorum"
	}
	if q.MessageTTL > 0 {
		args["x-message-ttl"] = integer(q.MessageTTL.Milliseconds())
	}
	if q.MaxLength > 0 {
		args["x-max-length"] = integer(q.MaxLength)
	}
	if q.DeadLetterExchange != "" {
		args["x-dead-letter-exchange"] = q.DeadLetterExchange
	}
	if q.DeadLetterRoutingKey != "" {
		args["x-dead-letter-routing-key"] = q.DeadLetterRoutingKey
	}
	if q.DeliveryLimit > 0 {
		args["x-delivery-limit"] = integer(int64(q.DeliveryLimit))
	}
	return args
}

func (b Binding) arguments() amqp.Table {
	if len(b.Headers) == 0 {
		return nil
	}
	args := amqp.Table{"x-match": "all"}
	if b.Match != "" {
		args["x-match"] = b.Match
	}
	for k, v := range b.Headers {
		args[k] = v
	}
	return args
}

func integer(n int64) any {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

func orTrue(b *bool) bool { return b == nil || *b }

// declareError names the object; a PRECONDITION_FAILED answer becomes ErrTopologyConflict.
func declareError(kind, name string, err error) error {
	var aerr *amqp.Error
	if errors.As(err, &aerr) && aerr.Code == amqp.PreconditionFailed {
		return fmt.Errorf("%w: %s %q exists with other settings: %s", ErrTopologyConflict, kind, name, aerr.Reason)
	}
	return fmt.Errorf("amqp: declare %s %q: %w", kind, name, err)
}
