package rules

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/task"
)

func TestCompensationIsRenderedWithTheTask(t *testing.T) {
	cs, err := Parse("comp.yaml", []byte(`taskTriggerRules:
  - ruleId: reserve
    eventType: order.created
    taskType: http
    parameters: {url: "http://inventory/reserve/${payload.orderId}"}
    compensation:
      taskType: http
      parameters: {url: "http://inventory/release/${payload.orderId}", method: DELETE}
      retry: {maxAttempts: 7}
      timeout: 45s
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := event.Event{ID: "e1", Type: "order.created", Payload: map[string]any{"orderId": "o-1"}}
	m := NewSet(cs).Evaluate(context.Background(), ev).Matched[0]
	c := m.Compensation
	if c == nil || c.Task.Type != task.TypeHTTP || c.Task.HTTP.URL != "http://inventory/release/o-1" ||
		c.Task.HTTP.Method != "DELETE" || c.Timeout != 45*time.Second || c.Retry.MaxAttempts != 7 {
		t.Fatalf("compensation: %+v", c)
	}
}

func TestBadCompensationsAreRefusedWithTheirField(t *testing.T) {
	cases := []struct{ name, comp, want string }{
		{"unknown task type", `{taskType: ftp, parameters: {url: "x"}}`,
			`comp.yaml:6:30: rule "r": compensation.taskType: unknown task type "ftp"`},
		{"placeholder in script", `{taskType: shell, parameters: {script: "${payload.x}"}}`,
			`rule "r": compensation.parameters.script: placeholder in script`},
		{"unknown key", `{taskType: shell, parameters: {script: /bin/true}, retries: 3}`,
			`rule "r": compensation: want a mapping of taskType, parameters, retry, timeout`},
		{"bad retry", `{taskType: shell, parameters: {script: /bin/true}, retry: {maxAttempts: -1}}`,
			`rule "r": compensation.retry.maxAttempts: want maxAttempts >= 1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("comp.yaml", []byte(`taskTriggerRules:
  - ruleId: r
    eventType: order.created
    taskType: shell
    parameters: {script: /bin/true}
    compensation: `+c.comp+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, c.want)
			}
		})
	}
}
