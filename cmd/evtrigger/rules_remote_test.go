package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evtrigger/evtrigger/api"
	"github.com/evtrigger/evtrigger/rules/store/storetest"
)

const applyRules = `taskTriggerRules:
  - ruleId: a
    eventType: order.created
    condition: payload.amount > 10
    taskType: shell
    parameters: {script: /bin/echo, args: ["${payload.orderId}"]}
  - ruleId: b
    eventType: order.#
    taskType: shell
    parameters: {script: /bin/true}
`

// rulesCLI runs `evtrigger rules ...` against srv and returns the output and error.
func rulesCLI(t *testing.T, srv, token string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	full := append([]string{"rules"}, args...)
	full = append(full, "--server", srv, "--token", token)
	err := run(context.Background(), full, &out)
	return out.String(), err
}

func wantOutput(t *testing.T, what, out string, err error, wants ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func TestRulesCLIAgainstTheAPI(t *testing.T) {
	st := storetest.Open(t, filepath.Join(t.TempDir(), "rules.db"))
	srv := httptest.NewServer(api.NewHandler(api.Options{Store: st, Token: "tok"}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(applyRules)

	out, err := rulesCLI(t, srv.URL, "tok", "apply", file)
	wantOutput(t, "apply", out, err, "created a (v1)", "created b (v1)", "2 created, 0 updated, 0 deleted, 0 unchanged")
	out, err = rulesCLI(t, srv.URL, "tok", "apply", file)
	wantOutput(t, "apply again", out, err, "unchanged a (v1)", "0 created, 0 updated, 0 deleted, 2 unchanged")

	write(strings.Replace(applyRules[:strings.Index(applyRules, "  - ruleId: b")], "> 10", "> 20", 1))
	out, err = rulesCLI(t, srv.URL, "tok", "apply", file, "--prune", "--dry-run")
	wantOutput(t, "dry run", out, err, "would update a", "would delete b")
	out, err = rulesCLI(t, srv.URL, "tok", "apply", "--prune", file)
	wantOutput(t, "apply --prune", out, err, "updated a (v1 -> v2)", "deleted b (was v1)", "0 created, 1 updated, 1 deleted")

	out, err = rulesCLI(t, srv.URL, "tok", "list")
	wantOutput(t, "list", out, err, "RULE", "a     2        true")
	out, err = rulesCLI(t, srv.URL, "tok", "get", "a")
	wantOutput(t, "get", out, err, `"condition": "payload.amount > 20"`)
	out, err = rulesCLI(t, srv.URL, "tok", "disable", "a")
	wantOutput(t, "disable", out, err, "a: enabled=false (version 3)")
	out, err = rulesCLI(t, srv.URL, "tok", "enable", "a")
	wantOutput(t, "enable", out, err, "a: enabled=true (version 4)")
	out, err = rulesCLI(t, srv.URL, "tok", "versions", "b")
	wantOutput(t, "versions", out, err, `"op": "create"`, `"op": "delete"`)

	ev := filepath.Join(dir, "event.json")
	if err := os.WriteFile(ev, []byte(`{"messageId":"m-1","eventType":"order.created","payload":{"orderId":"o-1","amount":5}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = rulesCLI(t, srv.URL, "tok", "test", "a", "--event", ev)
	wantOutput(t, "test remote", out, err, "NO MATCH a (v4) for event m-1: condition_false: payload.amount > 20 is false")

	out, err = rulesCLI(t, srv.URL, "tok", "delete", "a")
	wantOutput(t, "delete", out, err, "a: deleted")
	if _, err = rulesCLI(t, srv.URL, "tok", "get", "a"); err == nil || !strings.Contains(err.Error(), "rule a: rule not found") {
		t.Errorf("get deleted: %v", err)
	}
	if _, err = rulesCLI(t, srv.URL, "", "list"); err == nil || !strings.Contains(err.Error(), "missing bearer token: pass --token or set EVTRIGGER_API_TOKEN") {
		t.Errorf("list without token: %v", err)
	}
	write(strings.Replace(applyRules, "> 10", ">", 1))
	if _, err = rulesCLI(t, srv.URL, "tok", "apply", file); err == nil || !strings.Contains(err.Error(), "rules.yaml:4:") {
		t.Errorf("apply of a bad file: %v, want file:line:col", err)
	}
}
