package amqp

import (
	"context"
	"fmt"
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
