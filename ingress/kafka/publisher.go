package kafka

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Publisher writes records with acks=all and the idempotent producer (franz-go's defaults),
// for `evtrigger publish` and dead-letter redrive.
type Publisher struct {
	cl *kgo.Client
}

// NewPublisher connects a Publisher.
func NewPublisher(conn Conn) (*Publisher, error) {
	opts, err := conn.clientOpts()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: create producer: %w", err)
	}
	return &Publisher{cl: cl}, nil
}

// Record is one record to publish.
type Record struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers map[string]string
}

// Publish writes the records and waits until every one is acknowledged by all in-sync replicas;
// it returns the first error.
func (p *Publisher) Publish(ctx context.Context, recs ...Record) error {
	krs := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		krs[i] = &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value}
		for k, v := range r.Headers {
			krs[i].Headers = append(krs[i].Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	if err := p.cl.ProduceSync(ctx, krs...).FirstErr(); err != nil {
		return fmt.Errorf("kafka: publish: %w", err)
	}
	return nil
}

// Close flushes nothing (Publish waits) and closes the connections.
func (p *Publisher) Close() { p.cl.Close() }
