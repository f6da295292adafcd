package harness

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/internal/procstat"
)

// Phases say how one system is measured.
type Phases struct {
	// N events are offered at once for the saturated throughput.
	N int
	// Concurrency bounds the ceiling programs' workflow starts in flight. More starts in flight
	// than the server completes within the SDK's 10 s call timeout only time out and retry.
	Concurrency int
	// MaxInFlight is the end-to-end Kafka source's MaxInFlight; 0 keeps its default (200).
	MaxInFlight int
	// WorkerSlots is the end-to-end worker's workflow task slots and activity slots
	// (worker.Options); 0 keeps its defaults (200).
	WorkerSlots int
	// Rate (events/s) and Paced (duration) of each system's latency phase.
	Rate  float64
	Paced time.Duration
	// Blocks: a latency phase that compares systems offers each system Paced/Blocks at a time,
	// the systems taking turns (see latencies).
	Blocks int
	// Timeout bounds each phase's wait for its tasks.
	Timeout time.Duration
}

// PhaseResult is one system's figures from one run.
type PhaseResult struct {
	Throughput Throughput
	Latency    Latency
	// RSSIdle is this process's RSS after the warm-up event, RSSEnd after the paced phase
	// (bytes).
	RSSIdle, RSSEnd int64
}

// system is one system under test, running until closed: a ceiling program or evtrigger's
// end-to-end stack.
type system struct {
	name     string
	client   client.Client // the worker's client, which waitIdle asks; nil: no workflows
	tq       string        // the worker's task queue
	offer    offerFunc
	arrivals func(*recorder) // hands the tasks' arrivals to a phase's recorder (nil: to none)
	errs     <-chan error    // errors of offers reported later (the producer's); nil when none
	close    func()
}

// err returns an offer error reported since the offers, nil when none was.
func (s *system) err() error {
	select {
	case err := <-s.errs:
		return fmt.Errorf("%s: %w", s.name, err)
	default:
		return nil
	}
}

// throughput warms s up with one event, notes the RSS, runs the saturated phase and waits
// until s has no running workflow.
func (e *Env) throughput(ctx context.Context, s *system, p Phases) (PhaseResult, error) {
	var res PhaseResult
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	if err := e.warm(ctx, s); err != nil {
		return res, err
	}
	res.RSSIdle = currentRSS()
	var err error
	if res.Throughput, err = e.saturate(ctx, s.offer, s.name+"-sat", p.N, p.Concurrency, s.arrivals); err != nil {
		return res, fmt.Errorf("%s saturated: %w", s.name, err)
	}
	if err := s.waitIdle(ctx, e); err != nil {
		return res, err
	}
	return res, s.err()
}

// warm offers s one event and waits for its task.
func (e *Env) warm(ctx context.Context, s *system) error {
	if _, err := e.saturate(ctx, s.offer, s.name+"-warm", 1, 1, s.arrivals); err != nil {
		return fmt.Errorf("%s warm-up: %w", s.name, err)
	}
	return nil
}

// warmWithin is warm bounded by timeout.
func (e *Env) warmWithin(ctx context.Context, s *system, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return e.warm(ctx, s)
}

// waitIdle waits until s has no running workflow (at once when it has no workflows).
func (s *system) waitIdle(ctx context.Context, e *Env) error {
	if s.client == nil {
		return nil
	}
	return e.waitIdle(ctx, s.client, s.tq)
}

// alone measures s by itself (throughput, then latency in one block) and closes it.
func (e *Env) alone(ctx context.Context, s *system, p Phases) (PhaseResult, error) {
	defer s.close()
	res, err := e.throughput(ctx, s, p)
	if err != nil {
		return res, err
	}
	p.Blocks = 1
	lats, err := e.latencies(ctx, p, s)
	if err != nil {
		return res, err
	}
	res.Latency = lats[0]
	res.RSSEnd = currentRSS()
	return res, nil
}

// currentRSS is this process's RSS (0 when unreadable). It forces no collection: the figure is
// what the process holds as it runs.
func currentRSS() int64 {
	v, _ := procstat.RSS(0)
	return v
}
