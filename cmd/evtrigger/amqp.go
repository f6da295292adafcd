package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/metrics"
)

// amqpConnFlags say how to reach RabbitMQ. Credentials come from the URL or from
// $EVTRIGGER_AMQP_USERNAME and $EVTRIGGER_AMQP_PASSWORD (no flags: a flag shows in ps).
type amqpConnFlags struct {
	url, caFile, certFile, keyFile string
}

func (a *amqpConnFlags) register(fs *flag.FlagSet) {
	a.url = os.Getenv(envName("amqp-url"))
	fs.Var(redactedURL{&a.url}, "amqp-url", "RabbitMQ `URL`, amqp://user:pass@host:5672/vhost or amqps://...; empty: no RabbitMQ ($"+envName("amqp-url")+")")
	stringFlag(fs, &a.caFile, "amqp-ca", "", "PEM file of the CAs that verify the broker (amqps)")
	stringFlag(fs, &a.certFile, "amqp-cert", "", "PEM client certificate for mutual TLS (amqps)")
	stringFlag(fs, &a.keyFile, "amqp-key", "", "PEM client key for mutual TLS (amqps)")
}

func (a *amqpConnFlags) conn() amqp.Conn {
	return amqp.Conn{
		URL: a.url, CAFile: a.caFile, CertFile: a.certFile, KeyFile: a.keyFile,
		Username: os.Getenv("EVTRIGGER_AMQP_USERNAME"), Password: os.Getenv("EVTRIGGER_AMQP_PASSWORD"),
	}
}

// redactedURL is a URL flag shown (in -h, as the default from the environment) without its
// password.
type redactedURL struct{ p *string }

func (r redactedURL) String() string {
	if r.p == nil || *r.p == "" {
		return ""
	}
	return amqp.RedactURL(*r.p)
}

func (r redactedURL) Set(s string) error { *r.p = s; return nil }

// amqpFlags configure the RabbitMQ source of dev and ingress.
type amqpFlags struct {
	amqpConnFlags
	topology, queues, deadLetterExchange string
	prefetch, consumers, maxAttempts     int
}

func (a *amqpFlags) register(fs *flag.FlagSet) {
	a.amqpConnFlags.register(fs)
	stringFlag(fs, &a.topology, "amqp-topology", "deploy/rabbitmq/topology.yaml",
		"topology YAML declared on every connect; empty: declare nothing")
	stringFlag(fs, &a.queues, "amqp-queue", amqp.DefaultQueue, "comma-separated queues to consume")
	stringFlag(fs, &a.deadLetterExchange, "amqp-dead-letter-exchange", "",
		"dead-letter exchange of queues whose topology entry names none")
	intFlag(fs, &a.prefetch, "amqp-prefetch", 50, "unacknowledged messages per consumer (basic.qos)")
	intFlag(fs, &a.consumers, "amqp-consumers", 1, "consumers per queue")
	intFlag(fs, &a.maxAttempts, "amqp-max-attempts", 3, "attempts of a message failing transiently before it is dead-lettered")
}

// source returns the RabbitMQ source the flags configure (--amqp-url set), screening messages
// with screen.
func (a *amqpFlags) source(logger *slog.Logger, m *metrics.Metrics, screen func([]byte) bool) (*amqp.Source, error) {
	opts := amqp.Options{
		Conn: a.conn(), Queues: listFlag(a.queues), DeadLetterExchange: a.deadLetterExchange,
		Prefetch: a.prefetch, Consumers: a.consumers, MaxAttempts: a.maxAttempts, Screen: screen,
		Logger: logger, Metrics: m,
	}
	if a.topology != "" {
		topo, err := amqp.LoadTopology(a.topology)
		if err != nil {
			return nil, err
		}
		opts.Topology = topo
	}
	return amqp.New(opts)
}

// describe says, for dev mode's banner, what RabbitMQ source runs (the URL without password).
func (a *amqpFlags) describe() string {
	if a.url == "" {
		return "off (--amqp-url amqp://guest:guest@127.0.0.1:5672/ to consume " + amqp.DefaultQueue + ")"
	}
	return amqp.RedactURL(a.url) + ", queues " + a.queues
}
