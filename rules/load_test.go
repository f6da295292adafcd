package rules

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

// testEnv is a default Env for tests.
func testEnv(t *testing.T) *Env {
	t.Helper()
	env, err := NewEnv(EnvOptions{})
	if err != nil {
		t.Fatalf("NewEnv: %v", err)
	}
	return env
}

// byID indexes compiled rules by ID.
func byID(cs []*Compiled) map[string]*Compiled {
	m := map[string]*Compiled{}
	for _, c := range cs {
		m[c.Rule.ID] = c
	}
	return m
}

func TestLoadSeed(t *testing.T) {
	cs, err := LoadFile("testdata/seed.yaml", testEnv(t))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %d rules, want 2", len(cs))
	}
	order, pay := cs[0].Rule, cs[1].Rule
	checks := []struct {
		name      string
		got, want any
	}{
		{"order id", order.ID, "order-created-trigger"},
		{"order name", order.Name, "订单创建触发数据同步"},
		{"order task name", order.TaskName, "high-value-order-processing"},
		{"order type", order.TaskType, task.TypeShell},
		{"order timeout from parameters.timeout", order.Timeout, Duration(time.Hour)},
		{"order parameters without timeout", order.Parameters, map[string]any{"script": "/scripts/process-high-value-order.sh"}},
		{"order priority", order.Priority, event.PriorityHigh},
		{"order retry defaults", *order.Retry, Retry{MaxAttempts: 3, InitialInterval: Duration(time.Second), Backoff: 2, MaxInterval: Duration(time.Minute)}},
		{"order version", order.Version, int64(1)},
		{"order enabled", order.IsEnabled(), true},
		{"pay id", pay.ID, "payment-completed-trigger"},
		{"pay condition", pay.Condition, "payload.status == 'SUCCESS'"},
		{"pay timeout", pay.Timeout, Duration(300 * time.Second)},
		{"pay description", pay.Description, "支付成功后更新库存信息"},
		{"pay type", pay.TaskType, task.TypeHTTP},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestLoadFull(t *testing.T) {
	cs, err := LoadFile("testdata/full.yaml", testEnv(t))
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	rules := byID(cs)
	eu, sh := rules["order.any-eu"], rules["order_shell"]
	if eu == nil || sh == nil {
		t.Fatalf("rules = %v, want order.any-eu and order_shell", rules)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"priority lower case", eu.Rule.Priority, event.PriorityLow},
		{"timeout string", eu.Rule.Timeout, Duration(45 * time.Second)},
		{"retry with max interval default", *eu.Rule.Retry, Retry{MaxAttempts: 5, InitialInterval: Duration(2 * time.Second), Backoff: 1.5, MaxInterval: Duration(time.Minute)}},
		{"merged retry", *sh.Rule.Retry, Retry{MaxAttempts: 2, InitialInterval: Duration(2 * time.Second), Backoff: 1.5, MaxInterval: Duration(time.Minute)}},
		{"timeout seconds", sh.Rule.Timeout, Duration(90 * time.Second)},
		{"version", sh.Rule.Version, int64(4)},
		{"disabled", sh.Rule.IsEnabled(), false},
		{"task name defaults to id", sh.Rule.TaskName, "order_shell"},
		{"priority default", sh.Rule.Priority, event.PriorityMedium},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestLoadMultiDocument(t *testing.T) {
	cs, err := LoadFile("testdata/multi.yaml", nil)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if got := len(byID(cs)); got != 2 {
		t.Fatalf("got %d rules, want first and second", got)
	}
}

func TestLoadExamples(t *testing.T) {
	cs, err := LoadPath("examples", nil)
	if err != nil {
		t.Fatalf("LoadPath(examples): %v", err)
	}
	rules := byID(cs)
	order, pay := rules["order-created-trigger"], rules["payment-completed-trigger"]
	if order == nil || pay == nil {
		t.Fatalf("rules = %v", rules)
	}
	if pay.Rule.IsEnabled() {
		t.Errorf("payment-completed-trigger is enabled, want disabled until pointed at a real service")
	}
	script := order.Rule.Parameters["script"].(string)
	fi, err := os.Stat(filepath.Join("..", script))
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("script %s: want an executable file relative to the repository root (err %v)", script, err)
	}
	ev := event.Event{ID: "e1", Type: "order.created", Payload: map[string]any{"orderId": "A1", "amount": 1500}}
	e := NewSet(cs).Evaluate(t.Context(), ev)
	if len(e.Matched) != 1 || !reflect.DeepEqual(e.Matched[0].Task.Shell.Args, []string{"A1", "1500"}) {
		t.Errorf("Evaluate = %+v, want order-created-trigger with args [A1 1500]", e)
	}
}

func TestLoadBadFiles(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		wantIssue []string // the exact lines of the error
	}{
		{"CEL syntax error: plain, quoted and literal block", "cel_syntax.yaml", []string{
			`testdata/bad/cel_syntax.yaml:4:33: rule "plain": condition: Syntax error: extraneous input '>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
			`testdata/bad/cel_syntax.yaml:10:34: rule "quoted": condition: Syntax error: extraneous input '>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
			`testdata/bad/cel_syntax.yaml:18:26: rule "literal": condition: Syntax error: extraneous input '>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
		}},
		{"CEL type errors", "cel_type.yaml", []string{
			`testdata/bad/cel_type.yaml:4:16: rule "not-bool": condition: condition must be a bool, got int`,
			`testdata/bad/cel_type.yaml:10:38: rule "undeclared": condition: undeclared reference to 'amount'`,
		}},
		{"unknown fields", "unknown_field.yaml", []string{
			`testdata/bad/unknown_field.yaml:4:5: rule "typo": conditon: unknown field: want one of ` + ruleFields,
			`testdata/bad/unknown_field.yaml:8:7: rule "typo": parameters.arg: unknown parameter for a shell task: want one of script, args, env, dir`,
			`testdata/bad/unknown_field.yaml:10:7: rule "typo": retry.maxAttempt: unknown field: want one of maxAttempts, initialInterval, backoff, maxInterval`,
		}},
		{"duplicate id", "duplicate_id.yaml", []string{
			`testdata/bad/duplicate_id.yaml:7:13: rule "same": ruleId: duplicate ruleId: first defined at testdata/bad/duplicate_id.yaml:2:13`,
		}},
		{"bad patterns", "bad_pattern.yaml", []string{
			`testdata/bad/bad_pattern.yaml:3:16: rule "pattern": eventType: event type pattern "order.*x": segment "*x": want letters, digits, '_' and '-', or exactly '*' or '#'`,
			`testdata/bad/bad_pattern.yaml:8:16: rule "empty-segment": eventType: event type pattern "order..created": segment 2 is empty`,
		}},
		{"placeholder in sh -c text", "shell_text.yaml", []string{
			`testdata/bad/shell_text.yaml:7:20: rule "sh-c": parameters.args[1]: ` + msgShellText,
			`testdata/bad/shell_text.yaml:15:11: rule "bash-ec": parameters.args[1]: ` + msgShellText,
		}},
		{"placeholder in script", "script_placeholder.yaml", []string{
			`testdata/bad/script_placeholder.yaml:6:15: rule "script": parameters.script: placeholder in script: the executable never comes from event data`,
		}},
		{"YAML syntax", "syntax.yaml", []string{
			`testdata/bad/syntax.yaml:2: YAML syntax: did not find expected ',' or ']'`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := LoadFile("testdata/bad/"+tt.file, nil)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("LoadFile = %d rules, %v; want a *LoadError", len(cs), err)
			}
			if cs != nil {
				t.Errorf("LoadFile returned %d rules with an error, want none", len(cs))
			}
			if got := strings.Split(le.Error(), "\n"); !reflect.DeepEqual(got, tt.wantIssue) {
				t.Errorf("issues:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wantIssue, "\n"))
			}
		})
	}
}

func TestLoadPathDirectory(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.yml":       "- {ruleId: b, eventType: x, taskType: shell, parameters: {script: /bin/true}}\n",
		"a.yaml":      "- {ruleId: a, eventType: x, taskType: shell, parameters: {script: /bin/true}}\n",
		"c.yaml":      "- {ruleId: a, eventType: y, taskType: shell, parameters: {script: /bin/true}}\n",
		".hidden.yml": "not: [valid\n",
		"notes.txt":   "not: [valid\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err := LoadPath(dir, nil)
	want := filepath.Join(dir, "c.yaml") + `:1:12: rule "a": ruleId: duplicate ruleId: first defined at ` +
		filepath.Join(dir, "a.yaml") + ":1:12"
	if err == nil || err.Error() != want {
		t.Fatalf("LoadPath = %v, want %s", err, want)
	}
	if err := os.Remove(filepath.Join(dir, "c.yaml")); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadPath(dir, nil)
	if err != nil || len(cs) != 2 || cs[0].Rule.ID != "a" || cs[1].Rule.ID != "b" {
		t.Fatalf("LoadPath = %v, %v; want rules a then b", cs, err)
	}
	if _, err := LoadPath(filepath.Join(dir, "missing"), nil); err == nil || !strings.Contains(err.Error(), "load rules") {
		t.Errorf("LoadPath(missing) = %v, want a load rules error", err)
	}
}
