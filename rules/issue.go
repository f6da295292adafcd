package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Issue is one problem found while loading or compiling rules.
type Issue struct {
	// File is the rule file; empty for a rule compiled from a Rule value.
	File string `json:"file,omitempty"`
	// Line is the 1-based line; 0 when unknown. For a CEL error in a condition, Line and Column
	// point at the offending character in the file; when File is empty (a rule compiled from a
	// Rule value), at the offending character inside the condition string.
	Line int `json:"line,omitempty"`
	// Column is the 1-based column, in characters; 0 when unknown.
	Column int `json:"column,omitempty"`
	// RuleID is the rule's ID; empty when the rule has none or the issue concerns the file.
	RuleID string `json:"ruleId,omitempty"`
	// Field is the path of the field at fault, such as "condition", "retry.maxAttempts" or
	// "parameters.args[1]"; empty when the issue concerns the whole rule or file.
	Field string `json:"field,omitempty"`
	// Message says what is wrong; for a CEL error it is CEL's own message.
	Message string `json:"message"`
}

// String formats the issue as `file:line:col: rule "id": field: message`, leaving out the parts
// that are unknown or empty. Without a file, a position is one inside the field, written
// `rule "id": field:line:col: message`.
func (i Issue) String() string {
	if i.File == "" && i.Line > 0 && i.Field != "" {
		inner := i
		inner.Field, inner.Line, inner.Column = i.Field+i.position(), 0, 0
		return inner.String()
	}
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		b.WriteString(":" + strconv.Itoa(i.Line))
		if i.Column > 0 {
			b.WriteString(":" + strconv.Itoa(i.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if i.RuleID != "" {
		fmt.Fprintf(&b, "rule %q: ", i.RuleID)
	}
	if i.Field != "" {
		b.WriteString(i.Field + ": ")
	}
	b.WriteString(i.Message)
	return b.String()
}

// position formats ":line:col" (or ":line"), empty when the line is unknown.
func (i Issue) position() string {
	switch {
	case i.Line <= 0:
		return ""
	case i.Column <= 0:
		return ":" + strconv.Itoa(i.Line)
	}
	return ":" + strconv.Itoa(i.Line) + ":" + strconv.Itoa(i.Column)
}

// LoadError lists every problem found in one load, sorted by file, line and column.
type LoadError struct {
	// Issues holds at least one issue.
	Issues []Issue
}

// Error prints one line per issue, as Issue.String does.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// newLoadError returns a *LoadError for issues, or nil (an untyped nil error) when there are none.
func newLoadError(issues []Issue) error {
	if len(issues) == 0 {
		return nil
	}
	slices.SortStableFunc(issues, func(a, b Issue) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column))
	})
	return &LoadError{Issues: issues}
}

// reporter collects the issues of one rule, placing each at the YAML node of its field. Without
// YAML (a rule compiled from a Rule value) its maps are nil and issues carry no position.
type reporter struct {
	file   string
	lines  []string              // the file's lines, to place CEL errors in block scalars
	rule   *yaml.Node            // the rule's mapping node
	values map[string]*yaml.Node // field path → value node
	keys   map[string]*yaml.Node // field path → key node
	issues []Issue
	failed map[string]bool // fields with an issue
}

// addf reports a problem with the value of field, unless field or a field enclosing it already
// has one: one problem is reported once, not again as its consequences.
func (r *reporter) addf(field, format string, args ...any) {
	if r.blocked(field) {
		return
	}
	line, col := r.position(r.values, field)
	r.add(field, line, col, fmt.Sprintf(format, args...))
}

// keyf reports a problem with the key of field, such as an unknown field; see addf.
func (r *reporter) keyf(field, format string, args ...any) {
	if r.blocked(field) {
		return
	}
	m := r.keys
	if _, ok := m[field]; !ok {
		m = r.values
	}
	line, col := r.position(m, field)
	r.add(field, line, col, fmt.Sprintf(format, args...))
}

// add reports a problem at a position.
func (r *reporter) add(field string, line, col int, msg string) {
	r.issues = append(r.issues, Issue{File: r.file, Line: line, Column: col, Field: field, Message: msg})
	if r.failed == nil {
		r.failed = map[string]bool{}
	}
	r.failed[field] = true
}

// blocked reports whether field, a field enclosing it or the whole rule ("") has an issue.
func (r *reporter) blocked(field string) bool {
	for f := field; ; f = parentField(f) {
		if r.failed[f] {
			return true
		}
		if f == "" {
			return false
		}
	}
}

// has reports whether field was written in the YAML.
func (r *reporter) has(field string) bool {
	_, ok := r.values[field]
	return ok
}

// position is the node of field or of its nearest enclosing field, or of the rule.
func (r *reporter) position(nodes map[string]*yaml.Node, field string) (line, col int) {
	for f := field; f != ""; f = parentField(f) {
		if n, ok := nodes[f]; ok {
			return n.Line, n.Column
		}
	}
	if r.rule != nil {
		return r.rule.Line, r.rule.Column
	}
	return 0, 0
}

// parentField strips the last component of a field path: "a.b[1]" → "a.b" → "a" → "".
func parentField(f string) string {
	i := strings.LastIndexAny(f, ".[")
	if i < 0 {
		return ""
	}
	return f[:i]
}

// finish returns the collected issues, each naming the rule.
func (r *reporter) finish(ruleID string) []Issue {
	for i := range r.issues {
		r.issues[i].RuleID = ruleID
	}
	return r.issues
}
