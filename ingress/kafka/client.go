package kafka

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Conn says how to reach a Kafka cluster; the consumer, the dead-letter writer and the
// publisher share it.
type Conn struct {
	// Brokers are the seed brokers, host:port (bootstrap.servers). Required.
	Brokers []string
	// ClientID (client.id). Default "evtrigger".
	ClientID string
	// TLS, when set, connects with it (security.protocol=SSL, or SASL_SSL with SASL).
	TLS *tls.Config
	// SASL authenticates; default none.
	SASL SASL
	// Err, when set, is returned by every client built from this Conn (a configuration that
	// could not be loaded, such as an unreadable CA file).
	Err error
}

// SASL holds SASL credentials. They are never logged.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism, User, Password string
}

// clientOpts are the franz-go options for c. The producer defaults of franz-go apply to every
// client: acks=all and idempotent writes.
func (c Conn) clientOpts() ([]kgo.Opt, error) {
	if c.Err != nil {
		return nil, c.Err
	}
	if len(c.Brokers) == 0 {
		return nil, errors.New("kafka: no brokers")
	}
	id := c.ClientID
	if id == "" {
		id = "evtrigger"
	}
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.ClientID(id)}
	if c.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(c.TLS))
	}
	mech, err := c.SASL.mechanism()
	if err != nil {
		return nil, err
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}

func (a SASL) mechanism() (sasl.Mechanism, error) {
	switch strings.ToUpper(a.Mechanism) {
	case "":
		return nil, nil
	case "PLAIN":
		return plain.Auth{User: a.User, Pass: a.Password}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: a.User, Pass: a.Password}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: a.User, Pass: a.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("kafka: unknown SASL mechanism %q (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", a.Mechanism)
}
