package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress"
)

// RangeOptions choose the records ReadRange reads: from FromOffset (in every partition) or from
// FromTime, up to ToTime or the end of each partition as it was when the read began.
type RangeOptions struct {
	Conn
	Topic string
	// FromOffset is the first offset read in every partition (clamped to the partition's start);
	// used when FromTime is zero. Default 0: the beginning.
	FromOffset int64
	// FromTime, when set, starts each partition at its first record at or after it.
	FromTime time.Time
	// ToTime, when set, stops each partition before its first record at or after it.
	ToTime time.Time
}

// ReadRange reads the records of a topic in the range, outside any consumer group and without
// committing anything, and hands each to h in offset order per partition. It returns how many
// records it read, or the first error of h.
func ReadRange(ctx context.Context, opts RangeOptions, h ingress.Handler) (int, error) {
	copts, err := opts.Conn.clientOpts()
	if err != nil {
		return 0, err
	}
	admCl, err := kgo.NewClient(copts...)
	if err != nil {
		return 0, fmt.Errorf("kafka: create client: %w", err)
	}
	starts, ends, err := rangeOffsets(ctx, kadm.NewClient(admCl), opts)
	admCl.Close()
	if err != nil {
		return 0, err
	}
	consume := map[string]map[int32]kgo.Offset{opts.Topic: {}}
	remaining := map[int32]int64{} // partition → end offset, for partitions with records to read
	for p, start := range starts {
		if start < ends[p] {
			consume[opts.Topic][p] = kgo.NewOffset().At(start)
			remaining[p] = ends[p]
		}
	}
	if len(remaining) == 0 {
		return 0, nil
	}
	cl, err := kgo.NewClient(append(copts, kgo.ConsumePartitions(consume))...)
	if err != nil {
		return 0, fmt.Errorf("kafka: create client: %w", err)
	}
	defer cl.Close()
	return drainRange(ctx, cl, remaining, h)
}

// drainRange polls until every partition in remaining reached its end offset.
func drainRange(ctx context.Context, cl *kgo.Client, remaining map[int32]int64, h ingress.Handler) (int, error) {
	read := 0
	for len(remaining) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return read, err
		}
		var herr error
		fetches.EachError(func(t string, p int32, err error) { herr = errors.Join(herr, fmt.Errorf("fetch %s/%d: %w", t, p, err)) })
		if herr != nil {
			return read, herr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			end, ok := remaining[r.Partition]
			if herr != nil || !ok || r.Offset >= end {
				return
			}
			read++
			herr = h(ctx, message(r))
			if r.Offset+1 >= end {
				delete(remaining, r.Partition)
			}
		})
		if herr != nil {
			return read, herr
		}
	}
	return read, nil
}

// rangeOffsets returns, per partition, the first offset to read and the offset to stop before.
func rangeOffsets(ctx context.Context, adm *kadm.Client, opts RangeOptions) (starts, ends map[int32]int64, err error) {
	first, err := adm.ListStartOffsets(ctx, opts.Topic)
	if err == nil {
		err = first.Error()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: list start offsets of %s: %w", opts.Topic, err)
	}
	if _, ok := first[opts.Topic]; !ok {
		return nil, nil, fmt.Errorf("kafka: topic %s not found", opts.Topic)
	}
	last, err := adm.ListEndOffsets(ctx, opts.Topic)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: list end offsets of %s: %w", opts.Topic, err)
	}
	starts, ends = map[int32]int64{}, map[int32]int64{}
	for p, o := range first[opts.Topic] {
		starts[p] = max(o.Offset, opts.FromOffset)
		ends[p] = last[opts.Topic][p].Offset
	}
	if !opts.FromTime.IsZero() {
		if err := atTime(ctx, adm, opts.Topic, opts.FromTime, starts, later); err != nil {
			return nil, nil, err
		}
	}
	if !opts.ToTime.IsZero() {
		if err := atTime(ctx, adm, opts.Topic, opts.ToTime, ends, earlier); err != nil {
			return nil, nil, err
		}
	}
	return starts, ends, nil
}

// atTime combines offsets with the first offsets at or after t, partition by partition.
func atTime(ctx context.Context, adm *kadm.Client, topic string, t time.Time, offsets map[int32]int64, combine func(a, b int64) int64) error {
	listed, err := adm.ListOffsetsAfterMilli(ctx, t.UnixMilli(), topic)
	if err != nil {
		return fmt.Errorf("kafka: list offsets of %s at %s: %w", topic, t.Format(time.RFC3339), err)
	}
	for p, o := range listed[topic] {
		if _, ok := offsets[p]; ok && o.Err == nil && o.Offset >= 0 {
			offsets[p] = combine(offsets[p], o.Offset)
		}
	}
	return nil
}

func later(a, b int64) int64   { return max(a, b) }
func earlier(a, b int64) int64 { return min(a, b) }
