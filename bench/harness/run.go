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
	// Ceiling (b), end to end, split, end to end without the broker and the Kafka hop stay up until their latencies are taken,
	// in turns.
	var compared []*system
	defer func() {
		for _, s := range compared {
			s.close()
		}
	}()
	saturated := func(res *PhaseResult, open func() (*system, error)) func() error {
		return func() error {
			s, err := open()
			if err != nil {
				return err
			}
			compared = append(compared, s)
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
		compared = append(compared, s)
		return e.warmWithin(ctx, s, p.Timeout)
	})
	step("kafka hop, warm-up", func() error {
		s, err := e.openHop(ctx, fmt.Sprintf("hop-r%d", i))
		if err != nil {
			return err
		}
		compared = append(compared, s)
		return e.warmWithin(ctx, s, p.Timeout)
	})
	step("latencies, in turns", func() error {
		lats, err := e.latencies(ctx, p, compared...)
		if err != nil {
			return err
		}
		r.CeilingB.Latency, r.E2E.Latency = lats[0], lats[1]
		if o.Split {
			r.Split.Latency, lats = lats[2], append(lats[:2:2], lats[3:]...)
		}
		r.Direct, r.Hop = lats[2], lats[3]
		r.E2E.RSSEnd = currentRSS()
		return nil
	})
	step("filtered", func() (err error) {
		r.Filtered, err = e.Filtered(ctx, fmt.Sprintf("filtered-r%d", i), o.FilteredN, p.Timeout)
		return
	})
	step("go benchmarks", func() error { r.Micro = micro(); return nil })
	return r, err
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
