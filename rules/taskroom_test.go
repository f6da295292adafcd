package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestEvaluateRendersAsRender checks that the tasks Evaluate renders together in a taskRoom are
// the ones Render gives for each rule alone: bodies sharing placeholders, a body only
// encoding/json writes after placeholders the room remembered, a failing render in between,
// text bodies, shell tasks, and more bodies than the room records.
func TestEvaluateRendersAsRender(t *testing.T) {
	bodies := []string{
		`{a: "${payload.orderId}", b: "${payload.amount}", c: "${eventId}"}`,
		`{a: "${payload.amount}", b: "${payload.count}", n: "${payload.float}"}`, // float64: encoding/json
		`{x: "${payload.amount}", y: "${payload.orderId}", z: "${payload.count}"}`,
		`{b: "${payload.count}", m: "${payload.missing}"}`, // render_error
		`{x: "${payload.orderId}", z: "text ${payload.amount}", l: ["${payload.amount}", 1, null]}`,
		`{c: "${payload.customer}", d: "${payload.big}"}`,
		`["${payload.spaces}", "${payload.hostile}", "${metadata.traceId}", "${payload.exp}"]`,
	}
	var b strings.Builder
	b.WriteString("taskTriggerRules:\n")
	for i := range 40 {
		params := fmt.Sprintf(`{url: "http://svc/%d", body: %s}`, i, bodies[i%len(bodies)])
		switch i {
		case 9:
			params = `{url: "http://svc/${payload.orderId}", headers: {X-A: "${payload.amount}"}, body: "n=${payload.count}"}`
		case 13:
			params = `{url: "http://svc/x"}`
		}
		fmt.Fprintf(&b, "  - {ruleId: r%02d, eventType: order.created, taskType: http, parameters: %s}\n", i, params)
	}
	b.WriteString(`  - {ruleId: r40, eventType: order.created, taskType: shell, parameters: {script: /bin/echo, args: ["${payload.amount}"]}}` + "\n")
	cs, err := Parse("room.yaml", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := templateEvent()
	ev.Metadata = map[string]any{"traceId": "t-1"}
	e := NewSet(cs).Evaluate(t.Context(), ev)
	matched := map[string]Match{}
	for _, m := range e.Matched {
		matched[m.RuleID] = m
	}
	failed := 0
	for i, c := range cs {
		want, wantErr := c.Render(ev)
		v := e.Verdicts[i]
		if wantErr != nil {
			failed++
			if v.Outcome != OutcomeRenderError || v.Message != wantErr.Error() {
				t.Errorf("%s: verdict %s %q, Render fails with %v", c.Rule.ID, v.Outcome, v.Message, wantErr)
			}
			continue
		}
		m, ok := matched[c.Rule.ID]
		if !ok || v.Outcome != OutcomeMatched {
			t.Errorf("%s: verdict %s %q, not matched; Render gives %+v", c.Rule.ID, v.Outcome, v.Message, want)
			continue
		}
		if !reflect.DeepEqual(m.Task, want) || want.HTTP != nil && !reflect.DeepEqual(*m.Task.HTTP, *want.HTTP) {
			t.Errorf("%s: Evaluate rendered %+v, Render gives %+v", c.Rule.ID, m.Task.HTTP, want.HTTP)
		}
	}
	if failed != 6 || len(e.Matched) != len(cs)-6 {
		t.Errorf("%d renders failed, %d matched of %d; want 6 failed", failed, len(e.Matched), len(cs))
	}
	// The same set from several goroutines at once (run with -race): the same evaluation.
	set, done := NewSet(cs), make(chan Evaluation)
	for range 4 {
		go func() { done <- set.Evaluate(t.Context(), ev) }()
	}
	for range 4 {
		if got := <-done; !reflect.DeepEqual(got, e) {
			t.Errorf("concurrent Evaluate = %+v, want %+v", got, e)
		}
	}
}
