package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress/amqp"
)

// amqpPublishFlags are publish's RabbitMQ flags.
type amqpPublishFlags struct {
	amqpConnFlags
	exchange, routingKey, messageID, contentType string
}

func (a *amqpPublishFlags) register(fs *flag.FlagSet) {
	a.amqpConnFlags.register(fs)
	stringFlag(fs, &a.exchange, "exchange", "business.event.exchange", "RabbitMQ exchange to publish to")
	stringFlag(fs, &a.routingKey, "routing-key", "", "RabbitMQ routing key, such as order.created")
	stringFlag(fs, &a.messageID, "message-id", "", "AMQP message-id property (the event ID when the body has none)")
	stringFlag(fs, &a.contentType, "content-type", "application/json", "AMQP content-type property")
}

// publish sends body as a persistent message and waits for the broker's confirm; a message
// no queue takes (returned, mandatory) is an error.
func (a *amqpPublishFlags) publish(ctx context.Context, body []byte, stdout io.Writer) error {
	p, err := amqp.DialPublisher(a.conn())
	if err != nil {
		return err
	}
	defer p.Close()
	err = p.Publish(ctx, a.exchange, a.routingKey, amqp091.Publishing{
		Body: body, DeliveryMode: amqp091.Persistent, ContentType: a.contentType, MessageId: a.messageID,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published to exchange %q with routing key %q (confirmed)\n", a.exchange, a.routingKey)
	return nil
}
