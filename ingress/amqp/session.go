package amqp

import (
	"context"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress"
)

// session is the consumers of one connection and the deliveries they hand to the Handler.
type session struct {
	src     *Source
	conn    *amqp.Connection
	handler ingress.Handler
	pub     *Publisher // dead letters and retries, confirmed

	// work is the handling context of every delivery: canceled when the connection is lost
	// (the deliveries can no longer be acked) or when the drain timeout passes.
	work       context.Context
	cancelWork context.CancelFunc
	lost       chan error // a consumer ended without being asked to

	consumers []consumer
	loops     sync.WaitGroup // consume loops

	mu       sync.Mutex
	stopped  bool           // no more deliveries are started
	inflight sync.WaitGroup // deliveries being handled; Add only under mu while not stopped
}

type consumer struct {
	ch  *amqp.Channel
	tag string
}

func newSession(src *Source, conn *amqp.Connection, h ingress.Handler) *session {
	work, cancel := context.WithCancel(context.Background())
	n := len(src.opts.Queues) * src.opts.Consumers
	return &session{
		src: src, conn: conn, handler: h, pub: newPublisher(conn),
		work: work, cancelWork: cancel, lost: make(chan error, n),
	}
}

// startConsumers opens Consumers channels per queue, each with its prefetch, and consumes.
func (ss *session) startConsumers() error {
	for _, queue := range ss.src.opts.Queues {
		for i := range ss.src.opts.Consumers {
			if err := ss.startConsumer(queue, fmt.Sprintf("evtrigger-%s-%d", queue, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (ss *session) startConsumer(queue, tag string) error {
	ch, err := ss.conn.Channel()
	if err != nil {
		return fmt.Errorf("amqp: open channel: %w", err)
	}
	if err := ch.Qos(ss.src.opts.Prefetch, 0, false); err != nil {
		return fmt.Errorf("amqp: set prefetch: %w", err)
	}
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	deliveries, err := ch.Consume(queue, tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("amqp: consume queue %q: %w", queue, err)
	}
	ss.consumers = append(ss.consumers, consumer{ch: ch, tag: tag})
	ss.loops.Add(1)
	go func() {
		defer ss.loops.Done()
		ss.consume(queue, deliveries)
		if !ss.isStopped() {
			var reason error = amqp.ErrClosed
			select {
			case aerr := <-closed:
				reason = closeError(aerr)
			default: // the consumer was canceled by the broker (queue deleted)
			}
			ss.lost <- fmt.Errorf("amqp: consumer of queue %q ended: %w", queue, reason)
		}
	}()
	return nil
}

// consume hands each delivery to the handler in a goroutine of its own (their number is
// bounded by the prefetch) until the deliveries end; one the source's Screen turns away is
// acknowledged here instead. Deliveries arriving after the session stopped are left
// unacknowledged: the broker redelivers them once the channel closes.
func (ss *session) consume(queue string, deliveries <-chan amqp.Delivery) {
	order := ingress.NewArrivals()
	screen := ss.src.opts.Screen
	for d := range deliveries {
		if !ss.track() {
			continue
		}
		if screen != nil && screen(d.Body) {
			ss.ack(queue, d)
			ss.inflight.Done()
			continue
		}
		t := order.Ticket()
		go func() {
			defer ss.inflight.Done()
			defer t.Done()
			ss.process(queue, d, t)
		}()
	}
}

func (ss *session) track() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.stopped {
		return false
	}
	ss.inflight.Add(1)
	return true
}

func (ss *session) stop() {
	ss.mu.Lock()
	ss.stopped = true
	ss.mu.Unlock()
}

func (ss *session) isStopped() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.stopped
}

// drain stops consuming, lets the deliveries in flight finish for up to timeout, then abandons
// the rest (their context is canceled, they stay unacknowledged) and waits for them to return.
func (ss *session) drain(timeout time.Duration) {
	ss.stop()
	for _, c := range ss.consumers {
		_ = c.ch.Cancel(c.tag, false) // a closed channel has no consumer left to cancel
	}
	finished := make(chan struct{})
	go func() { ss.inflight.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(timeout):
		ss.src.opts.Logger.Warn("amqp drain timeout: abandoning messages in flight; the broker redelivers them")
	}
	ss.abandon()
}

// abandon cancels the deliveries in flight and waits for them and the consume loops to end.
func (ss *session) abandon() {
	ss.stop()
	ss.cancelWork()
	ss.inflight.Wait()
	ss.pub.Close()
	ss.conn.Close() // ends the consume loops
	ss.loops.Wait()
}
