package rules

import (
	"context"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	celref "cel.dev/cel-go/common/types/ref"

	"github.com/evtrigger/evtrigger/event"
)

// MaxOrderKeyLen bounds an ordering key in bytes; a longer key is an error for its event.
const MaxOrderKeyLen = 512

// OrderKey is an event's place in the order of one rule with an orderBy: the events of that
// rule sharing Key run their tasks one at a time, in the order they arrived. Error, when set,
// says why the key could not be computed (Key is then empty and the event is not ordered).
type OrderKey struct {
	RuleID string `json:"ruleId"`
	Key    string `json:"key,omitempty"`
	Error  string `json:"error,omitempty"`
}

// compileOrderBy compiles a rule's orderBy expression; nil when it is empty. It must yield a
// string or a number (or dyn, checked when evaluated).
func compileOrderBy(expr string, env *Env, rep *reporter) *program {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	prg, issues := env.compileAs(expr, "orderBy", cel.StringType, cel.IntType, cel.UintType, cel.DoubleType)
	for _, is := range issues {
		rep.addCEL("orderBy", expr, is)
	}
	return prg
}

// orderKey evaluates the rule's orderBy for one event.
func (c *Compiled) orderKey(ctx context.Context, b *binding) OrderKey {
	k := OrderKey{RuleID: c.Rule.ID}
	var err error
	if k.Key, err = c.env.evalKey(ctx, c.orderBy, &b.act); err != nil {
		k.Key, k.Error = "", fmt.Sprintf("orderBy: %v", err)
	}
	return k
}

// evalKey runs an orderBy program (see Env.run) and turns its value into a key.
func (e *Env) evalKey(ctx context.Context, p *program, act *activation) (string, error) {
	out, err := e.run(ctx, p, act)
	if err != nil {
		return "", err
	}
	key, err := keyString(out)
	if err != nil {
		return "", err
	}
	if key == "" {
		return "", fmt.Errorf("the key is empty")
	}
	if len(key) > MaxOrderKeyLen {
		return "", fmt.Errorf("the key has %d bytes, more than %d", len(key), MaxOrderKeyLen)
	}
	return key, nil
}

// keyString renders a CEL string or number as an ordering key.
func keyString(v celref.Val) (string, error) {
	switch x := v.(type) {
	case types.String:
		return string(x), nil
	case types.Int, types.Uint:
		return fmt.Sprint(x.Value()), nil
	case types.Double:
		return fmt.Sprint(float64(x)), nil
	}
	return "", fmt.Errorf("the key must be a string or a number, got %s", v.Type().TypeName())
}

// OrderKeys returns the ordering keys of ev: one for each enabled rule with an orderBy whose
// event type matches ev.Type, by rule ID; nil when there is none. Conditions are not evaluated:
// an event whose condition turns out false still takes its place in the order (and gives it
// up at once).
func (s *Set) OrderKeys(ctx context.Context, ev event.Event) []OrderKey {
	if s == nil || !s.ordered {
		return nil
	}
	var keys []OrderKey
	b := newBinding(&ev)
	defer b.release()
	for _, c := range s.candidates(nil, ev.Type) {
		if c.orderBy != nil && c.Rule.IsEnabled() {
			keys = append(keys, c.orderKey(ctx, b))
		}
	}
	return keys
}
