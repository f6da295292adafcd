package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/metrics"
)

// kafkaFlags configure the Kafka source.
type kafkaFlags struct {
	brokers, topics, group, clientID, dlqSuffix string
	saslMechanism, saslUser, saslPassword       string
	maxInFlight                                 int
}

func (k *kafkaFlags) register(fs *flag.FlagSet) {
	stringFlag(fs, &k.brokers, "kafka-brokers", "", "comma-separated Kafka seed brokers; empty: no Kafka source (dev: an embedded broker)")
	stringFlag(fs, &k.topics, "kafka-topics", "business-events", "comma-separated topics to consume")
	stringFlag(fs, &k.group, "kafka-group", "evtrigger", "consumer group")
	stringFlag(fs, &k.clientID, "kafka-client-id", "evtrigger", "Kafka client ID")
	stringFlag(fs, &k.dlqSuffix, "kafka-dlq-suffix", ".dlq", "dead-letter topic of each topic: <topic><suffix>")
	stringFlag(fs, &k.saslMechanism, "kafka-sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	stringFlag(fs, &k.saslUser, "kafka-sasl-user", "", "SASL user")
	stringFlag(fs, &k.saslPassword, "kafka-sasl-password", "", "SASL password (prefer the environment variable)")
	intFlag(fs, &k.maxInFlight, "kafka-max-in-flight", 1000, "records handled at once over all partitions")
}

func (k *kafkaFlags) conn() kafka.Conn {
	return kafka.Conn{Brokers: listFlag(k.brokers), ClientID: k.clientID,
		SASL: kafka.SASL{Mechanism: k.saslMechanism, User: k.saslUser, Password: k.saslPassword}}
}

// source returns the Kafka source, or nil when no brokers are configured.
func (k *kafkaFlags) source(logger *slog.Logger, m *metrics.Metrics) (*kafka.Source, error) {
	if k.brokers == "" {
		return nil, nil
	}
	return kafka.New(kafka.Options{Conn: k.conn(), Topics: listFlag(k.topics), Group: k.group,
		DeadLetterSuffix: k.dlqSuffix, MaxInFlight: k.maxInFlight, Logger: logger.With("source", "kafka"), Metrics: m})
}

// startEmbeddedKafka runs franz-go's in-process Kafka-protocol broker on port with the topics
// (12 partitions each, as the seed creates business-events) and their dead-letter topics.
func startEmbeddedKafka(port int, topics []string, dlqSuffix string) (*kfake.Cluster, error) {
	all := append([]string(nil), topics...)
	for _, t := range topics {
		all = append(all, kafka.DeadLetterTopic(t, dlqSuffix))
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(12, all...))
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka on port %d: %w", port, err)
	}
	return c, nil
}

// runSource runs src with the processor until ctx ends, in the background; the returned
// channel yields Run's result.
func runSource(ctx context.Context, src ingress.Source, p *ingress.Processor) <-chan error {
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, p.Handler()) }()
	return done
}
