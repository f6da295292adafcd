package kafka

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// commitLoop commits the finished offsets of every partition each CommitInterval until ctx ends.
func (s *Source) commitLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.CommitInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.commitMu.Lock()
		s.commit(ctx, s.client, s.takeAll())
		s.commitMu.Unlock()
	}
}

// commit commits the offsets of parts that moved since their last commit. The caller holds
// commitMu, so a partition is never committed after its final commit on revocation.
func (s *Source) commit(ctx context.Context, cl *kgo.Client, parts []*partition) {
	offsets := map[string]map[int32]kgo.EpochOffset{}
	byTP := map[topicPartition]*partition{}
	for _, p := range parts {
		eo, ok := p.toCommit()
		if !ok {
			continue
		}
		if offsets[p.topic] == nil {
			offsets[p.topic] = map[int32]kgo.EpochOffset{}
		}
		offsets[p.topic][p.id] = eo
		byTP[topicPartition{p.topic, p.id}] = p
	}
	if len(offsets) == 0 {
		return
	}
	cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			s.opts.Logger.Warn("kafka commit failed", "error", err)
			return
		}
		for _, t := range resp.Topics {
			for _, rp := range t.Partitions {
				p := byTP[topicPartition{t.Topic, rp.Partition}]
				if rp.ErrorCode != 0 || p == nil {
					s.opts.Logger.Warn("kafka commit refused", "topic", t.Topic, "partition", rp.Partition, "code", rp.ErrorCode)
					continue
				}
				p.markCommitted(offsets[t.Topic][rp.Partition].Offset)
			}
		}
	})
}
