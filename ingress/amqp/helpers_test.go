package amqp_test

import (
	"context"
	"sync"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
)

// publishErr publishes one message with the package's Publisher and returns its error.
func publishErr(t testing.TB, vh *amqptest.Vhost, exchange, key string) error {
	t.Helper()
	p, err := amqp.DialPublisher(amqp.Conn{URL: vh.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), amqptest.Timeout)
	defer cancel()
	return p.Publish(ctx, exchange, key, amqp091.Publishing{Body: []byte("x")})
}

// runUntilError runs src, which must stop by itself with an error, within the timeout.
func runUntilError(t testing.TB, src *amqp.Source) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), amqptest.Timeout)
	defer cancel()
	err := src.Run(ctx, func(context.Context, ingress.Message) error { return nil })
	if ctx.Err() != nil {
		t.Fatalf("Run did not stop by itself within %s", amqptest.Timeout)
	}
	return err
}

// running is a source running in the background until stop (or the test's end).
type running struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func start(t testing.TB, src *amqp.Source, h ingress.Handler) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Run(ctx, h) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop ends the source and fails the test if Run returned an error.
func (r *running) stop(t testing.TB) {
	r.once.Do(func() {
		r.cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}
