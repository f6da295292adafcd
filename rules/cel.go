package rules

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
)

// Defaults of EnvOptions.
const (
	DefaultCostLimit   uint64 = 100000
	DefaultEvalTimeout        = 100 * time.Millisecond
)

// EnvOptions configures the CEL environment of rule conditions.
type EnvOptions struct {
	// CostLimit bounds the CEL cost of one evaluation of one condition; exceeding it is a
	// condition error. 0 means DefaultCostLimit. A condition whose worst case CEL bounds at
	// compile time within the limit, whatever the event (comparisons of fields with literals),
	// runs without counting its cost.
	CostLimit uint64
	// EvalTimeout bounds the time of one evaluation of one condition with a comprehension
	// (all, exists, exists_one, map, filter); exceeding it is a condition error. 0 means
	// DefaultEvalTimeout. A condition without one has no loop: the cost limit bounds it, and it
	// runs without a timer (CEL checks for interrupts only between loop iterations).
	EvalTimeout time.Duration
}

// Env is the CEL environment rule conditions compile in: the variables event, payload and
// metadata, cross-type numeric comparisons and the ext strings library. Build it once with NewEnv
// and share it; it is safe for concurrent use.
type Env struct {
	cel         *cel.Env
	adapter     types.Adapter // the environment's type adapter, a numberAdapter
	costLimit   uint64
	evalTimeout time.Duration
}

// NewEnv builds the CEL environment, applying the defaults of EnvOptions.
func NewEnv(opts EnvOptions) (*Env, error) {
	if opts.CostLimit == 0 {
		opts.CostLimit = DefaultCostLimit
	}
	if opts.EvalTimeout <= 0 {
		opts.EvalTimeout = DefaultEvalTimeout
	}
	dynMap := cel.MapType(cel.StringType, cel.DynType)
	ce, err := cel.NewEnv(
		cel.Variable("event", dynMap),
		cel.Variable("payload", dynMap),
		cel.Variable("metadata", dynMap),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
	)
	if err != nil {
		return nil, fmt.Errorf("new CEL environment: %w", err)
	}
	if ce, err = ce.Extend(cel.CustomTypeAdapter(numberAdapter{base: ce.CELTypeAdapter()})); err != nil {
		return nil, fmt.Errorf("new CEL environment: type adapter: %w", err)
	}
	return &Env{cel: ce, adapter: ce.CELTypeAdapter(), costLimit: opts.CostLimit, evalTimeout: opts.EvalTimeout}, nil
}

// celIssue is one problem with a condition, at a 1-based line and 0-based column of the
// condition text; line 0 when CEL gave no location.
type celIssue struct {
	line, col int
	msg       string
}

// compile checks a non-empty condition and builds its program. The condition must have type
// bool, or dyn (checked when evaluated).
func (e *Env) compile(expr string) (*program, []celIssue) {
	return e.compileAs(expr, "condition", cel.BoolType)
}

// compileAs checks a non-empty expression (what names it in messages) and builds its program.
// Its type must be one of want, or dyn (checked when evaluated).
func (e *Env) compileAs(expr, what string, want ...*cel.Type) (*program, []celIssue) {
	ast, iss := e.cel.Compile(expr)
	if iss.Err() != nil {
		var out []celIssue
		for _, ce := range iss.Errors() {
			out = append(out, celIssue{line: ce.Location.Line(), col: ce.Location.Column(), msg: ce.Message})
		}
		return nil, out
	}
	if t := ast.OutputType(); !t.IsExactType(cel.DynType) && !slices.ContainsFunc(want, t.IsExactType) {
		return nil, []celIssue{{msg: fmt.Sprintf("%s must be %s, got %s", what, typeNames(want), t)}}
	}
	p, err := e.newProgram(ast)
	if err != nil {
		return nil, []celIssue{{msg: err.Error()}}
	}
	return p, nil
}

// typeNames says "a bool" or "a string, int, uint or double".
func typeNames(ts []*cel.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	if len(names) == 1 {
		return "a " + names[0]
	}
	return "a " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// eval runs a condition program (see run) and checks that it yields a bool.
func (e *Env) eval(ctx context.Context, p *program, act *activation) (bool, error) {
	out, err := e.run(ctx, p, act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("condition must be a bool, got %s", out.Type().TypeName())
	}
	return bool(b), nil
}
