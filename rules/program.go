package rules

import (
	"context"
	"fmt"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/checker"
	celast "cel.dev/cel-go/common/ast"
	celref "cel.dev/cel-go/common/types/ref"
)

// program is a compiled condition or orderBy expression, with the guards its evaluation needs.
type program struct {
	prg cel.Program
	// loops: the expression has a comprehension, the only place CEL checks for an interrupt,
	// so only such a program runs under a context and the evaluation timeout.
	loops bool
	// counted: CEL counts the cost of each evaluation against the cost limit. It does not when
	// the cost estimated at compile time for any input is within the limit.
	counted bool
}

// newProgram builds the program of a checked expression.
func (e *Env) newProgram(ast *cel.Ast) (*program, error) {
	p := &program{loops: hasComprehension(ast), counted: !e.costBounded(ast)}
	opts := []cel.ProgramOption{cel.InterruptCheckFrequency(100), cel.EvalOptions(cel.OptOptimize)}
	if p.counted {
		opts = append(opts, cel.CostLimit(e.costLimit))
	}
	prg, err := e.cel.Program(ast, opts...)
	if err != nil {
		return nil, fmt.Errorf("build program: %w", err)
	}
	p.prg = prg
	return p, nil
}

// hasComprehension reports whether the checked expression has a comprehension (a macro such as
// all, exists, map or filter).
func hasComprehension(ast *cel.Ast) bool {
	nav := celast.NavigateAST(ast.NativeRep())
	return len(celast.MatchDescendants(nav, celast.KindMatcher(celast.ComprehensionKind))) > 0
}

// costBounded reports whether CEL's static estimate of the expression's worst-case cost, with
// nothing known about the sizes of the event's strings, lists and maps, is within the cost
// limit: then no event can make an evaluation exceed it.
func (e *Env) costBounded(ast *cel.Ast) bool {
	est, err := e.cel.EstimateCost(ast, unknownSizes{})
	return err == nil && est.Max <= e.costLimit
}

// unknownSizes is a cost estimator that knows nothing: every input may be of any size, and
// every function costs what CEL's own model says.
type unknownSizes struct{}

// EstimateSize implements checker.CostEstimator: no estimate.
func (unknownSizes) EstimateSize(checker.AstNode) *checker.SizeEstimate { return nil }

// EstimateCallCost implements checker.CostEstimator: no estimate.
func (unknownSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// run evaluates a program. One with a comprehension runs under ctx and the evaluation timeout,
// checked every 100 iterations; one without runs with plain Eval, since CEL would never check
// the context there: a context and a timer per evaluation would cost more than the evaluation.
// The cost limit applies to both (see program.counted).
func (e *Env) run(ctx context.Context, p *program, act *activation) (celref.Val, error) {
	act.adapter = e.adapter
	if !p.loops {
		out, _, err := p.prg.Eval(act)
		return out, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.evalTimeout)
	defer cancel()
	out, _, err := p.prg.ContextEval(ctx, act)
	return out, err
}
