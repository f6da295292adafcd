// Package celexpr compares CEL (cel-go, configured as evtrigger's rules configure it) with
// expr-lang/expr on the same condition and the same variables. expr is imported here only, never
// by evtrigger itself. Run it with `go test -bench . ./bench/celexpr`; evbench runs the same
// benchmarks for its table.
package celexpr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/evtrigger/evtrigger/bench/rulesbench"
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

// NewCEL compiles the condition in the environment and with the program options of package
// rules (cost limit, interrupt checks, OptOptimize). With guarded, each evaluation runs as rules
// runs it, under ContextEval with a 100 ms timeout; without, plain Eval.
func NewCEL(guarded bool) (Eval, error) {
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
	prg, err := env.Program(ast, cel.CostLimit(100000), cel.InterruptCheckFrequency(100), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("cel program: %w", err)
	}
	act, err := cel.NewActivation(Vars())
	if err != nil {
		return nil, fmt.Errorf("cel activation: %w", err)
	}
	return func() (bool, error) {
		var out any
		if guarded {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
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

// Engines are the variants compared, by name.
var Engines = []struct {
	Name string
	New  func() (Eval, error)
}{
	{"cel (as evtrigger: ContextEval, 100 ms timeout)", func() (Eval, error) { return NewCEL(true) }},
	{"cel (plain Eval)", func() (Eval, error) { return NewCEL(false) }},
	{"expr", NewExpr},
}
