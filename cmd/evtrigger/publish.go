package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/evtrigger/evtrigger/event"
)

// runPublish publishes events from a file (one JSON event, or one per line) or stdin to a
// broker: Kafka with --kafka-brokers, RabbitMQ with --amqp-url. Each broker's flags and
// publishing live in publish_<broker>.go.
func runPublish(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	var kf kafkaPublishFlags
	var af amqpPublishFlags
	var raw bool
	kf.register(fs)
	af.register(fs)
	fs.BoolVar(&raw, "raw", false, "publish the input as it is, without checking it holds valid events (to test dead-lettering)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: publish (--kafka-brokers B [--topic T] | --amqp-url U --exchange X --routing-key K) FILE|-", errUsage)
	}
	bodies, err := readBodies(fs.Arg(0))
	if err != nil {
		return err
	}
	ids, err := eventIDs(bodies, raw)
	if err != nil {
		return err
	}
	switch {
	case kf.brokers != "":
		return kf.publish(ctx, bodies, ids, stdout)
	case af.url != "":
		for _, body := range bodies {
			if err := af.publish(ctx, body, stdout); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: publish needs a broker: --kafka-brokers (Kafka) or --amqp-url (RabbitMQ)", errUsage)
}

// eventIDs checks that every body is a valid event and returns their IDs; with raw, it checks
// nothing and returns no IDs.
func eventIDs(bodies [][]byte, raw bool) ([]string, error) {
	if raw {
		return make([]string, len(bodies)), nil
	}
	ids := make([]string, len(bodies))
	for i, body := range bodies {
		ev, err := event.Parse(body, event.Options{DefaultID: event.ContentID})
		if err != nil {
			return nil, fmt.Errorf("event %d: %w (use --raw to publish it anyway)", i+1, err)
		}
		ids[i] = ev.ID
	}
	return ids, nil
}

// readBodies reads one JSON document, or JSON lines, from path ("-" for stdin); input that is
// neither (with --raw) is one body per non-empty line.
func readBodies(path string) ([][]byte, error) {
	data, err := readFileOrStdin(path)
	if err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimSpace(data); json.Valid(trimmed) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, trimmed); err != nil {
			return nil, err
		}
		return [][]byte{compact.Bytes()}, nil
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 2<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, append([]byte(nil), line...))
		}
	}
	return out, sc.Err()
}
