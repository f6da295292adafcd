package harness

import (
	"context"
	"fmt"
)

// Paired is the latency of ceiling (b) and of evtrigger end to end measured in the same seconds.
type Paired struct {
	CeilingB, E2E Latency
}

// PairedLatency runs ceiling (b) and evtrigger end to end (eager, as EndToEnd) side by side and
// offers events to both in turn, each at p.Rate for p.Paced: one to ceiling (b), 1/(2·rate)
// later one to evtrigger, and so on. Both then meet the same moments of the machine and the
// server (a disk's fsync latency, other work on the cores), which move a latency measured alone
// by more than the distance between the two: their ratio is the steadier figure. Each system
// gets one warm-up event first.
func (e *Env) PairedLatency(ctx context.Context, name string, p Phases) (Paired, error) {
	cs, err := e.startCeiling(ShapeEagerLocal, name+"-b", p.WorkerSlots)
	if err != nil {
		return Paired{}, err
	}
	defer cs.close()
	s, err := e.newE2EStack(ctx, name+"-e2e", false, p.MaxInFlight, p.WorkerSlots)
	if err != nil {
		return Paired{}, err
	}
	defer s.close()
	errs := make(chan error, 1)
	systems := []pacedSystem{
		{cs.offer, name + "-b", cs.arrivals},
		{s.offer(errs), name + "-e2e", func(r *recorder) { s.sink.rec.Store(r) }},
	}
	wctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	for _, sys := range systems {
		if _, err := e.saturate(wctx, sys.offer, sys.prefix+"-warm", 1, 1, sys.arrivals); err != nil {
			return Paired{}, fmt.Errorf("%s warm-up: %w", sys.prefix, err)
		}
	}
	lctx, cancel := context.WithTimeout(ctx, p.Paced+p.Timeout)
	defer cancel()
	lats, err := e.pacedInTurn(lctx, systems, p.Rate, p.Paced)
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return Paired{}, fmt.Errorf("%s paced: %w", name, err)
	}
	return Paired{CeilingB: lats[0], E2E: lats[1]}, nil
}
