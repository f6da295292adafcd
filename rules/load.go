package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadFile reads and compiles the rules of one YAML file (see Parse). env may be nil for a
// default Env. An I/O error is wrapped with the path; problems in the rules are a *LoadError.
func LoadFile(path string, env *Env) ([]*Compiled, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	return Parse(path, data, env)
}

// LoadPath loads a file, or every *.yaml and *.yml file of a directory (sorted by name, not
// recursive, names starting with "." skipped) as one load: a ruleId must be unique across the
// files, and the *LoadError lists the problems of all of them. An empty directory gives no rules
// and no error.
func LoadPath(path string, env *Env) ([]*Compiled, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	if !fi.IsDir() {
		return LoadFile(path, env)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	if env, err = envOrDefault(env); err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	l := newLoader(env)
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := filepath.Join(path, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("load rules %s: %w", file, err)
		}
		l.parse(file, data)
	}
	return l.result()
}

// Parse compiles the rules of one YAML document set; name is the file name used in issues. The
// document is `taskTriggerRules: [rule, ...]` or a bare list of rules; several documents may
// follow one another. env may be nil for a default Env. All or nothing: when any rule has a
// problem, Parse returns no rules and a *LoadError listing every problem.
func Parse(name string, data []byte, env *Env) ([]*Compiled, error) {
	env, err := envOrDefault(env)
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", name, err)
	}
	l := newLoader(env)
	l.parse(name, data)
	return l.result()
}

// loader compiles the rules of one load, which may span several files.
type loader struct {
	env    *Env
	rules  []*Compiled
	first  map[string]string // ruleId → where it was first defined
	issues []Issue
}

func newLoader(env *Env) *loader {
	return &loader{env: env, first: map[string]string{}}
}

// result returns the rules, or the *LoadError.
func (l *loader) result() ([]*Compiled, error) {
	if err := newLoadError(l.issues); err != nil {
		return nil, err
	}
	return l.rules, nil
}

// parse reads every YAML document of one file.
func (l *loader) parse(name string, data []byte) {
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			l.issues = append(l.issues, syntaxIssue(name, err))
			return
		}
		fr := &reporter{file: name}
		for _, n := range ruleNodes(&doc, fr) {
			l.addRule(name, lines, n)
		}
		l.issues = append(l.issues, fr.issues...)
	}
}

// ruleNodes returns the rule nodes of a document: the items of taskTriggerRules, or of a
// top-level list.
func ruleNodes(doc *yaml.Node, fr *reporter) []*yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	top := resolveAlias(doc.Content[0])
	switch {
	case isNull(top):
		return nil
	case top.Kind == yaml.SequenceNode:
		return top.Content
	case top.Kind != yaml.MappingNode:
		fr.add("", top.Line, top.Column, "want taskTriggerRules: [rules...] or a list of rules")
		return nil
	}
	var out []*yaml.Node
	found, before := false, len(fr.issues)
	for _, p := range mappingPairs(top, "", fr) {
		switch v := p.value; {
		case p.key.Value != "taskTriggerRules":
			fr.add(p.key.Value, p.key.Line, p.key.Column, "unknown top-level field: want taskTriggerRules")
		case isNull(v):
			found = true
		case v.Kind != yaml.SequenceNode:
			fr.add(p.key.Value, v.Line, v.Column, "want a list of rules, got "+nodeKind(v))
		default:
			found, out = true, v.Content
		}
	}
	if !found && len(fr.issues) == before {
		fr.add("", top.Line, top.Column, "want taskTriggerRules: [rules...] or a list of rules")
	}
	return out
}

// addRule decodes and compiles one rule node, keeping the rule when it has no problem.
func (l *loader) addRule(name string, lines []string, n *yaml.Node) {
	rep := &reporter{file: name, lines: lines, rule: n,
		values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	r := decodeRule(n, rep)
	c := compileRule(r, l.env, rep)
	if r.ID != "" {
		if at, dup := l.first[r.ID]; dup {
			rep.addf("ruleId", "duplicate ruleId: first defined at %s", at)
		} else {
			line, col := rep.position(rep.values, "ruleId")
			l.first[r.ID] = fmt.Sprintf("%s:%d:%d", name, line, col)
		}
	}
	if len(rep.issues) == 0 {
		l.rules = append(l.rules, c)
	}
	l.issues = append(l.issues, rep.finish(r.ID)...)
}

// yamlErrRE splits a yaml.v3 syntax error into its line and message.
var yamlErrRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxIssue turns a YAML syntax error into an issue, with its line when the error has one.
func syntaxIssue(name string, err error) Issue {
	msg := err.Error()
	if m := yamlErrRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Issue{File: name, Line: line, Message: "YAML syntax: " + m[2]}
	}
	return Issue{File: name, Message: "YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}
