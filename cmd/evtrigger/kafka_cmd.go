package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// runKafka runs the Kafka administration subcommands.
func runKafka(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create-topics" {
		return fmt.Errorf("%w: evtrigger kafka create-topics --kafka-brokers B [--topics-file F] [--replication-factor N]", errUsage)
	}
	fs := flag.NewFlagSet("kafka create-topics", flag.ContinueOnError)
	var kf kafkaConnFlags
	var file string
	var rf int
	kf.register(fs)
	stringFlag(fs, &file, "topics-file", "deploy/kafka/topics.yaml", "topics with partitions, replication factor and configs")
	fs.IntVar(&rf, "replication-factor", 0, "override every topic's replication factor (e.g. 1 on a one-broker cluster)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if kf.brokers == "" {
		return fmt.Errorf("%w: --kafka-brokers is required", errUsage)
	}
	specs, err := kafka.LoadTopicSpecs(file)
	if err != nil {
		return err
	}
	for i := range specs {
		if rf > 0 {
			specs[i].ReplicationFactor = int16(rf)
		}
	}
	results, err := kafka.CreateTopics(ctx, kf.conn(), specs)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(stdout, "%s: %v\n", r.Name, r.Err)
		case r.Exists:
			fmt.Fprintf(stdout, "%s: exists (left as it is)\n", r.Name)
		default:
			fmt.Fprintf(stdout, "%s: created\n", r.Name)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d topic(s) not created", failed)
	}
	return nil
}
