package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/evtrigger/evtrigger/event"
)

// Defaults applied to a rule that does not say.
const (
	DefaultTimeout         = 10 * time.Minute
	DefaultMaxAttempts     = 3
	DefaultInitialInterval = time.Second
	DefaultBackoff         = 2.0
	DefaultMaxInterval     = time.Minute
)

// ruleIDRE is the syntax of rule IDs.
var ruleIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Compiled is a validated rule, ready to evaluate: its event type pattern parsed, its condition
// compiled into a CEL program and its task parameters parsed into templates. It is immutable and
// safe for concurrent use.
type Compiled struct {
	// Rule is the rule with every default applied: TaskName, Priority (upper case), Enabled,
	// Timeout (parameters.timeout moved here and removed from Parameters), Retry and Version.
	// Treat it, its Parameters included, as read-only.
	Rule    Rule
	pattern pattern
	program *program // nil when the condition is empty: it always holds
	orderBy *program // nil without an orderBy
	env     *Env
	task    *taskTemplate
	comp    *compTemplate // nil without a compensation
	limits  *Limits       // nil without concurrency and rateLimit
}

// Compile validates r and compiles it in env (a default Env when nil), the way Parse does for a
// rule of a file. Unknown-field checks need YAML and are not done. The error is a *LoadError
// listing every problem, without file positions.
func Compile(r Rule, env *Env) (*Compiled, error) {
	env, err := envOrDefault(env)
	if err != nil {
		return nil, err
	}
	rep := &reporter{}
	c := compileRule(r, env, rep)
	if err := newLoadError(rep.finish(r.ID)); err != nil {
		return nil, err
	}
	return c, nil
}

// envOrDefault returns env, or a new Env with default options when env is nil.
func envOrDefault(env *Env) (*Env, error) {
	if env != nil {
		return env, nil
	}
	return NewEnv(EnvOptions{})
}

// compileRule validates r, applies its defaults and compiles it, reporting every problem to
// rep. It returns nil when there was one.
func compileRule(r Rule, env *Env, rep *reporter) *Compiled {
	before := len(rep.issues)
	r.Parameters = maps.Clone(r.Parameters)
	c := &Compiled{env: env}
	if !ruleIDRE.MatchString(r.ID) {
		rep.addf("ruleId", "want 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, got %q", r.ID)
	}
	compileSchedule(&r, rep)
	var err error
	if c.pattern, err = parsePattern(r.EventType); err != nil {
		rep.addf("eventType", "%v", err)
	}
	if r.TaskName == "" {
		r.TaskName = r.ID
	}
	r.Priority = compilePriority(r.Priority, rep)
	enabled := r.IsEnabled()
	r.Enabled = &enabled
	if r.Version < 0 {
		rep.addf("version", "want a version >= 1, got %d", r.Version)
	} else if r.Version == 0 {
		r.Version = 1
	}
	r.Timeout = compileTimeout(&r, rep)
	r.Retry = compileRetry(r.Retry, rep)
	c.program = compileCondition(r.Condition, env, rep)
	c.orderBy = compileOrderBy(r.OrderBy, env, rep)
	c.task = compileTask(&r, rep)
	c.comp = compileCompensation(r.Compensation, rep)
	c.limits = compileLimits(&r, rep)
	if len(rep.issues) > before {
		return nil
	}
	c.Rule = r
	return c
}

// compilePriority upper-cases p and checks it; MEDIUM when empty.
func compilePriority(p event.Priority, rep *reporter) event.Priority {
	p = event.Priority(strings.ToUpper(string(p)))
	switch p {
	case "":
		return event.PriorityMedium
	case event.PriorityHigh, event.PriorityMedium, event.PriorityLow:
		return p
	}
	rep.addf("priority", "unknown priority %q: want HIGH, MEDIUM or LOW", p)
	return p
}

// compileTimeout returns the rule's timeout: Timeout, or parameters.timeout (a number of seconds
// or a duration string, removed from Parameters), or DefaultTimeout.
func compileTimeout(r *Rule, rep *reporter) Duration {
	d := r.Timeout
	if v, ok := r.Parameters["timeout"]; ok {
		delete(r.Parameters, "timeout")
		var pd Duration
		if err := pd.fromAny(v); err != nil {
			rep.addf("parameters.timeout", "%v", err)
			return d
		}
		if d != 0 || rep.has("timeout") {
			rep.addf("parameters.timeout", "timeout is set twice: keep either timeout or parameters.timeout")
		}
		d = pd
	}
	switch {
	case d < 0 || d == 0 && (rep.has("timeout") || rep.has("parameters.timeout")):
		rep.addf("timeout", "want a timeout > 0, got %s", d)
	case d == 0:
		d = Duration(DefaultTimeout)
	}
	return d
}

// fromAny reads a duration from a decoded YAML or JSON value: a number of seconds or a string.
func (d *Duration) fromAny(v any) error {
	switch x := v.(type) {
	case string:
		return d.parse(x)
	case int, int64, uint64, float64:
		return d.parseSeconds(fmt.Sprint(x))
	case json.Number:
		return d.parseSeconds(x.String())
	}
	return fmt.Errorf("want a number of seconds or a duration such as \"30s\", got %s", kindOf(v))
}
