package kafka

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/metrics"
)

// Headers of a dead-lettered record, beside the original record's own headers.
const (
	HeaderError             = "evtrigger-error"
	HeaderOriginalTopic     = "evtrigger-original-topic"
	HeaderOriginalPartition = "evtrigger-original-partition"
	HeaderOriginalOffset    = "evtrigger-original-offset"
	HeaderDeadLetteredAt    = "evtrigger-dead-lettered-at"
	// HeaderTruncated, on a dead letter too large for the dead-letter topic, gives the original
	// size in bytes: the dead letter keeps the first TruncatedSize bytes of the value, and the
	// original stays in its topic at the partition and offset the other headers name.
	HeaderTruncated = "evtrigger-truncated-from-bytes"
)

// TruncatedSize is how much of a too-large value a truncated dead letter keeps.
const TruncatedSize = 64 << 10

// process hands r to the handler until it is done: true once the handler succeeded or the
// record was dead-lettered; false when ctx ended first (the record stays uncommitted). The
// record keeps its place t in the partition's arrival order over its retries.
func (s *Source) process(ctx context.Context, r *kgo.Record, t *ingress.Ticket) bool {
	msg := message(r)
	msg.Ticket = t
	for attempt := 0; ; attempt++ {
		msg.Attempt = attempt
		err := s.handler(ctx, msg)
		if err == nil {
			return true
		}
		if reason, poison := ingress.PoisonReason(err); poison {
			return s.deadLetter(ctx, r, reason)
		}
		if ctx.Err() != nil {
			return false
		}
		wait := ingress.Backoff(attempt, s.opts.RetryMin, s.opts.RetryMax)
		s.opts.Logger.Warn("kafka record not started, retrying", "origin", msg.Origin, "retry_in", wait, "error", err)
		if !ingress.Sleep(ctx, wait) {
			return false
		}
	}
}

// message converts a record at the source's edge: no Kafka type goes further.
func message(r *kgo.Record) ingress.Message {
	var headers map[string]string
	if len(r.Headers) > 0 {
		headers = make(map[string]string, len(r.Headers))
		for _, h := range r.Headers {
			headers[h.Key] = string(h.Value)
		}
	}
	part, off := strconv.Itoa(int(r.Partition)), strconv.FormatInt(r.Offset, 10)
	return ingress.Message{
		Body:       r.Value,
		Headers:    headers,
		DefaultID:  "kafka-" + r.Topic + "-" + part + "-" + off,
		Origin:     "kafka " + r.Topic + "/" + part + "@" + off,
		ReceivedAt: time.Now(),
	}
}

// deadLetter writes r to its topic's dead-letter topic with the reason and origin in headers,
// retrying until the write is acknowledged by all in-sync replicas or ctx ends. A value too large
// for the dead-letter topic is truncated (HeaderTruncated), so one huge record cannot stall
// its partition.
func (s *Source) deadLetter(ctx context.Context, r *kgo.Record, reason string) bool {
	dl := &kgo.Record{
		Topic: DeadLetterTopic(r.Topic, s.opts.DeadLetterSuffix),
		Key:   r.Key,
		Value: r.Value,
		Headers: append(append([]kgo.RecordHeader(nil), r.Headers...),
			kgo.RecordHeader{Key: HeaderError, Value: []byte(reason)},
			kgo.RecordHeader{Key: HeaderOriginalTopic, Value: []byte(r.Topic)},
			kgo.RecordHeader{Key: HeaderOriginalPartition, Value: []byte(strconv.Itoa(int(r.Partition)))},
			kgo.RecordHeader{Key: HeaderOriginalOffset, Value: []byte(strconv.FormatInt(r.Offset, 10))},
			kgo.RecordHeader{Key: HeaderDeadLetteredAt, Value: []byte(time.Now().UTC().Format(time.RFC3339Nano))},
		),
	}
	for attempt := 0; ; attempt++ {
		err := s.client.ProduceSync(ctx, dl).FirstErr()
		if errors.Is(err, kerr.MessageTooLarge) && len(dl.Value) > TruncatedSize {
			s.opts.Logger.Warn("kafka dead letter too large, truncating", "topic", r.Topic,
				"partition", r.Partition, "offset", r.Offset, "bytes", len(r.Value))
			dl.Headers = append(dl.Headers, kgo.RecordHeader{Key: HeaderTruncated, Value: []byte(strconv.Itoa(len(r.Value)))})
			dl.Value = dl.Value[:TruncatedSize]
			continue
		}
		if err == nil {
			s.opts.Logger.Warn("kafka record dead-lettered", "topic", r.Topic, "partition", r.Partition,
				"offset", r.Offset, "dead_letter_topic", dl.Topic, "reason", reason)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		s.opts.Logger.Error("kafka dead-letter write failed, retrying", "dead_letter_topic", dl.Topic, "error", err)
		s.opts.Metrics.MessageError(metrics.SourceKafka, metrics.ReasonDeadLetterWrite)
		if !ingress.Sleep(ctx, ingress.Backoff(attempt, s.opts.RetryMin, s.opts.RetryMax)) {
			return false
		}
	}
}
