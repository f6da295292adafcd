package rules

import (
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// ruleFields lists the fields of a rule, for the unknown-field message.
const ruleFields = "ruleId, ruleName, eventType, schedule, condition, orderBy, taskName, taskType, parameters, retry, " +
	"timeout, priority, enabled, description, version, compensation, concurrency, rateLimit"

// decodeRule reads one rule's mapping node into a Rule, recording the node of every field in
// rep and reporting unknown fields and values of the wrong kind.
func decodeRule(n *yaml.Node, rep *reporter) Rule {
	var r Rule
	for _, p := range mappingPairs(n, "", rep) {
		key, v := p.key.Value, p.value
		rep.keys[key] = p.key
		if !isRuleField(key) {
			rep.keyf(key, "unknown field: want one of %s", ruleFields)
			continue
		}
		if isNull(v) {
			continue
		}
		rep.values[key] = v
		decodeRuleField(&r, key, v, rep)
	}
	return r
}

// isRuleField reports whether key is a field of a rule.
func isRuleField(key string) bool {
	switch key {
	case "ruleId", "ruleName", "eventType", "schedule", "condition", "orderBy", "taskName", "taskType", "parameters",
		"retry", "timeout", "priority", "enabled", "description", "version", "compensation", "concurrency", "rateLimit":
		return true
	}
	return false
}

// decodeRuleField decodes the value of one known field into r.
func decodeRuleField(r *Rule, key string, v *yaml.Node, rep *reporter) {
	switch key {
	case "ruleId":
		r.ID = decodeString(v, key, rep)
	case "ruleName":
		r.Name = decodeString(v, key, rep)
	case "eventType":
		r.EventType = decodeString(v, key, rep)
	case "schedule":
		r.Schedule = decodeString(v, key, rep)
	case "condition":
		r.Condition = decodeString(v, key, rep)
	case "orderBy":
		r.OrderBy = decodeString(v, key, rep)
	case "taskName":
		r.TaskName = decodeString(v, key, rep)
	case "taskType":
		r.TaskType = task.Type(decodeString(v, key, rep))
	case "priority":
		r.Priority = event.Priority(decodeString(v, key, rep))
	case "description":
		r.Description = decodeString(v, key, rep)
	case "parameters":
		if m, ok := nodeValue(v, key, rep).(map[string]any); ok {
			r.Parameters = m
		} else {
			rep.addf(key, "want a mapping of parameters")
		}
	case "retry":
		r.Retry = decodeRetry(v, rep)
	case "timeout":
		if err := r.Timeout.UnmarshalYAML(v); err != nil {
			rep.addf(key, "%v", err)
		}
	case "enabled":
		var b bool
		if decodeScalar(v, key, &b, "true or false", rep) {
			r.Enabled = &b
		}
	case "version":
		decodeScalar(v, key, &r.Version, "an integer", rep)
	case "concurrency":
		decodeScalar(v, key, &r.Concurrency, "an integer", rep)
	case "rateLimit":
		r.RateLimit = decodeString(v, key, rep)
	case "compensation":
		c, err := decodeCompensation(nodeValue(v, key, rep))
		if err != nil {
			rep.addf(key, "%v", err)
		}
		r.Compensation = c
	}
}

// decodeRetry reads a rule's retry mapping.
func decodeRetry(n *yaml.Node, rep *reporter) *Retry {
	r := &Retry{}
	for _, p := range mappingPairs(n, "retry", rep) {
		f := "retry." + p.key.Value
		rep.keys[f] = p.key
		if !isNull(p.value) {
			rep.values[f] = p.value
		}
		var err error
		switch p.key.Value {
		case "maxAttempts":
			decodeScalar(p.value, f, &r.MaxAttempts, "an integer", rep)
		case "backoff":
			decodeScalar(p.value, f, &r.Backoff, "a number", rep)
		case "initialInterval":
			err = r.InitialInterval.UnmarshalYAML(p.value)
		case "maxInterval":
			err = r.MaxInterval.UnmarshalYAML(p.value)
		default:
			rep.keyf(f, "unknown field: want one of maxAttempts, initialInterval, backoff, maxInterval")
		}
		if err != nil {
			rep.addf(f, "%v", err)
		}
	}
	return r
}

// decodeString reads a scalar as a string; numbers and booleans keep their text.
func decodeString(n *yaml.Node, field string, rep *reporter) string {
	if n.Kind != yaml.ScalarNode {
		rep.addf(field, "want a string, got %s", nodeKind(n))
		return ""
	}
	return n.Value
}

// decodeScalar decodes a scalar into ptr, reporting "want <want>" when it does not fit.
func decodeScalar(n *yaml.Node, field string, ptr any, want string, rep *reporter) bool {
	if n.Kind != yaml.ScalarNode || n.Decode(ptr) != nil {
		rep.addf(field, "want %s, got %s", want, nodeText(n))
		return false
	}
	return true
}

// nodeValue converts a node into plain values (string, int, float64, bool, nil, []any,
// map[string]any), recording the node of every entry under field. Scalars YAML would read as
// timestamps or binary stay strings, as written.
func nodeValue(n *yaml.Node, field string, rep *reporter) any {
	n = resolveAlias(n)
	rep.values[field] = n
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, p := range mappingPairs(n, field, rep) {
			f := field + "." + p.key.Value
			rep.keys[f] = p.key
			m[p.key.Value] = nodeValue(p.value, f, rep)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, e := range n.Content {
			l[i] = nodeValue(e, field+"["+strconv.Itoa(i)+"]", rep)
		}
		return l
	}
	var v any
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!int", "!!float", "!!bool":
		if n.Decode(&v) == nil {
			return v
		}
	}
	return n.Value
}
