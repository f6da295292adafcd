package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// runPublish publishes events from a file (one JSON event, or one per line) or stdin to Kafka,
// keyed by event ID, with acks=all and the idempotent producer.
func runPublish(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	var kf kafkaFlags
	var topic string
	var raw bool
	kf.register(fs)
	stringFlag(fs, &topic, "topic", "business-events", "Kafka topic to publish to")
	fs.BoolVar(&raw, "raw", false, "publish the lines as they are, without checking they are valid events (to test dead-lettering)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || kf.brokers == "" {
		return fmt.Errorf("%w: evtrigger publish --kafka-brokers B [--topic T] FILE|-", errUsage)
	}
	bodies, err := readBodies(fs.Arg(0))
	if err != nil {
		return err
	}
	recs := make([]kafka.Record, 0, len(bodies))
	for i, body := range bodies {
		rec := kafka.Record{Topic: topic, Value: body}
		if !raw {
			ev, err := event.Parse(body, event.Options{DefaultID: event.ContentID})
			if err != nil {
				return fmt.Errorf("event %d: %w (use --raw to publish it anyway)", i+1, err)
			}
			rec.Key = []byte(ev.ID)
		}
		recs = append(recs, rec)
	}
	pub, err := kafka.NewPublisher(kf.conn())
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Publish(ctx, recs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published %d event(s) to %s\n", len(recs), topic)
	return nil
}

// readBodies reads one JSON document, or JSON lines, from path ("-" for stdin).
func readBodies(path string) ([][]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
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
