package harness

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// offerFunc hands the event id to the system under test; sentAt (now, as the offer begins)
// travels with the event so its task's arrival gives the latency.
type offerFunc func(ctx context.Context, id string, sentAt time.Time) error

// Throughput is a saturated phase's result.
type Throughput struct {
	N       int
	Elapsed time.Duration // first offer to last task arrival
	PerSec  float64
	Dups    int // tasks that arrived more than once
	CPU     CPUUse
	// Warnings logged during the phase, counted by message (such as start retries).
	Warnings string
}

// Latency is a paced phase's result: offer to task arrival.
type Latency struct {
	N        int
	P50, P99 time.Duration
	Rate     float64 // events offered per second
	Warnings string  // as in Throughput
}

// saturate offers n events at once, at most concurrency offers in flight, and measures from the
// first offer to the last task's arrival.
func (e *Env) saturate(ctx context.Context, offer offerFunc, prefix string, n, concurrency int, arrivals func(*recorder)) (Throughput, error) {
	rec := newRecorder(prefix, n)
	arrivals(rec)
	defer arrivals(nil)
	e.warnings.Take()
	cpu := e.cpuSnap()
	start := time.Now()
	if err := offerAll(ctx, offer, prefix, n, concurrency); err != nil {
		return Throughput{}, err
	}
	if err := rec.wait(ctx); err != nil {
		return Throughput{}, err
	}
	last, _, dups := rec.result()
	use := e.cpuSince(cpu)
	el := last.Sub(start)
	return Throughput{N: n, Elapsed: el, PerSec: float64(n) / el.Seconds(), Dups: dups, CPU: use, Warnings: e.warnings.Take()}, nil
}

// offerAll offers prefix-00000 ... with at most concurrency offers in flight.
func offerAll(ctx context.Context, offer offerFunc, prefix string, n, concurrency int) error {
	sem := make(chan struct{}, concurrency)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := offer(ctx, eventID(prefix, i), time.Now()); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return fmt.Errorf("offer %s: %w", prefix, err)
	default:
		return nil
	}
}

// paced offers events at rate per second for d (open loop: a slow offer does not delay the
// next) and returns the offer-to-arrival percentiles once every task arrived.
func (e *Env) paced(ctx context.Context, offer offerFunc, prefix string, rate float64, d time.Duration, arrivals func(*recorder)) (Latency, error) {
	n := int(rate * d.Seconds())
	rec := newRecorder(prefix, n)
	arrivals(rec)
	defer arrivals(nil)
	e.warnings.Take()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := offer(ctx, eventID(prefix, i), time.Now()); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
		})
		if i < n-1 {
			<-tick.C
		}
	}
	wg.Wait()
	select {
	case err := <-errs:
		return Latency{}, fmt.Errorf("offer %s: %w", prefix, err)
	default:
	}
	if err := rec.wait(ctx); err != nil {
		return Latency{}, err
	}
	_, lats, _ := rec.result()
	return Latency{N: n, P50: percentile(lats, 50), P99: percentile(lats, 99), Rate: rate, Warnings: e.warnings.Take()}, nil
}

// eventID is the ID of event i of a phase.
func eventID(prefix string, i int) string { return fmt.Sprintf("%s-%06d", prefix, i) }
