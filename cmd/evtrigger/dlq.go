package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// runDLQ handles dead letters: `dlq redrive` moves them back to where they were published,
// from Kafka with --kafka-brokers, from RabbitMQ with --amqp-url. Each broker's part lives in
// dlq_<broker>.go.
func runDLQ(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "redrive" {
		return fmt.Errorf("%w: dlq redrive [flags]", errUsage)
	}
	fs := flag.NewFlagSet("dlq redrive", flag.ContinueOnError)
	var af amqpRedriveFlags
	var kf kafkaRedriveFlags
	af.register(fs)
	kf.register(fs)
	var rate string
	stringFlag(fs, &rate, "rate", "", "messages moved per second at most, such as 50/s; empty: no limit")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	perSecond, err := parseRate(rate)
	if err != nil {
		return err
	}
	switch {
	case kf.brokers != "":
		return kf.redrive(ctx, perSecond, stdout)
	case af.url != "":
		return af.redrive(ctx, perSecond, stdout)
	}
	return fmt.Errorf("%w: dlq redrive needs a broker: --kafka-brokers (Kafka) or --amqp-url (RabbitMQ)", errUsage)
}

// parseRate reads "N/s" or "N" as N per second; "" is no limit (0).
func parseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(s, "/s"), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: --rate %q is not a positive number per second (50/s)", errUsage, s)
	}
	return n, nil
}
