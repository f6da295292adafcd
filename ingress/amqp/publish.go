package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrUnroutable is returned (wrapped) by Publisher.Publish when the broker returned a mandatory
// message because no queue is bound to take it (basic.return, NO_ROUTE).
var ErrUnroutable = errors.New("amqp: message returned unroutable")

// ErrNacked is returned (wrapped) by Publisher.Publish when the broker refused the message
// (basic.nack): it was not stored.
var ErrNacked = errors.New("amqp: message not confirmed by the broker")

// Publisher publishes with publisher confirms and the mandatory flag: Publish returns only
// once the broker has taken responsibility for the message (stored it in every queue it was
// routed to, persisted when persistent) or reported why not. Publishes are serialized, which
// makes a returned message unambiguous. Safe for concurrent use.
type Publisher struct {
	conn *amqp.Connection
	own  bool // conn was dialled by DialPublisher: Close closes it

	mu      sync.Mutex
	ch      *amqp.Channel
	returns chan amqp.Return
	closed  chan *amqp.Error
}

// DialPublisher connects to the broker for publishing; Close closes the connection.
func DialPublisher(c Conn) (*Publisher, error) {
	conn, err := c.dial("evtrigger publisher")
	if err != nil {
		return nil, err
	}
	return &Publisher{conn: conn, own: true}, nil
}

// newPublisher publishes on a channel of conn, which the caller closes.
func newPublisher(conn *amqp.Connection) *Publisher { return &Publisher{conn: conn} }

// Publish publishes msg to exchange with routing key key and waits for the broker's confirm.
// Errors wrap ErrUnroutable (returned: no queue bound), ErrNacked, the channel's or connection's
// *amqp.Error, or ctx's error. After an error the message may or may not have been stored; a
// publish interrupted by ctx leaves no state behind (the next one uses a fresh channel).
func (p *Publisher) Publish(ctx context.Context, exchange, key string, msg amqp.Publishing) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, err := p.channel()
	if err != nil {
		return err
	}
	conf, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key, true, false, msg)
	if err != nil {
		p.reset()
		return fmt.Errorf("amqp: publish to exchange %q key %q: %w", exchange, key, err)
	}
	acked, err := conf.WaitContext(ctx)
	if err != nil {
		p.reset() // a late confirm or return must not be taken for the next publish's
		return fmt.Errorf("amqp: publish to exchange %q key %q: waiting for the confirm: %w", exchange, key, err)
	}
	select { // the broker sends basic.return before the confirm, so it is here by now
	case r, ok := <-p.returns:
		if !ok { // the channel closed: no confirm either
			break
		}
		return fmt.Errorf("%w: exchange %q key %q: %d %s", ErrUnroutable, exchange, key, r.ReplyCode, r.ReplyText)
	default:
	}
	if !acked {
		select { // a closed channel (such as 404 for a missing exchange) says why
		case aerr, ok := <-p.closed:
			if ok && aerr != nil {
				p.reset()
				return fmt.Errorf("amqp: publish to exchange %q key %q: %w", exchange, key, aerr)
			}
		default:
		}
		p.reset()
		return fmt.Errorf("%w: exchange %q key %q", ErrNacked, exchange, key)
	}
	return nil
}

// channel returns the confirm-mode channel, opening one when there is none or it closed.
func (p *Publisher) channel() (*amqp.Channel, error) {
	if p.ch != nil && !p.ch.IsClosed() {
		return p.ch, nil
	}
	ch, err := p.conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("amqp: open publishing channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("amqp: enable publisher confirms: %w", err)
	}
	p.returns = ch.NotifyReturn(make(chan amqp.Return, 1))
	p.closed = ch.NotifyClose(make(chan *amqp.Error, 1))
	p.ch = ch
	return ch, nil
}

func (p *Publisher) reset() {
	if p.ch != nil {
		p.ch.Close()
		p.ch = nil
	}
}

// Close closes the publishing channel, and the connection when DialPublisher opened it.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reset()
	if p.own {
		return p.conn.Close()
	}
	return nil
}
