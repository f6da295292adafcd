package rules_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

func Example() {
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		panic(err)
	}
	compiled, err := rules.Parse("orders.yaml", []byte(`
taskTriggerRules:
  - ruleId: high-value-order
    eventType: order.created
    condition: payload.amount > 1000
    taskType: shell
    parameters:
      script: /opt/tasks/process-order.sh
      args: ["${payload.orderId}", "${payload.amount}"]
    priority: HIGH
  - ruleId: notify-inventory
    eventType: "order.#"
    condition: has(payload.orderId)
    taskType: http
    parameters:
      url: http://inventory/api/orders
      body: {orderId: "${payload.orderId}", amount: "${payload.amount}"}
`), env)
	if err != nil {
		fmt.Println(err) // every problem, one per line: file:line:col: rule "id": field: message
		return
	}
	set := rules.NewSet(compiled)
	fmt.Println("may match order.created:", set.MayMatch("order.created"))
	fmt.Println("may match user.signup:", set.MayMatch("user.signup"))

	ev := event.Event{ID: "e-1", Type: "order.created", Payload: map[string]any{
		"orderId": "A-1'; touch pwned #", "amount": json.Number("1500.5"),
	}}
	for _, m := range set.Evaluate(context.Background(), ev).Matched {
		switch {
		case m.Task.Shell != nil:
			fmt.Printf("%s %s: %s %q\n", m.Priority, m.RuleID, m.Task.Shell.Script, m.Task.Shell.Args)
		case m.Task.HTTP != nil:
			fmt.Printf("%s %s: %s %s %s\n", m.Priority, m.RuleID, m.Task.HTTP.Method, m.Task.HTTP.URL, m.Task.HTTP.Body)
		}
	}
	// Output:
	// may match order.created: true
	// may match user.signup: false
	// HIGH high-value-order: /opt/tasks/process-order.sh ["A-1'; touch pwned #" "1500.5"]
	// MEDIUM notify-inventory: POST http://inventory/api/orders {"amount":1500.5,"orderId":"A-1'; touch pwned #"}
}

func ExampleLoadFile() {
	compiled, err := rules.LoadFile("testdata/bad/cel_type.yaml", nil)
	fmt.Println(len(compiled))
	fmt.Println(err)
	// Output:
	// 0
	// testdata/bad/cel_type.yaml:4:16: rule "not-bool": condition: condition must be a bool, got int
	// testdata/bad/cel_type.yaml:10:38: rule "undeclared": condition: undeclared reference to 'amount'
}
