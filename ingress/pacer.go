package ingress

import (
	"context"
	"time"
)

// Pacer spaces calls to Wait at least 1/rate seconds apart (dead-letter redrives use it); a nil
// Pacer never waits.
type Pacer struct {
	every time.Duration
	next  time.Time
}

// NewPacer returns a Pacer for rate calls per second; nil (no limit) when rate <= 0.
func NewPacer(rate float64) *Pacer {
	if rate <= 0 {
		return nil
	}
	return &Pacer{every: time.Duration(float64(time.Second) / rate)}
}

// Wait returns when the next call is due, or ctx's error when ctx ends first.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	now := time.Now()
	if p.next.After(now) {
		if !Sleep(ctx, p.next.Sub(now)) {
			return ctx.Err()
		}
		now = p.next
	}
	p.next = now.Add(p.every)
	return nil
}
