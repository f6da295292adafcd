package metrics

import (
	"context"
	"log/slog"
	"time"
)

// BacklogFunc reports how many messages wait in each queue a source consumes (a Kafka topic's
// consumer lag, an AMQP queue's depth), by queue name.
//
// A source reports its backlog in one of two ways: it calls SetBacklog whenever it learns a
// queue's depth (an AMQP source gets it from each QueueDeclarePassive), or it hands a
// BacklogFunc to ReportBacklog, which polls it (the Kafka source asks the brokers for the
// group's lag this way).
type BacklogFunc func(ctx context.Context) (map[string]int64, error)

// DefaultBacklogInterval is how often sources poll their backlog unless configured otherwise.
const DefaultBacklogInterval = 10 * time.Second

// SetBacklog sets evtrigger_queue_backlog{source, queue} to n.
func (m *Metrics) SetBacklog(source, queue string, n int64) {
	if m != nil {
		m.backlog.WithLabelValues(source, queue).Set(float64(n))
	}
}

// DeleteBacklog removes the backlog series of source's queue, when it is no longer consumed.
func (m *Metrics) DeleteBacklog(source, queue string) {
	if m != nil {
		m.backlog.DeleteLabelValues(source, queue)
	}
}

// ReportBacklog calls f at once and then every interval (DefaultBacklogInterval when not
// positive) until ctx ends, setting source's backlog gauges from its answers. A queue missing
// from an answer loses its series; a failed call is logged at warn level and keeps the last
// values. When ctx ends it removes the series it set and returns. On a nil *Metrics it returns
// at once.
func (m *Metrics) ReportBacklog(ctx context.Context, source string, interval time.Duration, f BacklogFunc, logger *slog.Logger) {
	if m == nil {
		return
	}
	if interval <= 0 {
		interval = DefaultBacklogInterval
	}
	if logger == nil {
		logger = slog.Default()
	}
	set := map[string]bool{}
	defer func() {
		for q := range set {
			m.DeleteBacklog(source, q)
		}
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		depths, err := f(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("backlog not measured", "source", source, "error", err)
		default:
			m.setBacklogs(source, depths, set)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// setBacklogs sets source's gauges to depths and deletes those of queues in set but not in
// depths; set becomes the queues of depths.
func (m *Metrics) setBacklogs(source string, depths map[string]int64, set map[string]bool) {
	for q := range set {
		if _, ok := depths[q]; !ok {
			m.DeleteBacklog(source, q)
			delete(set, q)
		}
	}
	for q, n := range depths {
		m.SetBacklog(source, q, n)
		set[q] = true
	}
}

// StartBacklog runs ReportBacklog in a goroutine of its own and returns a channel that closes
// when it stopped (at once on a nil *Metrics): sources start it beside their consumer and wait
// for it when they stop.
func (m *Metrics) StartBacklog(ctx context.Context, source string, interval time.Duration, f BacklogFunc, logger *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.ReportBacklog(ctx, source, interval, f, logger)
	}()
	return done
}
