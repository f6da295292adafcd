package harness

import (
	"context"
	"fmt"
	"strings"
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

// latencies measures each system's offer-to-arrival latency at p.Rate for p.Paced in all, in
// p.Blocks blocks per system. The systems take turns, block by block (in order in even rounds,
// in reverse order in odd ones, so that none always follows the same one), and each block ends
// with its system idle (every task arrived, no workflow running), so blocks never overlap and
// the systems never compete. Measured this way, systems compared by a ratio meet the same
// minutes of the machine and of the server; separate phases minutes apart do not (on a shared
// machine, one program's p50 moved by a third from one run to the next).
func (e *Env) latencies(ctx context.Context, p Phases, systems ...*system) ([]Latency, error) {
	blocks := max(p.Blocks, 1)
	n := int(p.Rate * p.Paced.Seconds())
	lats := make([][]time.Duration, len(systems))
	warns := make([][]string, len(systems))
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(systems))*p.Paced+p.Timeout)
	defer cancel()
	for b := range blocks {
		k := n*(b+1)/blocks - n*b/blocks // this block's share of the n events
		if k == 0 {
			continue
		}
		for _, i := range turns(len(systems), b) {
			s := systems[i]
			l, w, err := e.paced(ctx, s, fmt.Sprintf("%s-lat%03d", s.name, b), p.Rate, k)
			if err != nil {
				return nil, err
			}
			lats[i] = append(lats[i], l...)
			if w != "" {
				warns[i] = append(warns[i], w)
			}
			if err := s.waitIdle(ctx, e); err != nil {
				return nil, err
			}
			if err := s.err(); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Latency, len(systems))
	for i, l := range lats {
		out[i] = Latency{N: len(l), P50: percentile(l, 50), P99: percentile(l, 99), Rate: p.Rate,
			Warnings: strings.Join(warns[i], "; ")}
	}
	return out, nil
}

// turns is the order in which n systems take round b's blocks: in order when b is even, in
// reverse when it is odd.
func turns(n, b int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if b%2 == 1 {
			order[i] = n - 1 - i
		}
	}
	return order
}

// paced offers n events to s at rate per second (open loop: a slow offer does not delay the
// next) and returns their offer-to-arrival latencies, and the warnings logged meanwhile, once
// every task arrived.
func (e *Env) paced(ctx context.Context, s *system, prefix string, rate float64, n int) ([]time.Duration, string, error) {
	rec := newRecorder(prefix, n)
	s.arrivals(rec)
	defer s.arrivals(nil)
	e.warnings.Take()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.offer(ctx, eventID(prefix, i), time.Now()); err != nil {
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
		return nil, "", fmt.Errorf("offer %s: %w", prefix, err)
	default:
	}
	if err := rec.wait(ctx); err != nil {
		return nil, "", err
	}
	_, lats, _ := rec.result()
	return lats, e.warnings.Take(), nil
}

// eventID is the ID of event i of a phase.
func eventID(prefix string, i int) string { return fmt.Sprintf("%s-%06d", prefix, i) }
