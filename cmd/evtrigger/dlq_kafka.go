package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// kafkaRedriveFlags are dlq redrive's Kafka flags.
type kafkaRedriveFlags struct {
	kafkaConnFlags
	topic, group string
}

func (k *kafkaRedriveFlags) register(fs *flag.FlagSet) {
	k.kafkaConnFlags.register(fs)
	stringFlag(fs, &k.topic, "topic", "business-events.dlq", "Kafka dead-letter topic to redrive")
	stringFlag(fs, &k.group, "redrive-group", "evtrigger-redrive", "consumer group that keeps the redrive's progress")
}

// redrive republishes the topic's dead letters to their original topics until caught up.
func (k *kafkaRedriveFlags) redrive(ctx context.Context, perSecond float64, stdout io.Writer) error {
	rep, err := kafka.Redrive(ctx, kafka.RedriveOptions{Conn: k.conn(), Topic: k.topic, Group: k.group, Rate: perSecond})
	if err != nil {
		return fmt.Errorf("redrive %s: %w", k.topic, err)
	}
	fmt.Fprintf(stdout, "redrove %d dead letter(s) from %s; skipped %d (see the log)\n", rep.Redriven, k.topic, rep.Skipped)
	return nil
}
