// Package celexpr compares CEL (cel-go, configured as evtrigger's rules configure it) with
// expr-lang/expr on the same condition and the same variables. expr is imported here only, never
// by evtrigger itself. Run it with `go test -bench . ./bench/celexpr`; evbench runs the same
// benchmarks for its table.
package celexpr

import (
	"context"
	"fmt"
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/evtrigger/evtrigger/bench/rulesbench"
	"github.com/evtrigger/evtrigger/rules"
)

// Condition is the condition both engines evaluate.
const Condition = `payload.amount > 1000 && event.type == "order.created"`

// Vars are the variables of one event, as evtrigger binds them: event, and its payload and
// metadata also on their own.
func Vars() map[string]any {
	payload := map[string]any{"orderId": "order-12345", "amount": 1999.99, "currency": "CNY"}
	metadata := map[string]any{"traceId": "trace-abcdef-123456"}
	ev := map[string]any{"id": "msg-1", "type": "order.created", "source": "order-service",
		"priority": "HIGH", "payload": payload, "metadata": metadata}
	return map[string]any{"event": ev, "payload": payload, "metadata": metadata}
}

// Eval evaluates the condition once.
type Eval func() (bool, error)

// CEL variants: how package rules evaluates a condition depends on what CEL can bound when it
// compiles it.
const (
	// Bounded is a condition whose worst-case cost CEL bounds at compile time within the cost
	// limit, like Condition: rules evaluates it with plain Eval and no run-time cost counting.
	Bounded = iota
	// Counted is a loop-free condition CEL cannot bound (a string function on a field, say):
	// plain Eval, counting its cost against the limit.
	Counted
	// Guarded is a condition with a comprehension: ContextEval under a new 100 ms timeout,
	// counting its cost. Before rules told these apart, every condition ran this way.
	Guarded
)

// NewCEL compiles the condition in the environment of package rules (the same variables,
// cross-type numeric comparisons, ext strings) and evaluates it as rules evaluates the given
// variant (Bounded, Counted or Guarded). For Bounded it first checks that CEL does bound the
// condition within rules.DefaultCostLimit.
func NewCEL(variant int) (Eval, error) {
	dyn := cel.MapType(cel.StringType, cel.DynType)
	env, err := cel.NewEnv(cel.Variable("event", dyn), cel.Variable("payload", dyn), cel.Variable("metadata", dyn),
		cel.CrossTypeNumericComparisons(true), ext.Strings())
	if err != nil {
		return nil, fmt.Errorf("cel env: %w", err)
	}
	ast, iss := env.Compile(Condition)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cel compile: %w", iss.Err())
	}
	opts := []cel.ProgramOption{cel.InterruptCheckFrequency(100), cel.EvalOptions(cel.OptOptimize)}
	if variant == Bounded {
		est, err := env.EstimateCost(ast, unknownSizes{})
		if err != nil || est.Max > rules.DefaultCostLimit {
			return nil, fmt.Errorf("cel cost estimate %v, %v: not bounded within %d", est, err, rules.DefaultCostLimit)
		}
	} else {
		opts = append(opts, cel.CostLimit(rules.DefaultCostLimit))
	}
	prg, err := env.Program(ast, opts...)
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	act, err := cel.NewActivation(Vars())
	if err != nil {
		return nil, fmt.Errorf("cel activation: %w", err)
	}
	return func() (bool, error) {
		var out any
		if variant == Guarded {
			ctx, cancel := context.WithTimeout(context.Background(), rules.DefaultEvalTimeout)
			defer cancel()
			v, _, err := prg.ContextEval(ctx, act)
			if err != nil {
				return false, err
			}
			out = v
		} else {
			v, _, err := prg.Eval(act)
			if err != nil {
				return false, err
			}
			out = v
		}
		b, ok := out.(types.Bool)
		return bool(b), boolErr(ok)
	}, nil
}

// unknownSizes is the cost estimator rules uses: nothing known about input sizes.
type unknownSizes struct{}

func (unknownSizes) EstimateSize(checker.AstNode) *checker.SizeEstimate { return nil }

func (unknownSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// NewExpr compiles the condition with expr, typed against Vars and required to be a bool.
func NewExpr() (Eval, error) {
	vars := Vars()
	prg, err := expr.Compile(Condition, expr.Env(vars), expr.AsBool())
	if err != nil {
		return nil, fmt.Errorf("expr compile: %w", err)
	}
	var machine vm.VM
	return func() (bool, error) {
		out, err := machine.Run(prg, vars)
		if err != nil {
			return false, err
		}
		b, ok := out.(bool)
		return b, boolErr(ok)
	}, nil
}

func boolErr(ok bool) error {
	if !ok {
		return fmt.Errorf("condition is not a bool")
	}
	return nil
}

// Benchmark returns the benchmark of one evaluation by f's engine.
func Benchmark(newEval func() (Eval, error)) func(b *testing.B) {
	return func(b *testing.B) {
		eval, err := newEval()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu := rulesbench.ProcessCPU()
		for b.Loop() {
			if ok, err := eval(); !ok || err != nil {
				b.Fatalf("condition: %v, %v", ok, err)
			}
		}
		rulesbench.ReportCPU(b, cpu)
	}
}

// Engines are the variants compared, by name; expr is the last. The first is how rules evaluates
// Condition; the second how it evaluates a loop-free condition CEL cannot bound; the third how
// it evaluates one with a comprehension, and how it evaluated every condition before.
var Engines = []struct {
	Name string
	New  func() (Eval, error)
}{
	{"cel (as evtrigger: Eval, cost bounded at compile)", func() (Eval, error) { return NewCEL(Bounded) }},
	{"cel (Eval, cost counted)", func() (Eval, error) { return NewCEL(Counted) }},
	{"cel (ContextEval, 100 ms timeout, cost counted)", func() (Eval, error) { return NewCEL(Guarded) }},
	{"expr", NewExpr},
}
