package rules

import (
	"errors"
	"strings"
	"testing"
)

// shellParams and httpParams are valid parameters for the rules of TestValidation.
const (
	shellParams = "parameters: {script: /bin/true}"
	httpParams  = "parameters: {url: 'http://svc/x'}"
)

func TestValidation(t *testing.T) {
	tests := []struct {
		name      string
		input     string // one YAML document
		wantIssue string // "field: message" of the only issue, or a prefix of it; "" for none
	}{
		{"minimal shell rule", "- {ruleId: r, eventType: x, taskType: shell, " + shellParams + "}", ""},
		{"minimal http rule", "- {ruleId: r, eventType: x, taskType: http, " + httpParams + "}", ""},
		{"empty document", "", ""},
		{"null list", "taskTriggerRules:", ""},
		{"missing ruleId", "- {eventType: x, taskType: shell, " + shellParams + "}", `ruleId: want 1 to 128`},
		{"ruleId starting with dash", "- {ruleId: -r, eventType: x, taskType: shell, " + shellParams + "}", `ruleId: want 1 to 128`},
		{"ruleId too long", "- {ruleId: " + strings.Repeat("a", 129) + ", eventType: x, taskType: shell, " + shellParams + "}", `ruleId: want 1 to 128`},
		{"missing eventType", "- {ruleId: r, taskType: shell, " + shellParams + "}", "eventType: empty event type"},
		{"missing taskType", "- {ruleId: r, eventType: x, " + shellParams + "}", "taskType: required: shell or http"},
		{"unknown taskType", "- {ruleId: r, eventType: x, taskType: grpc, " + shellParams + "}", `taskType: unknown task type "grpc"`},
		{"unknown priority", "- {ruleId: r, eventType: x, taskType: shell, priority: urgent, " + shellParams + "}", `priority: unknown priority "URGENT"`},
		{"enabled not a bool", "- {ruleId: r, eventType: x, taskType: shell, enabled: maybe, " + shellParams + "}", `enabled: want true or false, got "maybe"`},
		{"negative version", "- {ruleId: r, eventType: x, taskType: shell, version: -1, " + shellParams + "}", "version: want a version >= 1"},
		{"zero maxAttempts", "- {ruleId: r, eventType: x, taskType: shell, retry: {maxAttempts: 0}, " + shellParams + "}", "retry.maxAttempts: want maxAttempts >= 1, got 0"},
		{"zero initialInterval", "- {ruleId: r, eventType: x, taskType: shell, retry: {initialInterval: 0s}, " + shellParams + "}", "retry.initialInterval: want initialInterval > 0"},
		{"backoff below 1", "- {ruleId: r, eventType: x, taskType: shell, retry: {backoff: 0.5}, " + shellParams + "}", "retry.backoff: want backoff >= 1, got 0.5"},
		{"maxInterval below initial", "- {ruleId: r, eventType: x, taskType: shell, retry: {initialInterval: 2s, maxInterval: 1s}, " + shellParams + "}", "retry.maxInterval: want maxInterval >= initialInterval (2s), got 1s"},
		{"initialInterval above default max", "- {ruleId: r, eventType: x, taskType: shell, retry: {initialInterval: 2m}, " + shellParams + "}", ""},
		{"bad duration", "- {ruleId: r, eventType: x, taskType: shell, timeout: soon, " + shellParams + "}", `timeout: duration "soon"`},
		{"zero timeout", "- {ruleId: r, eventType: x, taskType: shell, timeout: 0, " + shellParams + "}", "timeout: want a timeout > 0"},
		{"timeout twice", "- {ruleId: r, eventType: x, taskType: shell, timeout: 5s, parameters: {script: /bin/true, timeout: 5}}", "parameters.timeout: timeout is set twice"},
		{"parameters a list", "- {ruleId: r, eventType: x, taskType: shell, parameters: [1]}", "parameters: want a mapping of parameters"},
		{"rule not a mapping", "- just-a-string", "want a mapping, got a scalar"},
		{"unknown top-level field", "rules: []\ntaskTriggerRules: []", "rules: unknown top-level field"},
		{"no taskTriggerRules", "ruleId: r", "ruleId: unknown top-level field"},
		{"field twice", "- {ruleId: r, ruleId: s, eventType: x, taskType: shell, " + shellParams + "}", "ruleId: field written twice"},
		// shell parameters
		{"shell without script", "- {ruleId: r, eventType: x, taskType: shell, parameters: {args: [a]}}", "parameters.script: required"},
		{"script not a string", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: [a]}}", "parameters.script: want a string, got a []interface {}"},
		{"args not a list", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: a}}", "parameters.args: want a list of strings, got a string"},
		{"arg a map", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: [{a: 1}]}}", "parameters.args[0]: want a string"},
		{"numeric arg", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: [5, true]}}", ""},
		{"unknown placeholder root", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: ['${foo}']}}", `parameters.args[0]: placeholder ${foo}: unknown root "foo"`},
		{"unclosed placeholder", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: ['${payload.x']}}", `parameters.args[0]: unclosed placeholder "${payload.x"`},
		{"field of eventId", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, args: ['${eventId.x}']}}", "parameters.args[0]: placeholder ${eventId.x}: ${eventId} has no fields"},
		{"bad env name", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, env: {1X: a}}}", `parameters.env.1X: invalid environment variable name "1X"`},
		{"placeholder in dir", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, dir: '/tmp/${eventId}'}}", "parameters.dir: placeholder in dir"},
		{"http parameter on shell", "- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/echo, url: 'http://x'}}", "parameters.url: unknown parameter for a shell task"},
		// the shell -c rule
		{"sh -c literal text, placeholder positional", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/sh, args: ["-c", 'echo "$1"', sh, "${payload.x}"]}}`, ""},
		{"script file then placeholder", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: bash, args: [run.sh, "${payload.x}"]}}`, ""},
		{"placeholder as bash script path", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: bash, args: ["${payload.x}"]}}`, "parameters.args[0]: placeholder in a shell option or script path"},
		{"placeholder as shell option", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/zsh, args: ["${payload.x}", "-c", "true"]}}`, "parameters.args[0]: placeholder in a shell option or script path"},
		{"bash -o pipefail -c", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/bash, args: [-o, pipefail, -c, "echo ${eventId}"]}}`, "parameters.args[3]: " + msgShellText},
		{"dash -c -- text", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: dash, args: [-c, --, "echo ${eventId}"]}}`, "parameters.args[2]: " + msgShellText},
		{"env bash -c", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /usr/bin/env, args: [A=1, bash, -c, "echo ${eventId}"]}}`, "parameters.args[3]: " + msgShellText},
		{"busybox sh -c", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /bin/busybox, args: [sh, -c, "echo ${eventId}"]}}`, "parameters.args[2]: " + msgShellText},
		{"placeholder program under env", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: env, args: ["${payload.tool}"]}}`, "parameters.args[0]: placeholder in the program to run"},
		{"not a shell", `- {ruleId: r, eventType: x, taskType: shell, parameters: {script: /usr/bin/printf, args: ["-c", "${payload.x}"]}}`, ""},
		// http parameters
		{"http without url", "- {ruleId: r, eventType: x, taskType: http, parameters: {method: GET}}", "parameters.url: required"},
		{"relative url", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: /x}}", `parameters.url: URL "/x": want an absolute http or https URL`},
		{"templated url", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: '${metadata.callback}'}}", ""},
		{"unknown method", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', method: fetch}}", `parameters.method: unknown method "FETCH"`},
		{"status out of range", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', acceptStatus: [200, 99]}}", "parameters.acceptStatus[1]: want a status code 100-599, got 99"},
		{"bad header name", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', headers: {'Bad Header': a}}}", `parameters.headers.Bad Header: invalid header name "Bad Header"`},
		{"header value with newline", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', headers: {X-A: \"a\\nb\"}}}", "parameters.headers.X-A: header value contains CR, LF or NUL"},
		{"bad placeholder in body map", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', body: {a: {b: '${foo.bar}'}}}}", `parameters.body.a.b: placeholder ${foo.bar}: unknown root "foo"`},
		{"shell parameter on http", "- {ruleId: r, eventType: x, taskType: http, parameters: {url: 'http://x', script: /bin/true}}", "parameters.script: unknown parameter for a http task"},
	}
	env := testEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.input), env)
			if tt.wantIssue == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			var le *LoadError
			if !errors.As(err, &le) || len(le.Issues) != 1 {
				t.Fatalf("Parse = %v, want one issue %q", err, tt.wantIssue)
			}
			is := le.Issues[0]
			got := is.Message
			if is.Field != "" {
				got = is.Field + ": " + is.Message
			}
			if !strings.HasPrefix(got, tt.wantIssue) || is.Line == 0 {
				t.Errorf("issue = %q at line %d, want %q at a line", got, is.Line, tt.wantIssue)
			}
		})
	}
}

func TestEveryIssueReported(t *testing.T) {
	input := `taskTriggerRules:
  - ruleId: a
    eventType: x.
    taskType: shell
    priority: top
    parameters: {script: '/bin/${eventId}', args: ['${nope}']}
  - ruleId: b
    eventType: x
    condition: payload.x +
    taskType: http
    parameters: {url: ftp://x}
`
	_, err := Parse("t.yaml", []byte(input), nil)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Parse = %v, want a *LoadError", err)
	}
	want := []string{"a:eventType", "a:priority", "a:parameters.script", "a:parameters.args[0]", "b:condition", "b:parameters.url"}
	var got []string
	for _, is := range le.Issues {
		got = append(got, is.RuleID+":"+is.Field)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("issues %v, want %v\n%v", got, want, err)
	}
}

func TestCompile(t *testing.T) {
	c, err := Compile(Rule{ID: "r", EventType: "order.*", TaskType: "shell",
		Parameters: map[string]any{"script": "/bin/echo", "args": []string{"${payload.id}"}, "timeout": 7}}, nil)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if c.Rule.Timeout != Duration(7e9) || c.Rule.TaskName != "r" || !c.MatchesType("order.paid") {
		t.Errorf("Compile = %+v", c.Rule)
	}
	again, err := Compile(c.Rule, nil)
	if err != nil || again.Rule.Timeout != c.Rule.Timeout {
		t.Errorf("recompiling the compiled rule = %v, %v; want the same rule", again, err)
	}
	_, err = Compile(Rule{ID: "bad", EventType: "x", TaskType: "http"}, nil)
	if err == nil || err.Error() != `rule "bad": parameters.url: required: an absolute http or https URL` {
		t.Errorf("Compile(no url) = %v", err)
	}
}
