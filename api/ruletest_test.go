package api

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestRuleDryRun(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{})) // the dry run needs no store
	defer srv.Close()
	c := &apiClient{t: t, url: srv.URL}
	ev := func(typ string, amount string) string {
		return `{"messageId":"m-1","eventType":"` + typ + `","payload":{"orderId":"o-7","amount":` + amount + `}}`
	}
	req := func(rule, event string) string { return `{"rule":` + rule + `,"eventMessage":` + event + `}` }
	c.do("POST", RulesPath+"/test", req(orderRule, ev("order.created", "1500"))).want(t, "match", http.StatusOK,
		"matched=true", "verdict.outcome=matched", "task.type=shell", `task.shell.args=["o-7"]`, "eventId=m-1",
		"retry.initialInterval=1s", "timeout=10m0s")
	a := c.do("POST", RulesPath+"/test", req(orderRule, ev("order.created", "10")))
	a.want(t, "condition false", http.StatusOK, "matched=false", "verdict.outcome=condition_false", "task=<missing>")
	if !strings.Contains(a.get("reason"), "payload.amount > 1000 is false") {
		t.Errorf("reason %q", a.get("reason"))
	}
	c.do("POST", RulesPath+"/test", req(orderRule, ev("order.paid", "1500"))).want(t, "type mismatch", http.StatusOK,
		"matched=false", "verdict.outcome=type_mismatch")
	a = c.do("POST", RulesPath+"/test", req(orderRule, `{"eventType":"order.created","payload":{"amount":1500}}`))
	a.want(t, "render error", http.StatusOK, "matched=false", "verdict.outcome=render_error")
	c.do("POST", RulesPath+"/test", req(orderRule, `{"eventType":"order.created","payload":{"amount":"x"}}`)).want(t,
		"condition error", http.StatusOK, "verdict.outcome=condition_error")
	disabled := strings.Replace(orderRule, `"priority"`, `"enabled":false,"priority"`, 1)
	c.do("POST", RulesPath+"/test", req(disabled, ev("order.created", "1500"))).want(t, "disabled", http.StatusOK,
		"verdict.outcome=disabled", "reason=disabled: the rule is disabled")

	bad := strings.Replace(orderRule, "payload.amount > 1000", "payload.amount >", 1)
	c.do("POST", RulesPath+"/test", req(bad, ev("order.created", "1"))).want(t, "bad rule", http.StatusBadRequest,
		"field=rule.condition", "line=1", "column=17")
	c.do("POST", RulesPath+"/test", req(orderRule, `{"payload":{}}`)).want(t, "bad event", http.StatusBadRequest,
		"field=eventMessage.eventType")
	c.do("POST", RulesPath+"/test", `{"rule":`+orderRule+`}`).want(t, "no event", http.StatusBadRequest)
	c.do("POST", RulesPath+"/test", `{"rules":1}`).want(t, "unknown field", http.StatusBadRequest)
	c.do("POST", RulesPath+"/test", `{"ruleId":"x","eventMessage":{"eventType":"x"}}`).want(t, "ruleId without a store", http.StatusBadRequest)
}

func TestRuleDryRunOfStoredRule(t *testing.T) {
	c := newRulesAPI(t, filepath.Join(t.TempDir(), "rules.db"), Options{})
	c.do("POST", RulesPath, orderRule).want(t, "create", http.StatusCreated)
	ev := `{"eventType":"order.created","payload":{"orderId":"o-1","amount":5000}}`
	c.do("POST", RulesPath+"/test", `{"ruleId":"big-orders","eventMessage":`+ev+`}`).want(t, "stored rule", http.StatusOK,
		"matched=true", "verdict.version=1")
	c.do("POST", RulesPath+"/test", `{"ruleId":"nope","eventMessage":`+ev+`}`).want(t, "unknown stored rule", http.StatusNotFound)
	c.do("POST", RulesPath+"/test", `{"ruleId":"big-orders","rule":`+orderRule+`,"eventMessage":`+ev+`}`).want(t,
		"both rule and ruleId", http.StatusBadRequest)
}
