package kafka

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/metrics"
)

// Source consumes Kafka topics in a consumer group and hands each record to an ingress.Handler.
//
// Records of a partition are handled concurrently (MaxInFlightPerPartition, MaxInFlight in
// all); the group's offset is committed every CommitInterval up to, never past, the first record
// not yet done. A poison record is written to the dead-letter topic (acks=all) before it counts
// as done. A transient failure is retried with backoff while the partition's fetching pauses
// once MaxBufferedPerPartition records wait, so memory stays bounded during an outage. On a
// rebalance, revoked partitions drain for DrainTimeout, commit what finished, and abandon the
// rest to their next owner; lost partitions commit nothing.
type Source struct {
	opts    Options
	handler ingress.Handler
	client  *kgo.Client
	slots   chan struct{}

	mu    sync.Mutex
	parts map[topicPartition]*partition

	commitMu sync.Mutex // serializes commits with the final commit of revoked partitions

	live atomic.Pointer[kgo.Client] // the client while Run consumes, for Ready
}

type topicPartition struct {
	topic string
	id    int32
}

// New returns a Source; it connects when Run is called.
func New(opts Options) (*Source, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	return &Source{opts: opts}, nil
}

// Run joins the group and consumes until ctx ends, then drains, commits, leaves the group and
// returns nil. It returns an error only when the client cannot be created.
func (s *Source) Run(ctx context.Context, h ingress.Handler) error {
	copts, err := s.opts.Conn.clientOpts()
	if err != nil {
		return err
	}
	// Group callbacks may run before NewClient returns: set up their state first.
	s.handler = h
	s.slots = make(chan struct{}, s.opts.MaxInFlight)
	s.parts = map[topicPartition]*partition{}
	reset := kgo.NewOffset().AtStart()
	if s.opts.StartFromLatest {
		reset = kgo.NewOffset().AtEnd()
	}
	cl, err := kgo.NewClient(append(copts,
		kgo.ConsumerGroup(s.opts.Group), kgo.ConsumeTopics(s.opts.Topics...),
		kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll(), kgo.ConsumeResetOffset(reset),
		kgo.OnPartitionsAssigned(s.assigned), kgo.OnPartitionsRevoked(s.revoked), kgo.OnPartitionsLost(s.lost),
		kgo.SessionTimeout(s.opts.SessionTimeout), kgo.FetchMaxWait(s.opts.FetchMaxWait),
		kgo.FetchMaxBytes(s.opts.FetchMaxBytes), kgo.FetchMaxPartitionBytes(s.opts.FetchMaxPartitionBytes),
	)...)
	if err != nil {
		return fmt.Errorf("kafka: create client: %w", err)
	}
	s.client = cl // used from the poll loop on, after every record's partition exists
	s.live.Store(cl)
	defer s.live.Store(nil)

	commitCtx, stopCommits := context.WithCancel(context.Background())
	committerDone := make(chan struct{})
	go func() { s.commitLoop(commitCtx); close(committerDone) }()
	backlogDone := s.opts.Metrics.StartBacklog(ctx, metrics.SourceKafka, s.opts.BacklogInterval, s.lag(kadm.NewClient(cl)), s.opts.Logger)
	s.poll(ctx)
	stopCommits()
	<-committerDone
	<-backlogDone
	s.finish(cl, s.takeAll(), true)
	cl.AllowRebalance()
	cl.Close()
	return nil
}

// poll fetches and queues records until ctx ends. Rebalances wait while records are queued
// (BlockRebalanceOnPoll), so no record of a revoked partition is ever queued after the revoke.
func (s *Source) poll(ctx context.Context) {
	for {
		fetches := s.client.PollRecords(ctx, 1000)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return
		}
		fetches.EachError(func(topic string, p int32, err error) {
			s.opts.Logger.Warn("kafka fetch error", "topic", topic, "partition", p, "error", err)
		})
		fetches.EachPartition(func(ftp kgo.FetchTopicPartition) {
			s.mu.Lock()
			p := s.parts[topicPartition{ftp.Topic, ftp.Partition}]
			s.mu.Unlock()
			if p != nil {
				p.enqueue(ftp.Records)
			}
		})
		s.client.AllowRebalance()
	}
}

func (s *Source) assigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for topic, ids := range assigned {
		for _, id := range ids {
			p := newPartition(s, topic, id)
			s.parts[topicPartition{topic, id}] = p
			p.wg.Add(1)
			go p.pump()
		}
	}
	s.opts.Logger.Info("kafka partitions assigned", "partitions", assigned)
}

func (s *Source) revoked(_ context.Context, cl *kgo.Client, revoked map[string][]int32) {
	s.opts.Logger.Info("kafka partitions revoked", "partitions", revoked)
	s.finish(cl, s.take(revoked), true)
	cl.ResumeFetchPartitions(revoked)
}

func (s *Source) lost(_ context.Context, cl *kgo.Client, lost map[string][]int32) {
	s.opts.Logger.Warn("kafka partitions lost", "partitions", lost)
	parts := s.take(lost)
	for _, p := range parts {
		p.cancel()
	}
	s.finish(cl, parts, false)
	cl.ResumeFetchPartitions(lost)
}

// take returns the named partitions' work; they stay registered until finish commits them.
func (s *Source) take(m map[string][]int32) []*partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*partition
	for topic, ids := range m {
		for _, id := range ids {
			if p := s.parts[topicPartition{topic, id}]; p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *Source) takeAll() []*partition {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*partition, 0, len(s.parts))
	for _, p := range s.parts {
		out = append(out, p)
	}
	return out
}

// finish drains parts (all at once, each for at most DrainTimeout), unregisters them, and with
// commit set commits what finished.
func (s *Source) finish(cl *kgo.Client, parts []*partition, commit bool) {
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() { defer wg.Done(); p.drain(s.opts.DrainTimeout) }()
	}
	wg.Wait()
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	s.mu.Lock()
	for _, p := range parts {
		delete(s.parts, topicPartition{p.topic, p.id})
	}
	s.mu.Unlock()
	if commit {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.commit(ctx, cl, parts)
	}
}
