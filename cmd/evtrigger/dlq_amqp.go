package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/evtrigger/evtrigger/ingress/amqp"
)

// amqpRedriveFlags are dlq redrive's RabbitMQ flags.
type amqpRedriveFlags struct {
	amqpConnFlags
	logFlags
	queue string
	limit int
}

func (a *amqpRedriveFlags) register(fs *flag.FlagSet) {
	a.amqpConnFlags.register(fs)
	a.logFlags.register(fs)
	stringFlag(fs, &a.queue, "queue", "schedule.dlx.queue", "RabbitMQ dead-letter queue to redrive")
	intFlag(fs, &a.limit, "limit", 0, "messages to move at most; 0: those in the queue at the start")
}

func (a *amqpRedriveFlags) redrive(ctx context.Context, rate float64, stdout io.Writer) error {
	res, err := amqp.Redrive(ctx, a.conn(), amqp.RedriveOptions{
		Queue: a.queue, Rate: rate, Limit: a.limit, Logger: a.logger(),
	})
	fmt.Fprintf(stdout, "redrove %d dead letters from %s; %d left in the queue (no origin or unroutable)\n",
		res.Moved, a.queue, res.Skipped)
	return err
}
