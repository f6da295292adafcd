package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/internal/testenv"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/workflows"
)

// fiveRules yields one verdict of each kind for an order.created event with amount 50.
const fiveRules = `taskTriggerRules:
  - {ruleId: r-matched, eventType: order.created, condition: payload.amount > 10, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: r-false, eventType: "order.*", condition: payload.amount > 1000, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: r-error, eventType: order.created, condition: payload.missing > 1, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: r-disabled, eventType: order.created, enabled: false, taskType: shell, parameters: {script: /bin/true}}
  - {ruleId: r-other-type, eventType: payment.completed, taskType: shell, parameters: {script: /bin/true}}
`

// TestExplainGivesEachReason: through a real dev server, the explain endpoint reports each rule
// as matched, condition_false, condition_error (with CEL's message), disabled or type_mismatch,
// with the rule version evaluated; a rule created after the event is not listed.
func TestExplainGivesEachReason(t *testing.T) {
	st := testenv.NewStack(t, temporal, fiveRules, testenv.Options{RulesDSN: filepath.Join(t.TempDir(), "rules.db")})
	if code, out := st.PostEvent(t, orderEvent("msg-explain-1", 50)); code != http.StatusAccepted {
		t.Fatalf("post: %d %v", code, out)
	}
	if _, err := workflowResult(t, st, "msg-explain-1"); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	late := strings.Replace(strings.Split(fiveRules, "\n")[1], "r-matched", "r-late", 1)
	if _, err := st.Store.Create(context.Background(), mustRule(t, late)); err != nil {
		t.Fatal(err)
	}

	code, body := getJSON(t, st.API.URL+"/api/v1/events/msg-explain-1/explain")
	if code != http.StatusOK {
		t.Fatalf("explain: %d %s", code, body)
	}
	var ex struct {
		EventType string          `json:"eventType"`
		Evaluated bool            `json:"evaluated"`
		Verdicts  []rules.Verdict `json:"verdicts"`
	}
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		t.Fatal(err)
	}
	want := map[string]rules.Outcome{
		"r-matched": rules.OutcomeMatched, "r-false": rules.OutcomeConditionFalse, "r-error": rules.OutcomeConditionError,
		"r-disabled": rules.OutcomeDisabled, "r-other-type": rules.OutcomeTypeMismatch,
	}
	if !ex.Evaluated || ex.EventType != "order.created" || len(ex.Verdicts) != len(want) {
		t.Fatalf("explain = %s", body)
	}
	for _, v := range ex.Verdicts {
		if want[v.RuleID] != v.Outcome || v.Version != 1 {
			t.Errorf("%s: %s v%d, want %s v1", v.RuleID, v.Outcome, v.Version, want[v.RuleID])
		}
		if (v.Outcome == rules.OutcomeConditionError) != strings.Contains(v.Message, "missing") {
			t.Errorf("%s: message %q", v.RuleID, v.Message)
		}
	}
	if code, body := getJSON(t, st.API.URL+"/api/v1/events/msg-never-sent/explain"); code != http.StatusNotFound {
		t.Errorf("explain of an unknown event: %d %s", code, body)
	}
	assertExplainQuery(t, st.Client, "event-msg-explain-1")
}

// assertExplainQuery: the workflow's own explain query reports the rules it evaluated.
func assertExplainQuery(t *testing.T, c client.Client, workflowID string) {
	t.Helper()
	val, err := c.QueryWorkflow(context.Background(), workflowID, "", workflows.QueryExplain)
	if err != nil {
		t.Fatal(err)
	}
	var vs []rules.Verdict
	if err := val.Get(&vs); err != nil || len(vs) != 4 {
		t.Errorf("explain query = %+v, %v; want the 4 candidate rules", vs, err)
	}
}

// mustRule decodes one rule given as a YAML flow-mapping list item.
func mustRule(t *testing.T, item string) rules.Rule {
	t.Helper()
	return testenv.LoadRules(t, "taskTriggerRules:\n"+item+"\n").Current().Rules()[0]
}

func getJSON(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}
