package main

import (
	"flag"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// kafkaConnFlags say how to reach a Kafka cluster.
type kafkaConnFlags struct {
	brokers, clientID                     string
	saslMechanism, saslUser, saslPassword string
}

func (k *kafkaConnFlags) register(fs *flag.FlagSet) {
	stringFlag(fs, &k.brokers, "kafka-brokers", "", "comma-separated Kafka seed brokers; empty: no Kafka (dev: an embedded broker)")
	stringFlag(fs, &k.clientID, "kafka-client-id", "evtrigger", "Kafka client ID")
	stringFlag(fs, &k.saslMechanism, "kafka-sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	stringFlag(fs, &k.saslUser, "kafka-sasl-user", "", "SASL user")
	stringFlag(fs, &k.saslPassword, "kafka-sasl-password", "", "SASL password (prefer the environment variable)")
}

// kafkaFlags configure the Kafka source.
type kafkaFlags struct {
	kafkaConnFlags
	topics, group, dlqSuffix string
	maxInFlight              int
}

func (k *kafkaFlags) register(fs *flag.FlagSet) {
	k.kafkaConnFlags.register(fs)
	stringFlag(fs, &k.topics, "kafka-topics", "business-events", "comma-separated topics to consume")
	stringFlag(fs, &k.group, "kafka-group", "evtrigger", "consumer group")
	stringFlag(fs, &k.dlqSuffix, "kafka-dlq-suffix", ".dlq", "dead-letter topic of each topic: <topic><suffix>")
	intFlag(fs, &k.maxInFlight, "kafka-max-in-flight", 1000, "records handled at once over all partitions")
}

func (k *kafkaConnFlags) conn() kafka.Conn {
	return kafka.Conn{Brokers: listFlag(k.brokers), ClientID: k.clientID,
		SASL: kafka.SASL{Mechanism: k.saslMechanism, User: k.saslUser, Password: k.saslPassword}}
}

// source returns the Kafka source, or nil when no brokers are configured.
func (k *kafkaFlags) source(logger *slog.Logger) (*kafka.Source, error) {
	if k.brokers == "" {
		return nil, nil
	}
	return kafka.New(kafka.Options{Conn: k.conn(), Topics: listFlag(k.topics), Group: k.group,
		DeadLetterSuffix: k.dlqSuffix, MaxInFlight: k.maxInFlight, Logger: logger.With("source", "kafka")})
}

// startEmbeddedKafka runs franz-go's in-process Kafka-protocol broker on port with the topics
// (12 partitions each, as the seed creates business-events), their dead-letter topics, and the
// outcome topic (6 partitions, as the seed's schedule-tasks) when set.
func startEmbeddedKafka(port int, topics []string, dlqSuffix, outcomesTopic string) (*kfake.Cluster, error) {
	all := append([]string(nil), topics...)
	for _, t := range topics {
		all = append(all, kafka.DeadLetterTopic(t, dlqSuffix))
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port), kfake.SeedTopics(12, all...)}
	if outcomesTopic != "" {
		opts = append(opts, kfake.SeedTopics(6, outcomesTopic))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka on port %d: %w", port, err)
	}
	return c, nil
}
