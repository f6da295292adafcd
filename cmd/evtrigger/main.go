// Command evtrigger turns business events into durable Temporal workflows that run the tasks
// of matching trigger rules. Run `evtrigger help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its name, one line of help, and what it runs.
type command struct {
	name, usage string
	run         func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "run everything on this machine: Temporal dev server, Kafka broker, worker, ingress and API", runDev},
		{"worker", "run a worker against a Temporal cluster", runWorker},
		{"ingress", "run the HTTP ingress, API and broker sources (Kafka, RabbitMQ) against a Temporal cluster", runIngress},
		{"rules", "rules lint|test (offline); rules list|get|apply|delete|enable|disable|test|versions (API)", runRules},
		{"publish", "publish events to Kafka (--kafka-brokers, --topic) or RabbitMQ (--amqp-url, --exchange, --routing-key)", runPublish},
		{"dlq", "dlq redrive: dead letters back to their origin (--kafka-brokers --topic T.dlq, or --amqp-url --queue Q)", runDLQ},
		{"kafka", "kafka create-topics: create the topics of deploy/kafka/topics.yaml", runKafka},
		{"events", "events status|explain|retry|skip|abort EVENT_ID [--rule R]: operate an event's workflow (API)", runEvents},
		{"replay", "replay a Kafka topic range against the current rules (--dry-run: report only)", runReplay},
	}
}

// errUsage marks an error that is the user's invocation, not a failure: exit code 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "evtrigger:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout)
		}
	}
	return fmt.Errorf("%w: unknown command %q; run `evtrigger help`", errUsage, args[0])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: evtrigger COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nRun `evtrigger COMMAND -h` for a command's flags; every flag can also be set by the\nenvironment variable EVTRIGGER_<FLAG> (upper case, dashes as underscores).")
}
