package amqp

import (
	"context"
	"fmt"

	"github.com/evtrigger/evtrigger/metrics"
)

// Backlog returns the messages ready in each consumed queue (queue depth), read with a passive
// declare on a short-lived connection of its own. It is the source's metrics.BacklogFunc.
func (s *Source) Backlog(ctx context.Context) (map[string]int64, error) {
	conn, err := s.opts.Conn.dial("evtrigger backlog")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("amqp: open channel: %w", err)
	}
	defer ch.Close()
	out := make(map[string]int64, len(s.opts.Queues))
	for _, q := range s.opts.Queues {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, err := ch.QueueDeclarePassive(q, true, false, false, false, nil)
		if err != nil {
			return nil, fmt.Errorf("amqp: inspect queue %s: %w", q, err)
		}
		out[q] = int64(info.Messages)
	}
	return out, nil
}

// reportBacklog measures the queues' depth every BacklogInterval into Metrics until ctx ends;
// the returned channel closes when it stopped. Without Metrics it does nothing.
func (s *Source) reportBacklog(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if s.opts.Metrics == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		s.opts.Metrics.ReportBacklog(ctx, metrics.SourceAMQP, s.opts.BacklogInterval, s.Backlog, s.opts.Logger)
	}()
	return done
}
