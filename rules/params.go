package rules

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/evtrigger/evtrigger/task"
)

// taskTemplate is a rule's task with its templates parsed: exactly one of shell and http is set.
type taskTemplate struct {
	shell *shellTemplate
	http  *httpTemplate
}

// compileTask validates the parameters of r's task type and parses their templates. It returns
// nil when it reported an issue.
func compileTask(r *Rule, rep *reporter) *taskTemplate {
	before := len(rep.issues)
	var tt taskTemplate
	switch r.TaskType {
	case task.TypeShell:
		tt.shell = compileShell(r.Parameters, rep)
	case task.TypeHTTP:
		tt.http = compileHTTP(r.Parameters, rep)
	case "":
		rep.addf("taskType", "required: shell or http")
	default:
		rep.addf("taskType", "unknown task type %q: want shell or http", r.TaskType)
	}
	if len(rep.issues) > before {
		return nil
	}
	return &tt
}

// checkParamKeys reports parameters that the task type does not know.
func checkParamKeys(params map[string]any, typ task.Type, allowed string, rep *reporter) {
	for _, k := range sortedKeys(params) {
		if !strings.Contains(" "+allowed+" ", " "+k+" ") {
			rep.keyf("parameters."+k, "unknown parameter for a %s task: want one of %s", typ,
				strings.ReplaceAll(allowed, " ", ", "))
		}
	}
}

// paramString returns the string parameter key, "" when absent; ok is false after an issue.
func paramString(params map[string]any, key string, rep *reporter) (s string, ok bool) {
	v, present := params[key]
	if !present || v == nil {
		return "", true
	}
	s, isString := v.(string)
	if !isString {
		rep.addf("parameters."+key, "want a string, got %s", kindOf(v))
		return "", false
	}
	return s, true
}

// templateList parses a list of string templates, returning the raw strings and the templates
// (nil where parsing failed).
func templateList(v any, field string, rep *reporter) ([]string, []*template) {
	items, ok := asList(v)
	if !ok {
		rep.addf(field, "want a list of strings, got %s", kindOf(v))
		return nil, nil
	}
	raw := make([]string, len(items))
	tmpls := make([]*template, len(items))
	for i, it := range items {
		f := field + "[" + strconv.Itoa(i) + "]"
		s, ok := scalarString(it)
		if !ok {
			rep.addf(f, "want a string, got %s", kindOf(it))
			continue
		}
		raw[i] = s
		t, err := parseTemplate(s)
		if err != nil {
			rep.addf(f, "%v", err)
			continue
		}
		tmpls[i] = t
	}
	return raw, tmpls
}

// namedTemplates is a map of names to string templates, in name order.
type namedTemplates struct {
	names []string
	tmpls []*template
}

// templateMap parses a map of names to string templates; valid says which names are allowed.
func templateMap(v any, field string, valid func(string) error, rep *reporter) namedTemplates {
	m, ok := asMap(v)
	if !ok {
		rep.addf(field, "want a map of names to strings, got %s", kindOf(v))
		return namedTemplates{}
	}
	var nt namedTemplates
	for _, k := range sortedKeys(m) {
		f := field + "." + k
		if err := valid(k); err != nil {
			rep.keyf(f, "%v", err)
			continue
		}
		s, ok := scalarString(m[k])
		if !ok {
			rep.addf(f, "want a string, got %s", kindOf(m[k]))
			continue
		}
		t, err := parseTemplate(s)
		if err != nil {
			rep.addf(f, "%v", err)
			continue
		}
		nt.names, nt.tmpls = append(nt.names, k), append(nt.tmpls, t)
	}
	return nt
}

// asList accepts a YAML or JSON list, or a []string.
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return l, true
	}
	return nil, false
}

// asMap accepts a YAML or JSON map, or a map[string]string.
func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return m, true
	}
	return nil, false
}

// scalarString accepts a string, number or boolean, formatted as a template value would be.
func scalarString(v any) (string, bool) {
	switch v.(type) {
	case string, bool, int, int64, uint64, float64, json.Number:
		s, err := formatValue(v)
		return s, err == nil
	}
	return "", false
}

// asInt accepts an integral number from YAML (int) or JSON (float64, json.Number).
func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), x == int64(int(x))
	case float64:
		return int(x), x == math.Trunc(x) && math.Abs(x) < 1<<31
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil && i == int64(int(i))
	}
	return 0, false
}

// envNameRE is a portable environment variable name.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validEnvName accepts portable environment variable names.
func validEnvName(name string) error {
	if !envNameRE.MatchString(name) {
		return fmt.Errorf("invalid environment variable name %q: want [A-Za-z_][A-Za-z0-9_]*", name)
	}
	return nil
}
