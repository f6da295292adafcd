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
	// included) to its last record, the mean of the consumer's two reads.
	Evtrigger, Bare float64
	// EvtriggerFirst and BareFirst are the times from the start to the first record (mostly
	// the group join), the mean of the two reads.
	EvtriggerFirst, BareFirst time.Duration
}

// Filtered produces n events of a type no rule matches to a topic of their own, then reads
// them, each time from the start in a consumer group of its own: through evtrigger's Kafka
// source, processor and starter (each event is screened and dropped by the pre-filter), and
// with a bare franz-go group consumer that only counts the records. An unmeasured read comes
// first (the first read after the produce was up to 30% slower, whoever did it), then
// evtrigger, bare, bare, evtrigger: each figure is the mean of a consumer's two reads, so
// neither gains from its place in the order.
func (e *Env) Filtered(ctx context.Context, name string, n int, timeout time.Duration) (FilteredResult, error) {
	res := FilteredResult{N: n}
	topic := "bench-" + name
	if err := e.produceFiltered(ctx, topic, name, n); err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, _, err := e.consumeBare(ctx, topic, "warm-up", n); err != nil {
		return res, err
	}
	var reads [4]struct {
		perSec float64
		first  time.Duration
	}
	for i := range reads {
		var err error
		if i == 0 || i == 3 {
			reads[i].perSec, reads[i].first, err = e.consumeEvtrigger(ctx, topic, i, n)
		} else {
			reads[i].perSec, reads[i].first, err = e.consumeBare(ctx, topic, fmt.Sprint("bare-", i), n)
		}
		if err != nil {
			return res, err
		}
	}
	res.Evtrigger, res.EvtriggerFirst = (reads[0].perSec+reads[3].perSec)/2, (reads[0].first+reads[3].first)/2
	res.Bare, res.BareFirst = (reads[1].perSec+reads[2].perSec)/2, (reads[1].first+reads[2].first)/2
	return res, nil
}

// produceFiltered creates topic and produces n events of type user.login to it.
func (e *Env) produceFiltered(ctx context.Context, topic, name string, n int) error {
	if err := e.CreateTopics(ctx, 12, topic, topic+".dlq"); err != nil {
		return err
	}
	errs := make(chan error, 1)
	for i := range n {
		id := eventID(name, i)
		e.Produce(ctx, topic, id, []byte(`{"messageId":"`+id+`","eventType":"user.login","source":"evbench",`+
			`"payload":{"userId":"`+id+`","amount":5000}}`), errs)
	}
	if err := e.Flush(ctx); err != nil {
		return err
	}
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// consumeEvtrigger reads n records of topic through a Kafka source, processor and starter whose
// rules match nothing of the topic's type, in a consumer group named after read.
func (e *Env) consumeEvtrigger(ctx context.Context, topic string, read, n int) (perSec float64, first time.Duration, err error) {
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
	cnt := newCounter(n)
	// As evtrigger runs it: records the processor's screen turns away are done without a
	// handler call, the others go through the handler. Both count.
	screen := func(value []byte) bool {
		if proc.Screen(value) {
			cnt.add(1)
			return true
		}
		return false
	}
	src, err := kafka.New(kafka.Options{Conn: kafka.Conn{Brokers: e.Brokers()}, Topics: []string{topic},
		Group: fmt.Sprint(topic, "-evtrigger-", read), Screen: screen, Logger: e.Logger})
	if err != nil {
		return 0, 0, fmt.Errorf("kafka source: %w", err)
	}
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

// consumeBare reads n records of topic with a plain franz-go consumer (autocommit) in the group
// topic-group.
func (e *Env) consumeBare(ctx context.Context, topic, group string, n int) (perSec float64, first time.Duration, err error) {
	cnt := newCounter(n)
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers()...), kgo.ConsumerGroup(topic+"-"+group),
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
	if c.first.Load() == 0 {
		c.first.CompareAndSwap(0, int64(time.Since(c.start)))
	}
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
