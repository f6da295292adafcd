package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/metrics"
)

// kafkaConnFlags say how to reach a Kafka cluster.
type kafkaConnFlags struct {
	brokers, clientID                     string
	saslMechanism, saslUser, saslPassword string
	tls                                   bool
	caFile, certFile, keyFile             string
}

func (k *kafkaConnFlags) register(fs *flag.FlagSet) {
	stringFlag(fs, &k.brokers, "kafka-brokers", "", "comma-separated Kafka seed brokers; empty: no Kafka (dev: an embedded broker)")
	stringFlag(fs, &k.clientID, "kafka-client-id", "evtrigger", "Kafka client ID")
	stringFlag(fs, &k.saslMechanism, "kafka-sasl-mechanism", "", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	stringFlag(fs, &k.saslUser, "kafka-sasl-user", "", "SASL user")
	stringFlag(fs, &k.saslPassword, "kafka-sasl-password", "", "SASL password (prefer the environment variable)")
	boolFlag(fs, &k.tls, "kafka-tls", false, "connect with TLS (implied by --kafka-ca, --kafka-cert)")
	stringFlag(fs, &k.caFile, "kafka-ca", "", "PEM file of the CAs that verify the brokers; default: the system's")
	stringFlag(fs, &k.certFile, "kafka-cert", "", "PEM client certificate for mutual TLS")
	stringFlag(fs, &k.keyFile, "kafka-key", "", "PEM client key for mutual TLS")
}

// tlsConfig builds the TLS configuration the flags ask for; nil without TLS.
func (k *kafkaConnFlags) tlsConfig() (*tls.Config, error) {
	if !k.tls && k.caFile == "" && k.certFile == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k.caFile != "" {
		pem, err := os.ReadFile(k.caFile)
		if err != nil {
			return nil, fmt.Errorf("kafka CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka CA %s: no PEM certificate in it", k.caFile)
		}
	}
	if k.certFile != "" || k.keyFile != "" {
		cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// kafkaFlags configure the Kafka source.
type kafkaFlags struct {
	kafkaConnFlags
	topics, group, dlqSuffix string
	maxInFlight              int
	sessionTimeout           time.Duration
	fetchMaxWait             time.Duration
}

func (k *kafkaFlags) register(fs *flag.FlagSet) {
	k.kafkaConnFlags.register(fs)
	stringFlag(fs, &k.topics, "kafka-topics", "business-events", "comma-separated topics to consume")
	stringFlag(fs, &k.group, "kafka-group", "evtrigger", "consumer group")
	stringFlag(fs, &k.dlqSuffix, "kafka-dlq-suffix", ".dlq", "dead-letter topic of each topic: <topic><suffix>")
	intFlag(fs, &k.maxInFlight, "kafka-max-in-flight", 200, "records handled at once over all partitions (keep it at most the workers' workflow task slots where ingress and worker share a process: eager start needs a free slot)")
	durationFlag(fs, &k.sessionTimeout, "kafka-session-timeout", 45*time.Second,
		"consumer group session timeout: how soon the partitions of an ingress that died move to the others")
	durationFlag(fs, &k.fetchMaxWait, "kafka-fetch-max-wait", 500*time.Millisecond,
		"fetch.max.wait.ms: how long the broker may hold a fetch with no new records (also how long a partition whose fetching resumes after a pause may wait)")
}

// conn is the connection the flags describe. A TLS file that cannot be read makes the
// connection fail with that error (kafka.Conn.Err) when it is used.
func (k *kafkaConnFlags) conn() kafka.Conn {
	c := kafka.Conn{Brokers: listFlag(k.brokers), ClientID: k.clientID,
		SASL: kafka.SASL{Mechanism: k.saslMechanism, User: k.saslUser, Password: k.saslPassword}}
	c.TLS, c.Err = k.tlsConfig()
	return c
}

// source returns the Kafka source the flags configure (brokers set), screening records with
// screen.
func (k *kafkaFlags) source(logger *slog.Logger, m *metrics.Metrics, screen func([]byte) bool) (*kafka.Source, error) {
	return kafka.New(kafka.Options{Conn: k.conn(), Topics: listFlag(k.topics), Group: k.group,
		DeadLetterSuffix: k.dlqSuffix, MaxInFlight: k.maxInFlight, SessionTimeout: k.sessionTimeout,
		FetchMaxWait: k.fetchMaxWait, Screen: screen, Logger: logger.With("source", "kafka"), Metrics: m})
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
