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
	// Rate (events/s) and Paced (duration) of the latency phase.
	Rate  float64
	Paced time.Duration
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

// runPhases warms the system up with one event, then runs the saturated phase and the paced
// phase, each followed by a wait until taskQueue has no running workflow.
func (e *Env) runPhases(ctx context.Context, c client.Client, tq, name string, offer offerFunc, p Phases, arrivals func(*recorder)) (PhaseResult, error) {
	var res PhaseResult
	wctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	if _, err := e.saturate(wctx, offer, name+"-warm", 1, 1, arrivals); err != nil {
		return res, fmt.Errorf("%s warm-up: %w", name, err)
	}
	res.RSSIdle = currentRSS()
	var err error
	sctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	if res.Throughput, err = e.saturate(sctx, offer, name+"-sat", p.N, p.Concurrency, arrivals); err != nil {
		return res, fmt.Errorf("%s saturated: %w", name, err)
	}
	if err := e.waitIdle(sctx, c, tq); err != nil {
		return res, err
	}
	lctx, cancel := context.WithTimeout(ctx, p.Paced+p.Timeout)
	defer cancel()
	if res.Latency, err = e.paced(lctx, offer, name+"-lat", p.Rate, p.Paced, arrivals); err != nil {
		return res, fmt.Errorf("%s paced: %w", name, err)
	}
	if err := e.waitIdle(lctx, c, tq); err != nil {
		return res, err
	}
	res.RSSEnd = currentRSS()
	return res, nil
}

// currentRSS is this process's RSS (0 when unreadable). It forces no collection: the figure is
// what the process holds as it runs.
func currentRSS() int64 {
	v, _ := procstat.RSS(0)
	return v
}
