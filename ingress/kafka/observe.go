package kafka

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/evtrigger/evtrigger/metrics"
)

// ErrNotRunning is returned by Ready while Run is not consuming.
var ErrNotRunning = errors.New("kafka source not running")

// Ready reports whether the source is consuming and a broker of the cluster answers: nil, or
// an error wrapping ErrNotRunning or the broker's error. For readiness probes.
func (s *Source) Ready(ctx context.Context) error {
	cl := s.live.Load()
	if cl == nil {
		return ErrNotRunning
	}
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("kafka: no broker answers: %w", err)
	}
	return nil
}

// lag returns the group's lag per consumed topic: the records after its committed offsets
// (records fetched but not yet committed included), 0 for a topic none of whose partitions is
// assigned.
func (s *Source) lag(adm *kadm.Client) metrics.BacklogFunc {
	return func(ctx context.Context) (map[string]int64, error) {
		lags, err := adm.Lag(ctx, s.opts.Group)
		if err != nil {
			return nil, fmt.Errorf("kafka: lag of group %s: %w", s.opts.Group, err)
		}
		gl, ok := lags[s.opts.Group]
		if !ok {
			return nil, fmt.Errorf("kafka: lag of group %s: not described", s.opts.Group)
		}
		if err := gl.Error(); errors.Is(err, kerr.GroupIDNotFound) {
			return map[string]int64{}, nil // not joined yet: no lag to report
		} else if err != nil {
			return nil, fmt.Errorf("kafka: lag of group %s: %w", s.opts.Group, err)
		}
		out := make(map[string]int64, len(s.opts.Topics))
		for _, t := range s.opts.Topics {
			out[t] = 0
		}
		for topic, tl := range gl.Lag.TotalByTopic() {
			if _, consumed := out[topic]; consumed {
				out[topic] = tl.Lag
			}
		}
		return out, nil
	}
}
