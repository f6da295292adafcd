package amqp

import (
	"context"
	"errors"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/metrics"
)

// Source consumes RabbitMQ queues and hands each delivery to an ingress.Handler.
//
// Each queue has Consumers consumers, each on its own channel with basic.qos Prefetch, so at
// most Prefetch deliveries per consumer are in the Handler at once. Acknowledgement is manual:
//
//   - Handler returned nil: the delivery is acked.
//   - a poison error: the message is published, with publisher confirms, to the queue's
//     dead-letter exchange with the reason and its origin in headers (HeaderError, ...), and
//     the delivery is acked only after the broker confirmed that publish.
//   - a transient error: after a backoff (RetryMin to RetryMax) the message is republished to
//     the same queue with HeaderRetries incremented, confirmed, and only then the delivery is
//     acked; the attempt that fails for the MaxAttempts-th time dead-letters the message instead.
//
// A lost connection or channel (broker restart, network cut) ends the session: work in flight
// is abandoned (its deliveries are unacknowledged, so the broker redelivers them and their
// workflow starts come back as duplicates), and the source reconnects with backoff
// (ReconnectMin to ReconnectMax), redeclares its topology and consumes again. An ack is sent
// at most once per delivery, on the channel the delivery came from.
type Source struct {
	opts        Options
	deadLetters map[string]route
}

// New returns a Source; it connects when Run is called. It fails on an invalid topology, or a
// consumed queue without a dead-letter exchange.
func New(opts Options) (*Source, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	routes, err := opts.deadLetterRoutes()
	if err != nil {
		return nil, err
	}
	return &Source{opts: opts, deadLetters: routes}, nil
}

// Run connects, declares the topology and consumes until ctx ends, reconnecting whenever the
// connection or a channel is lost; then it drains for DrainTimeout and returns nil. It returns
// an error only for a failure that retrying cannot fix: a topology conflicting with the broker's
// (ErrTopologyConflict) or refused credentials.
func (s *Source) Run(ctx context.Context, h ingress.Handler) error {
	backlogCtx, stopBacklog := context.WithCancel(ctx)
	backlogDone := s.opts.Metrics.StartBacklog(backlogCtx, metrics.SourceAMQP, s.opts.BacklogInterval, s.Backlog, s.opts.Logger)
	defer func() { stopBacklog(); <-backlogDone }()
	failures := 0
	for {
		consumed, err := s.session(ctx, h)
		if ctx.Err() != nil {
			return nil
		}
		if fatal(err) {
			return err
		}
		if consumed {
			failures = 0
		}
		wait := ingress.Backoff(failures, s.opts.ReconnectMin, s.opts.ReconnectMax)
		failures++
		s.opts.Logger.Warn("amqp connection lost or refused, reconnecting", "url", s.opts.Redacted(),
			"retry_in", wait, "error", err)
		if !ingress.Sleep(ctx, wait) {
			return nil
		}
	}
}

// fatal reports whether err cannot be fixed by reconnecting.
func fatal(err error) bool {
	var aerr *amqp.Error
	return errors.Is(err, ErrTopologyConflict) || errors.Is(err, amqp.ErrCredentials) ||
		(errors.As(err, &aerr) && aerr.Code == amqp.AccessRefused)
}

// session runs one connection: declare, consume, then drain (ctx ended) or abandon (connection
// or channel lost). consumed reports whether consuming had started.
func (s *Source) session(ctx context.Context, h ingress.Handler) (consumed bool, err error) {
	conn, err := s.opts.Conn.dial("evtrigger ingress")
	if err != nil {
		return false, err
	}
	defer conn.Close()
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	if err := s.declare(conn); err != nil {
		return false, err
	}
	ss := newSession(s, conn, h)
	if err := ss.startConsumers(); err != nil {
		ss.abandon()
		return false, err
	}
	s.opts.Logger.Info("amqp source consuming", "url", s.opts.Redacted(), "queues", s.opts.Queues,
		"consumers", s.opts.Consumers, "prefetch", s.opts.Prefetch)
	select {
	case <-ctx.Done():
		ss.drain(s.opts.DrainTimeout)
		return true, nil
	case aerr := <-closed:
		ss.abandon()
		return true, fmt.Errorf("amqp: connection closed: %w", closeError(aerr))
	case err := <-ss.lost:
		ss.abandon()
		return true, err
	}
}

// declare declares the topology, when there is one, on a channel of its own.
func (s *Source) declare(conn *amqp.Connection) error {
	if s.opts.Topology == nil {
		return nil
	}
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("amqp: open channel: %w", err)
	}
	defer ch.Close()
	return s.opts.Topology.Declare(ch)
}

// closeError turns a close notification into an error; nil means a clean close.
func closeError(aerr *amqp.Error) error {
	if aerr == nil {
		return amqp.ErrClosed
	}
	return aerr
}
