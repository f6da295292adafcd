package harness

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// openHop starts the Kafka hop alone: the end-to-end stack's events produced to a topic of
// their own (12 partitions), read by a bare franz-go group consumer that only takes each
// record's send time out of its body. Its latency is the part of the end-to-end latency that
// the broker sets and ceiling (b) does not have; evtrigger's own share is what is left of the
// end-to-end latency after ceiling (b)'s and this.
func (e *Env) openHop(ctx context.Context, name string) (*system, error) {
	topic := "bench-" + name
	if err := e.CreateTopics(ctx, 12, topic); err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.ConsumerGroup(topic), kgo.ConsumeTopics(topic))
	if err != nil {
		return nil, fmt.Errorf("hop consumer: %w", err)
	}
	var rec atomic.Pointer[recorder]
	cctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for cctx.Err() == nil {
			cl.PollFetches(cctx).EachRecord(func(r *kgo.Record) {
				rec.Load().record(string(r.Key), sentAtOf(r.Value))
			})
		}
	}()
	errs := make(chan error, 1)
	offer := func(ctx context.Context, id string, sentAt time.Time) error {
		e.Produce(ctx, topic, id, e2eBody(id, sentAt), errs)
		return nil
	}
	return &system{name: name, offer: offer, arrivals: func(r *recorder) { rec.Store(r) }, errs: errs,
		close: func() { cancel(); <-done; cl.Close() }}, nil
}

// sentAtOf reads payload.sentAt out of an e2eBody (the zero time when it has none).
func sentAtOf(body []byte) time.Time {
	const key = `"sentAt":"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return time.Time{}
	}
	v := body[i+len(key):]
	if j := bytes.IndexByte(v, '"'); j >= 0 {
		v = v[:j]
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n)
}
