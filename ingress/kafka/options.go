// Package kafka is the Kafka ingress source (franz-go): a consumer group whose records become
// ingress.Messages, committed only up to the first record whose workflow start is not yet
// acknowledged, with poison records written to a dead-letter topic before they are committed.
package kafka

import (
	"errors"
	"log/slog"
	"time"

	"github.com/evtrigger/evtrigger/metrics"
)

// Options configure a Source. Brokers is required; every other zero value takes the default in
// its doc.
type Options struct {
	// Conn says how to reach the cluster.
	Conn
	// Topics to consume. Default ["business-events"].
	Topics []string
	// Group is the consumer group (group.id). Default "evtrigger".
	Group string
	// DeadLetterSuffix names each topic's dead-letter topic: <topic><suffix>. Default ".dlq".
	DeadLetterSuffix string
	// MaxInFlight bounds the records being handled at once over all partitions. Default 200,
	// the worker's workflow task slots (worker.Options): an eager start needs a free slot, and
	// a start beyond them goes through matching instead, which costs the server more per event
	// than the concurrency gains (bench: 1,000 in flight gave 110 events/s at 11.2 ms of server
	// CPU per event, 200 gave 132 at 8.9 ms).
	MaxInFlight int
	// MaxInFlightPerPartition bounds the records of one partition handled at once. Default 100.
	MaxInFlightPerPartition int
	// MaxBufferedPerPartition is how many fetched records of a partition may wait (handled or
	// not, uncommitted) before its fetching is paused. Default 1000.
	MaxBufferedPerPartition int
	// CommitInterval is how often finished offsets are committed. Default 500ms.
	CommitInterval time.Duration
	// DrainTimeout is how long, on shutdown or when a partition is revoked, records in flight
	// may finish before they are abandoned (left uncommitted, so they are redelivered).
	// Default 5s; keep it well under the rebalance timeout (60s).
	DrainTimeout time.Duration
	// RetryMin and RetryMax bound the backoff between retries of a transient failure
	// (Temporal unreachable). Defaults 100ms and 10s.
	RetryMin, RetryMax time.Duration
	// SessionTimeout (session.timeout.ms). Default 45s.
	SessionTimeout time.Duration
	// FetchMaxWait (fetch.max.wait.ms) is how long the broker may hold a fetch that has no new
	// records yet. A partition whose fetching resumes waits for the fetch in flight, so this
	// also bounds how long a paused partition idles after it resumes. Default 500ms, as the
	// Java consumer's (franz-go's own default is 5s).
	FetchMaxWait time.Duration
	// FetchMaxBytes (fetch.max.bytes). Default 50 MiB.
	FetchMaxBytes int32
	// FetchMaxPartitionBytes (max.partition.fetch.bytes). Default 1 MiB.
	FetchMaxPartitionBytes int32
	// StartFromLatest makes a group without committed offsets start at the end of the topics
	// (auto.offset.reset=latest). Default: from the beginning (earliest), as the seed does.
	StartFromLatest bool
	// Screen, when set, sees each record's value as it is fetched, in the poll loop: true means
	// the record needs no handling (ingress.Processor.Screen: a valid event no rule listens to).
	// Such a record is done at once: it takes no in-flight slot, never counts towards
	// MaxBufferedPerPartition, and is committed like a handled one. It must be fast and must
	// not block. Nil: every record is handled.
	Screen func(value []byte) bool
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Metrics receives the consumer lag per topic (evtrigger_queue_backlog{source="kafka"})
	// and dead-letter write failures. The Processor handing records to Run counts the rest.
	// Nil: none.
	Metrics *metrics.Metrics
	// BacklogInterval is how often the group's lag is measured. Default
	// metrics.DefaultBacklogInterval (10s).
	BacklogInterval time.Duration
}

func (o *Options) fill() error {
	if len(o.Brokers) == 0 {
		return errors.New("kafka: no brokers")
	}
	if len(o.Topics) == 0 {
		o.Topics = []string{"business-events"}
	}
	setDefault(&o.Group, "evtrigger")
	setDefault(&o.DeadLetterSuffix, ".dlq")
	setDefault(&o.MaxInFlight, 200)
	setDefault(&o.MaxInFlightPerPartition, 100)
	o.MaxInFlightPerPartition = min(o.MaxInFlightPerPartition, o.MaxInFlight)
	setDefault(&o.MaxBufferedPerPartition, 1000)
	setDefault(&o.CommitInterval, 500*time.Millisecond)
	setDefault(&o.DrainTimeout, 5*time.Second)
	setDefault(&o.RetryMin, 100*time.Millisecond)
	setDefault(&o.RetryMax, 10*time.Second)
	setDefault(&o.SessionTimeout, 45*time.Second)
	setDefault(&o.FetchMaxWait, 500*time.Millisecond)
	setDefault(&o.FetchMaxBytes, 50<<20)
	setDefault(&o.FetchMaxPartitionBytes, 1<<20)
	setDefault(&o.BacklogInterval, metrics.DefaultBacklogInterval)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// DeadLetterTopic is the dead-letter topic of topic under suffix.
func DeadLetterTopic(topic, suffix string) string { return topic + suffix }
