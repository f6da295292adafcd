package rules

import (
	"context"
	"strings"
)

// compileCondition compiles a condition; nil for an empty one, which always holds. CEL's
// problems are reported at their position in the condition (see reporter.addCEL).
func compileCondition(expr string, env *Env, rep *reporter) *program {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	prg, issues := env.compile(expr)
	for _, is := range issues {
		rep.addCEL("condition", expr, is)
	}
	return prg
}

// holds evaluates the rule's condition against one event's activation.
func (c *Compiled) holds(ctx context.Context, act *activation) (bool, error) {
	if c.program == nil {
		return true, nil
	}
	return c.env.eval(ctx, c.program, act)
}
