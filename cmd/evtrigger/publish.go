package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

// runPublish publishes one event (a file, or - for stdin) to a broker: RabbitMQ with
// --amqp-url. Each broker's flags and publishing live in publish_<broker>.go.
func runPublish(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	var af amqpPublishFlags
	af.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: publish [flags] FILE|-", errUsage)
	}
	body, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	if af.url != "" {
		return af.publish(ctx, body, stdout)
	}
	return fmt.Errorf("%w: publish needs a broker: --amqp-url (RabbitMQ)", errUsage)
}

// readInput reads a file, or stdin for "-".
func readInput(name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	return b, nil
}
