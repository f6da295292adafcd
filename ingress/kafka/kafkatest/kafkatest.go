// Package kafkatest runs an in-process Kafka-protocol broker (franz-go's kfake, random ports)
// for tests, with helpers to produce records and read a topic.
package kafkatest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// Cluster is a kfake cluster that closes when the test ends.
type Cluster struct {
	*kfake.Cluster
	producer *kgo.Client
}

// NewCluster starts one broker on a random port with the topics seeded, each with partitions.
func NewCluster(t testing.TB, partitions int32, topics ...string) *Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...))
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	p, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()),
		kgo.ProducerBatchMaxBytes(4<<20))
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	t.Cleanup(p.Close)
	return &Cluster{Cluster: c, producer: p}
}

// Brokers are the seed brokers' addresses.
func (c *Cluster) Brokers() []string { return c.ListenAddrs() }

// Produce writes one record (round-robin over partitions) and waits for its acknowledgement.
func (c *Cluster) Produce(t testing.TB, topic string, key, value []byte, headers map[string]string) {
	t.Helper()
	r := &kgo.Record{Topic: topic, Key: key, Value: value}
	for k, v := range headers {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
	}
	if err := c.producer.ProduceSync(context.Background(), r).FirstErr(); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

// Reader reads a topic from its beginning in the background, outside any group.
type Reader struct {
	mu      sync.Mutex
	records []*kgo.Record
}

// NewReader starts reading topic; it stops when the test ends.
func (c *Cluster) NewReader(t testing.TB, topic string) *Reader {
	t.Helper()
	return NewReader(t, c.ListenAddrs(), topic)
}

// NewReader starts reading topic of the cluster at brokers; it stops when the test ends.
func NewReader(t testing.TB, brokers []string, topic string) *Reader {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatalf("reader: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reader{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			fs := cl.PollFetches(ctx)
			fs.EachRecord(func(rec *kgo.Record) {
				r.mu.Lock()
				r.records = append(r.records, rec)
				r.mu.Unlock()
			})
		}
	}()
	t.Cleanup(func() { cancel(); <-done; cl.Close() })
	return r
}

// Records returns the records read so far.
func (r *Reader) Records() []*kgo.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*kgo.Record(nil), r.records...)
}

// Header returns the value of the record's header key, "" when absent.
func Header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// SourceOptions are Source options for tests against c: short intervals, so waits stay short.
func (c *Cluster) SourceOptions(group string, maxInFlight int, topics ...string) kafka.Options {
	return kafka.Options{
		Conn:   kafka.Conn{Brokers: c.Brokers()},
		Topics: topics, Group: group, MaxInFlight: maxInFlight,
		CommitInterval: 50 * time.Millisecond, DrainTimeout: time.Second,
		RetryMin: 10 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		SessionTimeout: 6 * time.Second,
	}
}

// Committed sums the group's committed offsets over the topic's partitions: with offsets
// starting at 0, the number of records committed.
func (c *Cluster) Committed(t testing.TB, group, topic string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resps, err := kadm.NewClient(cl).FetchOffsets(context.Background(), group)
	if err != nil {
		t.Fatalf("fetch offsets of %s: %v", group, err)
	}
	var sum int64
	resps.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic && o.Err == nil && o.At > 0 {
			sum += o.At
		}
	})
	return sum
}
