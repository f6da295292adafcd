// Package amqp is the RabbitMQ ingress source (amqp091-go): consumers on durable queues whose
// deliveries become ingress.Messages, acknowledged only after the workflow start was
// acknowledged by Temporal. Poison messages are published to the queue's dead-letter exchange
// with the reason in a header, transient failures are republished with a retry count, and a
// lost connection is re-established with its topology redeclared. The package also declares
// topologies from YAML (Topology), publishes with confirms (Publisher) and redrives dead
// letters (Redrive).
package amqp

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/evtrigger/evtrigger/metrics"
)

// DefaultQueue is the queue consumed when Options.Queues is empty: the seed's task queue.
const DefaultQueue = "schedule.task.queue"

// Options configure a Source. Conn.URL is required; every other zero value takes the default in
// its doc.
type Options struct {
	// Conn says how to reach the broker.
	Conn
	// Topology is declared (idempotently) on every connect, before consuming. Default: none;
	// the queues and their dead-letter exchanges must then exist.
	Topology *Topology
	// Queues to consume. Default [DefaultQueue].
	Queues []string
	// Prefetch is the number of unacknowledged deliveries one consumer may hold (basic.qos
	// prefetch-count), which bounds the messages it hands to the Handler at once. Default 50.
	Prefetch int
	// Consumers is the number of consumers (each on its own channel) per queue. Default 1.
	// At most len(Queues) × Consumers × Prefetch messages are in flight.
	Consumers int
	// DeadLetterExchange receives the poison messages of every queue whose topology entry
	// names no x-dead-letter-exchange. Default: the queue's own; a queue without either is a
	// configuration error.
	DeadLetterExchange string
	// MaxAttempts is how often a message is handed to the Handler when every attempt fails
	// transiently (Temporal unreachable); after that it is dead-lettered. Default 3, as in the
	// seed.
	MaxAttempts int
	// RetryMin and RetryMax bound the backoff before a transiently failed message is
	// republished for its next attempt, and between attempts to dead-letter a message.
	// Defaults 500ms and 10s.
	RetryMin, RetryMax time.Duration
	// ReconnectMin and ReconnectMax bound the backoff between connection attempts after the
	// connection or a channel was lost. Defaults 200ms and 15s.
	ReconnectMin, ReconnectMax time.Duration
	// DrainTimeout is how long, on shutdown, messages in flight may finish before they are
	// abandoned (left unacknowledged, so the broker redelivers them). Default 5s.
	DrainTimeout time.Duration
	// Screen, when set, sees each delivery's body before it is handed to the Handler: true
	// means the message needs no handling (ingress.Processor.Screen: a valid event no rule
	// listens to), and it is acknowledged at once, in the consumer's loop, without a goroutine.
	// It must be fast and must not block. Nil: every message is handled.
	Screen func(body []byte) bool
	// Metrics receives the queues' depth (evtrigger_queue_backlog{source="amqp"}); nil: none.
	Metrics *metrics.Metrics
	// BacklogInterval is how often the depth is measured. Default
	// metrics.DefaultBacklogInterval (10s).
	BacklogInterval time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger
}

func (o *Options) fill() error {
	if o.URL == "" {
		return errors.New("amqp: no URL")
	}
	if len(o.Queues) == 0 {
		o.Queues = []string{DefaultQueue}
	}
	setDefault(&o.Prefetch, 50)
	setDefault(&o.Consumers, 1)
	setDefault(&o.MaxAttempts, 3)
	setDefault(&o.RetryMin, 500*time.Millisecond)
	setDefault(&o.RetryMax, 10*time.Second)
	setDefault(&o.ReconnectMin, 200*time.Millisecond)
	setDefault(&o.ReconnectMax, 15*time.Second)
	setDefault(&o.DrainTimeout, 5*time.Second)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Prefetch < 0 || o.Consumers < 0 || o.MaxAttempts < 0 {
		return fmt.Errorf("amqp: prefetch (%d), consumers (%d) and max attempts (%d) must be positive",
			o.Prefetch, o.Consumers, o.MaxAttempts)
	}
	if o.Topology != nil {
		return o.Topology.Validate()
	}
	return nil
}

// deadLetterRoutes returns where each consumed queue's poison messages go.
func (o *Options) deadLetterRoutes() (map[string]route, error) {
	routes := make(map[string]route, len(o.Queues))
	for _, q := range o.Queues {
		r := route{exchange: o.DeadLetterExchange}
		if spec, ok := o.Topology.queue(q); ok && spec.DeadLetterExchange != "" {
			r = route{exchange: spec.DeadLetterExchange, key: spec.DeadLetterRoutingKey}
		}
		if r.exchange == "" {
			return nil, fmt.Errorf("amqp: queue %q has no dead-letter exchange: set deadLetterExchange "+
				"in its topology entry or Options.DeadLetterExchange (--amqp-dead-letter-exchange)", q)
		}
		routes[q] = r
	}
	return routes, nil
}

// route is an exchange and a routing key; an empty key means the message's own.
type route struct {
	exchange, key string
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}
