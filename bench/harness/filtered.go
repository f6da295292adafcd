package harness

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// FilteredResult compares the ingress pre-filter with a bare consumer over the same records.
type FilteredResult struct {
	N int
	// Evtrigger and Bare are records per second from the consumer's start (group join
	// included) to its last record.
	Evtrigger, Bare float64
	// EvtriggerFirst and BareFirst are the times from the start to the first record (mostly
	// the group join).
	EvtriggerFirst, BareFirst time.Duration
}

// Filtered produces n events of a type no rule matches to a topic of their own, then reads
// them twice, one consumer after the other: through evtrigger's Kafka source, processor and
// starter (each event is parsed and dropped by the pre-filter), and with a bare franz-go group
// consumer that only counts the records.
func (e *Env) Filtered(ctx context.Context, name string, n int, timeout time.Duration) (FilteredResult, error) {
	res := FilteredResult{N: n}
	topic := "bench-" + name
	if err := e.CreateTopics(ctx, 12, topic, topic+".dlq"); err != nil {
		return res, err
	}
	errs := make(chan error, 1)
	for i := range n {
		id := eventID(name, i)
		e.Produce(ctx, topic, id, []byte(`{"messageId":"`+id+`","eventType":"user.login","source":"evbench",`+
			`"payload":{"userId":"`+id+`","amount":5000}}`), errs)
	}
	if err := e.Flush(ctx); err != nil {
		return res, err
	}
	select {
	case err := <-errs:
		return res, err
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	if res.Evtrigger, res.EvtriggerFirst, err = e.consumeEvtrigger(ctx, topic, n); err != nil {
		return res, err
	}
	res.Bare, res.BareFirst, err = e.consumeBare(ctx, topic, n)
	return res, err
}

// consumeEvtrigger reads n records of topic through a Kafka source, processor and starter whose
// rules match nothing of the topic's type.
func (e *Env) consumeEvtrigger(ctx context.Context, topic string, n int) (perSec float64, first time.Duration, err error) {
	c, err := e.Dial()
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	rs, err := loadRules(fmt.Sprintf(e2eRule, "http://127.0.0.1:1"))
	if err != nil {
		return 0, 0, err
	}
	proc := ingress.NewProcessor(ingress.NewStarter(c, rs, ingress.StarterOptions{TaskQueue: topic}),
		ingress.ProcessorOptions{Logger: e.Logger})
	src, err := kafka.New(kafka.Options{Conn: kafka.Conn{Brokers: e.Brokers()}, Topics: []string{topic},
		Group: topic + "-evtrigger", Logger: e.Logger})
	if err != nil {
		return 0, 0, fmt.Errorf("kafka source: %w", err)
	}
	cnt := newCounter(n)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- src.Run(sctx, func(ctx context.Context, m ingress.Message) error {
			if err := proc.Handle(ctx, m); err != nil {
				return err
			}
			cnt.add(1)
			return nil
		})
	}()
	perSec, first, err = cnt.wait(ctx)
	stop()
	if rerr := <-done; rerr != nil && err == nil {
		err = fmt.Errorf("kafka source: %w", rerr)
	}
	return perSec, first, err
}

// consumeBare reads n records of topic with a plain franz-go group consumer (autocommit).
func (e *Env) consumeBare(ctx context.Context, topic string, n int) (perSec float64, first time.Duration, err error) {
	cnt := newCounter(n)
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.ConsumerGroup(topic+"-bare"),
		kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return 0, 0, fmt.Errorf("bare consumer: %w", err)
	}
	defer cl.Close()
	go func() {
		for ctx.Err() == nil && !cnt.full() {
			fs := cl.PollFetches(ctx)
			cnt.add(fs.NumRecords())
		}
	}()
	return cnt.wait(ctx)
}

// counter counts records towards n and notes when the first and the n-th arrived.
type counter struct {
	n     int64
	start time.Time
	got   atomic.Int64
	first atomic.Int64 // nanoseconds after start
	done  chan struct{}
	end   time.Time
}

func newCounter(n int) *counter {
	return &counter{n: int64(n), start: time.Now(), done: make(chan struct{})}
}

func (c *counter) add(k int) {
	if k == 0 {
		return
	}
	c.first.CompareAndSwap(0, int64(time.Since(c.start)))
	if now := c.got.Add(int64(k)); now >= c.n && now-int64(k) < c.n {
		c.end = time.Now()
		close(c.done)
	}
}

func (c *counter) full() bool { return c.got.Load() >= c.n }

// wait returns the records per second from the start to the n-th record, and the time to the
// first.
func (c *counter) wait(ctx context.Context) (float64, time.Duration, error) {
	select {
	case <-c.done:
		return float64(c.n) / c.end.Sub(c.start).Seconds(), time.Duration(c.first.Load()), nil
	case <-ctx.Done():
		return 0, 0, fmt.Errorf("%d of %d records consumed: %w", c.got.Load(), c.n, ctx.Err())
	}
}
