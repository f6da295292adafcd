package harness

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/bench/celexpr"
	"github.com/evtrigger/evtrigger/bench/rulesbench"
)

// RunOptions say what one run measures.
type RunOptions struct {
	Phases Phases
	// FilteredN records are read by each consumer of the filtered comparison.
	FilteredN int
	// Split adds the end-to-end run with starter and worker on separate clients.
	Split bool
}

// Run is one run's figures.
type Run struct {
	Index    int
	Load1    float64 // 1-minute load average when the run started
	Noisy    bool
	CeilingA PhaseResult
	CeilingB PhaseResult
	E2E      PhaseResult
	Split    *PhaseResult
	// Direct is the end-to-end stack without the broker (e2eStack.direct); Hop is the Kafka
	// hop alone (openHop): produce to a bare consumer's poll.
	Direct, Hop Latency
	Filtered    FilteredResult
	// Micro holds the Go benchmarks' nanoseconds per operation, by name.
	Micro map[string]float64
}

// RunOnce runs every comparison once, in sequence, against the same stack. Names carry the
// run's index so that no run sees another's workflows or records.
func (e *Env) RunOnce(ctx context.Context, i int, o RunOptions, log func(string, ...any)) (Run, error) {
	r := Run{Index: i}
	r.Load1, _ = LoadAverage()
	r.Noisy = Noisy(r.Load1, runtime.NumCPU())
	var err error
	step := func(name string, f func() error) {
		if err != nil {
			return
		}
		start := time.Now()
		if err = f(); err == nil {
			log("run %d: %s done in %s", i, name, time.Since(start).Round(time.Second))
		}
	}
	p := o.Phases
	step("ceiling (a)", func() error {
		s, err := e.openCeiling(ShapeRegular, fmt.Sprintf("ceil-a-r%d", i), p)
		if err == nil {
			r.CeilingA, err = e.alone(ctx, s, p)
		}
		return err
	})
	turns := &inTurns{}
	defer turns.close()
	e.compared(ctx, i, o, &r, turns, step)
	step("filtered", func() (err error) {
		r.Filtered, err = e.Filtered(ctx, fmt.Sprintf("filtered-r%d", i), o.FilteredN, p.Timeout)
		return
	})
	step("go benchmarks", func() error { r.Micro = micro(); return nil })
	return r, err
}

// inTurnsNames names the systems whose latencies a run takes in turns (see compared).
func (o RunOptions) inTurnsNames() string {
	if o.Split {
		return "ceiling (b), end to end, split, end to end without the broker and the Kafka hop"
	}
	return "ceiling (b), end to end, end to end without the broker and the Kafka hop"
}

// inTurns holds the systems whose latencies are taken in turns, and where each one's goes.
type inTurns struct {
	systems []*system
	into    []*Latency
}

func (t *inTurns) add(s *system, into *Latency) {
	t.systems = append(t.systems, s)
	t.into = append(t.into, into)
}

func (t *inTurns) close() {
	for _, s := range t.systems {
		s.close()
	}
}

// compared runs the systems compared with each other: ceiling (b), end to end and split, each
// saturated in turn and left running; end to end without the broker and the Kafka hop, warmed
// up; then the latencies of all five, in turns.
func (e *Env) compared(ctx context.Context, i int, o RunOptions, r *Run, turns *inTurns, step func(string, func() error)) {
	p := o.Phases
	saturated := func(res *PhaseResult, open func() (*system, error)) func() error {
		return func() error {
			s, err := open()
			if err != nil {
				return err
			}
			turns.add(s, &res.Latency)
			*res, err = e.throughput(ctx, s, p)
			return err
		}
	}
	step("ceiling (b), saturated", saturated(&r.CeilingB, func() (*system, error) {
		return e.openCeiling(ShapeEagerLocal, fmt.Sprintf("ceil-b-r%d", i), p)
	}))
	var stack *e2eStack
	step("end to end, saturated", saturated(&r.E2E, func() (s *system, err error) {
		s, stack, err = e.openE2E(ctx, fmt.Sprintf("e2e-r%d", i), false, p)
		return s, err
	}))
	if o.Split {
		r.Split = &PhaseResult{}
		step("end to end, split, saturated", saturated(r.Split, func() (*system, error) {
			s, _, err := e.openE2E(ctx, fmt.Sprintf("split-r%d", i), true, p)
			return s, err
		}))
	}
	step("without the broker, warm-up", func() error {
		s := stack.direct(fmt.Sprintf("direct-r%d", i))
		turns.add(s, &r.Direct)
		return e.warmWithin(ctx, s, p.Timeout)
	})
	step("kafka hop, warm-up", func() error {
		s, err := e.openHop(ctx, fmt.Sprintf("hop-r%d", i))
		if err != nil {
			return err
		}
		turns.add(s, &r.Hop)
		return e.warmWithin(ctx, s, p.Timeout)
	})
	step("latencies, in turns", func() error {
		lats, err := e.latencies(ctx, p, turns.systems...)
		if err != nil {
			return err
		}
		for k, l := range lats {
			*turns.into[k] = l
		}
		r.E2E.RSSEnd = currentRSS()
		return nil
	})
}

// Micro benchmark names.
const (
	microRules = "rules evaluation, %d rules"
)

// micro runs the rule and condition benchmarks (testing.Benchmark, about a second each).
func micro() map[string]float64 {
	out := map[string]float64{}
	for _, n := range rulesbench.Sizes {
		out[fmt.Sprintf(microRules, n)] = nsPerOp(testing.Benchmark(rulesbench.Evaluate(n)))
	}
	for _, eng := range celexpr.Engines {
		out[eng.Name] = nsPerOp(testing.Benchmark(celexpr.Benchmark(eng.New)))
	}
	return out
}

func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}
