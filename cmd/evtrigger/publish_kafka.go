package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// kafkaPublishFlags are publish's Kafka flags.
type kafkaPublishFlags struct {
	kafkaConnFlags
	topic string
}

func (k *kafkaPublishFlags) register(fs *flag.FlagSet) {
	k.kafkaConnFlags.register(fs)
	stringFlag(fs, &k.topic, "topic", "business-events", "Kafka topic to publish to")
}

// publish writes the bodies keyed by their event IDs with acks=all and the idempotent producer.
func (k *kafkaPublishFlags) publish(ctx context.Context, bodies [][]byte, ids []string, stdout io.Writer) error {
	recs := make([]kafka.Record, len(bodies))
	for i, body := range bodies {
		recs[i] = kafka.Record{Topic: k.topic, Value: body}
		if ids[i] != "" {
			recs[i].Key = []byte(ids[i])
		}
	}
	pub, err := kafka.NewPublisher(k.conn())
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Publish(ctx, recs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published %d event(s) to %s\n", len(recs), k.topic)
	return nil
}
