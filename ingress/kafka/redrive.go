package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// HeaderRedrivenFrom is set on a redriven record: the dead letter it came from.
const HeaderRedrivenFrom = "evtrigger-redriven-from"

// RedriveOptions configure Redrive.
type RedriveOptions struct {
	Conn
	// Topic is the dead-letter topic, such as business-events.dlq.
	Topic string
	// Group keeps the redrive's progress. Default "evtrigger-redrive".
	Group string
	// Rate caps the records republished per second; 0 means no cap.
	Rate float64
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// RedriveReport counts what Redrive did.
type RedriveReport struct {
	// Redriven records were republished to their original topic.
	Redriven int
	// Skipped records lack an original topic, or were truncated and their original is gone.
	Skipped int
}

// Redrive republishes the dead letters of opts.Topic to their original topics (after the cause
// was fixed): the original key, value and headers, without evtrigger's dead-letter headers, with
// acks=all. It commits its own progress in Group only after each republish is acknowledged, so
// an interrupted redrive resumes where it stopped, and returns once it caught up with the end of
// the topic as of its start. A truncated dead letter is redriven from the original record, read
// at the offset its headers name.
func Redrive(ctx context.Context, opts RedriveOptions) (RedriveReport, error) {
	if opts.Group == "" {
		opts.Group = "evtrigger-redrive"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	copts, err := opts.Conn.clientOpts()
	if err != nil {
		return RedriveReport{}, err
	}
	cl, err := kgo.NewClient(append(copts, kgo.ConsumerGroup(opts.Group), kgo.ConsumeTopics(opts.Topic),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		return RedriveReport{}, fmt.Errorf("kafka: create client: %w", err)
	}
	defer cl.Close()
	remaining, err := redriveRemaining(ctx, kadm.NewClient(cl), opts)
	if err != nil {
		return RedriveReport{}, err
	}
	r := &redriver{opts: opts, cl: cl, conn: opts.Conn, limit: ingress.NewPacer(opts.Rate)}
	for len(remaining) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return r.report, err
		}
		if err := fetches.Err0(); err != nil {
			return r.report, fmt.Errorf("kafka: fetch %s: %w", opts.Topic, err)
		}
		for _, rec := range fetches.Records() {
			if err := r.redrive(ctx, rec); err != nil {
				return r.report, err
			}
			if rec.Offset+1 >= remaining[rec.Partition] {
				delete(remaining, rec.Partition)
			}
		}
	}
	return r.report, nil
}

// redriveRemaining returns, per partition with dead letters not yet redriven, the end offset.
func redriveRemaining(ctx context.Context, adm *kadm.Client, opts RedriveOptions) (map[int32]int64, error) {
	ends, err := adm.ListEndOffsets(ctx, opts.Topic)
	if err != nil {
		return nil, fmt.Errorf("kafka: list end offsets of %s: %w", opts.Topic, err)
	}
	committed, err := adm.FetchOffsets(ctx, opts.Group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		committed, err = nil, nil // a first redrive: no progress yet
	}
	if err != nil {
		return nil, fmt.Errorf("kafka: fetch offsets of group %s: %w", opts.Group, err)
	}
	starts, err := adm.ListStartOffsets(ctx, opts.Topic)
	if err != nil {
		return nil, fmt.Errorf("kafka: list start offsets of %s: %w", opts.Topic, err)
	}
	remaining := map[int32]int64{}
	for p, end := range ends[opts.Topic] {
		from := starts[opts.Topic][p].Offset
		if c, ok := committed.Lookup(opts.Topic, p); ok && c.Err == nil && c.At > from {
			from = c.At
		}
		if from < end.Offset {
			remaining[p] = end.Offset
		}
	}
	return remaining, nil
}

type redriver struct {
	opts   RedriveOptions
	cl     *kgo.Client
	conn   Conn
	limit  *ingress.Pacer
	report RedriveReport
}

// redrive republishes one dead letter, then commits it.
func (r *redriver) redrive(ctx context.Context, dl *kgo.Record) error {
	out, err := r.original(ctx, dl)
	if err != nil {
		return err
	}
	if out == nil {
		r.report.Skipped++
	} else {
		if err := r.limit.Wait(ctx); err != nil {
			return err
		}
		if err := r.cl.ProduceSync(ctx, out).FirstErr(); err != nil {
			return fmt.Errorf("kafka: republish to %s: %w", out.Topic, err)
		}
		r.report.Redriven++
	}
	if err := r.cl.CommitRecords(ctx, dl); err != nil {
		return fmt.Errorf("kafka: commit redrive progress: %w", err)
	}
	return nil
}

// original rebuilds the record to republish, or returns nil (logged) when it cannot.
func (r *redriver) original(ctx context.Context, dl *kgo.Record) (*kgo.Record, error) {
	where := fmt.Sprintf("%s/%d@%d", dl.Topic, dl.Partition, dl.Offset)
	topic := header(dl, HeaderOriginalTopic)
	if topic == "" {
		r.opts.Logger.Warn("dead letter without original topic, skipped", "dead_letter", where)
		return nil, nil
	}
	out := &kgo.Record{Topic: topic, Key: dl.Key, Value: dl.Value,
		Headers: []kgo.RecordHeader{{Key: HeaderRedrivenFrom, Value: []byte(where)}}}
	for _, h := range dl.Headers {
		if !strings.HasPrefix(h.Key, "evtrigger-") {
			out.Headers = append(out.Headers, h)
		}
	}
	if header(dl, HeaderTruncated) == "" {
		return out, nil
	}
	value, err := r.readOriginal(ctx, dl)
	if err != nil || value == nil {
		r.opts.Logger.Warn("truncated dead letter whose original is gone, skipped", "dead_letter", where, "error", err)
		return nil, nil
	}
	out.Value = value
	return out, nil
}

// readOriginal reads the value of the record a truncated dead letter names; nil when it is no
// longer in its topic.
func (r *redriver) readOriginal(ctx context.Context, dl *kgo.Record) ([]byte, error) {
	topic := header(dl, HeaderOriginalTopic)
	p, err1 := strconv.Atoi(header(dl, HeaderOriginalPartition))
	off, err2 := strconv.ParseInt(header(dl, HeaderOriginalOffset), 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("dead letter names no original partition and offset")
	}
	copts, err := r.conn.clientOpts()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(append(copts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {int32(p): kgo.NewOffset().At(off)}}))...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		fetches := cl.PollFetches(rctx)
		if err := rctx.Err(); err != nil {
			return nil, err
		}
		for _, rec := range fetches.Records() {
			if rec.Offset == off {
				return rec.Value, nil
			}
			if rec.Offset > off {
				return nil, nil // compacted or deleted
			}
		}
	}
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
