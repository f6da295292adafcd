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
	Filtered FilteredResult
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
	step("ceiling (a)", func() (err error) {
		r.CeilingA, err = e.Ceiling(ctx, ShapeRegular, fmt.Sprintf("ceil-a-r%d", i), p)
		return
	})
	step("ceiling (b)", func() (err error) {
		r.CeilingB, err = e.Ceiling(ctx, ShapeEagerLocal, fmt.Sprintf("ceil-b-r%d", i), p)
		return
	})
	step("end to end", func() (err error) { r.E2E, err = e.EndToEnd(ctx, fmt.Sprintf("e2e-r%d", i), false, p); return })
	if o.Split {
		step("end to end, split", func() error {
			s, err := e.EndToEnd(ctx, fmt.Sprintf("split-r%d", i), true, p)
			r.Split = &s
			return err
		})
	}
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
